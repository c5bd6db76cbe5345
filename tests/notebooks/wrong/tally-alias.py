# exercise: tally
# expect: your handler returns its own dict: the caller can now change the actor's state
class Tally(al.Actor):
    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    @al.handler
    def word(self, msg: Word) -> None:
        self.counts[msg.text] = self.counts.get(msg.text, 0) + 1

    @al.handler
    def count_of(self, msg: CountOf) -> int:
        return self.counts.get(msg.text, 0)

    @al.handler
    def all_counts(self, msg: Counts) -> dict[str, int]:
        return self.counts
