# exercise: reply_to
# expect: the table came back as None
class Kitchen(al.Actor):
    @al.handler
    async def cook(self, msg: Cook) -> None:
        table = await msg.reply_to.ask(WhichTable(msg.dish, reply_to=self.ctx.this))
        msg.reply_to.tell(Dish(f"{msg.dish} for table {table}"))

    @al.handler
    def table_is(self, msg: TableIs) -> None:
        pass
