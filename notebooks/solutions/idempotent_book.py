class IdempotentBook(CashBook):
    def __init__(self) -> None:
        super().__init__()
        self.seen: set[str] = set()

    @al.handler
    def credit(self, msg: Credit) -> None:
        if msg.payment_id in self.seen:
            return                      # a retry of a payment already booked: nothing to do
        self.seen.add(msg.payment_id)
        self.total += msg.amount
