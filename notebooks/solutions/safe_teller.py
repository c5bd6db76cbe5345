class SafeTeller(al.Actor):
    def __init__(self, source: al.ActorRef, target: al.ActorRef) -> None:
        self.source, self.target = source, target

    @al.handler
    async def move(self, msg: Move) -> None:
        await self.source.ask(Withdraw(msg.amount))  # the account reads and writes in one message
        self.target.tell(Deposit(msg.amount))
