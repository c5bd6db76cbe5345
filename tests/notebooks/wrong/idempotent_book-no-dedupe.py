# exercise: idempotent_book
# expect: p2 was counted twice
class IdempotentBook(CashBook):
    def __init__(self) -> None:
        super().__init__()
        self.seen: set = set()

    @al.handler
    def credit(self, msg: Credit) -> None:
        self.total += msg.amount
