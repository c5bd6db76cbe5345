# exercise: bounded_demand
# expect: count the jobs already requested
class MyMaster(BoundedMaster):
    def top_up(self) -> None:
        room = self.limit - len(self.queue)
        if room > 0:
            self.producer.tell(Demand(room, self.ctx.this))
            self.requested += room
