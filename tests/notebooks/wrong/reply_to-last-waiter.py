# exercise: reply_to
# expect: both dishes went to the same waiter
class Kitchen(al.Actor):
    def __init__(self) -> None:
        self.customer = None

    @al.handler
    def cook(self, msg: Cook) -> None:
        self.customer = msg.reply_to
        msg.reply_to.tell(WhichTable(msg.dish, reply_to=self.ctx.this))

    @al.handler
    def table_is(self, msg: TableIs) -> None:
        self.customer.tell(Dish(f"{msg.dish} for table {msg.table}"))
