class OrderedPhilosopher(Philosopher):
    def plan(self) -> list[al.ActorRef]:
        first, second = sorted((self.left, self.right))   # one global order: no cycle
        return [self.forks[first], self.forks[second]]
