# exercise: tally
# expect: a word never seen has the count 0
class Tally(al.Actor):
    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    @al.handler
    def word(self, msg: Word) -> None:
        self.counts[msg.text] = self.counts.get(msg.text, 0) + 1

    @al.handler
    def count_of(self, msg: CountOf) -> int:
        return self.counts[msg.text]

    @al.handler
    def all_counts(self, msg: Counts) -> dict[str, int]:
        return dict(self.counts)
