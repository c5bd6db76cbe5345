# exercise: dining_order
# expect: deadlock again
class OrderedPhilosopher(Philosopher):
    def plan(self) -> list[al.ActorRef]:
        return [self.forks[self.right], self.forks[self.left]]
