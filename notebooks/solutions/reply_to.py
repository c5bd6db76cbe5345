class Kitchen(al.Actor):
    def __init__(self) -> None:
        self.pending: dict[str, al.ActorRef] = {}   # dish -> the waiter who ordered it

    @al.handler
    def cook(self, msg: Cook) -> None:
        self.pending[msg.dish] = msg.reply_to
        msg.reply_to.tell(WhichTable(msg.dish, reply_to=self.ctx.this))

    @al.handler
    def table_is(self, msg: TableIs) -> None:
        waiter = self.pending.pop(msg.dish)
        waiter.tell(Dish(f"{msg.dish} for table {msg.table}"))
