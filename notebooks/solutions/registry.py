class Registry(al.Actor):
    def __init__(self) -> None:
        self.live: list[str] = []

    @al.handler
    def register(self, msg: Register) -> None:
        me, label = self.ctx.this, msg.ref.label
        self.live.append(label)

        def on_update(update: al.StatusUpdate) -> None:   # runs outside the handler: only tell
            if update.status is al.Status.STOPPED:
                me.tell(Departed(label))

        al.monitor(msg.ref, on_update)

    @al.handler
    def departed(self, msg: Departed) -> None:
        self.live.remove(msg.label)

    @al.handler
    def names(self, msg: Names) -> list[str]:
        return sorted(self.live)
