# exercise: bank_transfer
# expect: money vanished
class TransferAccount(BankAccount):
    @al.handler
    def transfer(self, msg: Transfer) -> Ok | Refused:
        if self.frozen or self.balance < msg.amount:
            return Refused("no")
        self.balance -= msg.amount
        tid, self.next_id = self.next_id, self.next_id + 1
        self.in_flight[tid] = (msg.amount, msg.to)
        msg.to.tell(Credit(tid, msg.amount, reply_to=self.ctx.this))
        return Ok(self.balance)

    @al.handler
    def credited(self, msg: Credited) -> None:
        self.in_flight.pop(msg.transfer_id)

    @al.handler
    def rejected(self, msg: Rejected) -> None:
        self.in_flight.pop(msg.transfer_id)
