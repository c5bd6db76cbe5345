# exercise: safe_teller
# expect: never arrives in b
class SafeTeller(al.Actor):
    def __init__(self, source: al.ActorRef, target: al.ActorRef) -> None:
        self.source, self.target = source, target

    @al.handler
    async def move(self, msg: Move) -> None:
        await self.source.ask(Withdraw(msg.amount))
