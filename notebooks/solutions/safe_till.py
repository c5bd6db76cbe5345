class SafeTill(al.Actor, snapshot=True):
    __snapshot_exclude__ = ("lock",)   # saved as None: a lock only means something in this process

    def __init__(self) -> None:
        self.cash = 0

    def on_start(self) -> None:        # runs on every start: the first, restarts and respawns
        self.lock = threading.Lock()

    @al.handler
    def take(self, msg: TakeCash) -> int:
        with self.lock:
            self.cash += msg.amount
        return self.cash
