# exercise: idempotent_book
# expect: you deduplicated by amount
class IdempotentBook(CashBook):
    def __init__(self) -> None:
        super().__init__()
        self.seen: set = set()

    @al.handler
    def credit(self, msg: Credit) -> None:
        if msg.amount not in self.seen:
            self.seen.add(msg.amount)
            self.total += msg.amount
