# exercise: dining_order
# expect: two neighbours ate at the same time
class OrderedPhilosopher(Philosopher):
    def plan(self) -> list[al.ActorRef]:
        return [self.forks[self.left]]
