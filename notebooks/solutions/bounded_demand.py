class MyMaster(BoundedMaster):
    def top_up(self) -> None:
        room = self.limit - len(self.queue) - self.requested   # what is queued or on its way counts
        if room > 0:
            self.producer.tell(Demand(room, self.ctx.this))
            self.requested += room
