# exercise: registry
# expect: nobody told it
class Registry(al.Actor):
    def __init__(self) -> None:
        self.live: list[str] = []

    @al.handler
    def register(self, msg: Register) -> None:
        self.live.append(msg.ref.label)

    @al.handler
    def departed(self, msg: Departed) -> None:
        self.live.remove(msg.label)

    @al.handler
    def names(self, msg: Names) -> list[str]:
        return sorted(self.live)
