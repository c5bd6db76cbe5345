# exercise: come_back
# expect: a fresh account: a plain spawn
def withdraw_and_come_back(bob: al.ActorRef) -> al.ActorRef:
    bob.ask_sync(Withdraw(10))
    bob.stop()
    return root.spawn(Account("bob"), name="bob")
