def withdraw_and_come_back(bob: al.ActorRef) -> al.ActorRef:
    assert bob.ask_sync(Withdraw(10)) is True   # autosaved when handled
    bob.stop()
    return root.respawn_or_sync(store, BOB, default_args=lambda: Account("bob"),
                                name="bob", autosave=al.Every(messages=1))
