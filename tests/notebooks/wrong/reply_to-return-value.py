# exercise: reply_to
# expect: A value returned from a handler only answers an ask
class Kitchen(al.Actor):
    @al.handler
    def cook(self, msg: Cook) -> str:
        return f"{msg.dish} for table ?"

    @al.handler
    def table_is(self, msg: TableIs) -> str:
        return f"{msg.dish} for table {msg.table}"
