# exercise: bounded_demand
# expect: push with extra steps
class MyMaster(BoundedMaster):
    def top_up(self) -> None:
        self.producer.tell(Demand(JOBS, self.ctx.this))
