# exercise: safe_teller
# expect: still lose an update
class SafeTeller(al.Actor):
    def __init__(self, source: al.ActorRef, target: al.ActorRef) -> None:
        self.source, self.target = source, target

    @al.handler
    async def move(self, msg: Move) -> None:
        balance = await self.source.ask(Balance())  # the racy read, then the write
        self.source.tell(SetBalance(balance - msg.amount))
        self.target.tell(Deposit(msg.amount))
