# exercise: come_back
# expect: bob is still running: stop him first
def withdraw_and_come_back(bob: al.ActorRef) -> al.ActorRef:
    bob.ask_sync(Withdraw(10))
    return root.respawn_or_sync(
        store, BOB, default_args=lambda: Account("bob"), name="bob", autosave=al.Every(messages=1)
    )
