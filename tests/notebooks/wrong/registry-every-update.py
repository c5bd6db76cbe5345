# exercise: registry
# expect: calls back at once with the current status
class Registry(al.Actor):
    def __init__(self) -> None:
        self.live: list[str] = []

    @al.handler
    def register(self, msg: Register) -> None:
        self.live.append(msg.ref.label)
        me, label = self.ctx.this, msg.ref.label
        al.monitor(msg.ref, lambda update: me.tell(Departed(label)))

    @al.handler
    def departed(self, msg: Departed) -> None:
        self.live.remove(msg.label)

    @al.handler
    def names(self, msg: Names) -> list[str]:
        return sorted(self.live)
