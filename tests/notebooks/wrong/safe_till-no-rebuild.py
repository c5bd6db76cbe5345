# exercise: safe_till
# expect: after the respawn the lock is None
class SafeTill(al.Actor, snapshot=True):
    __snapshot_exclude__ = ("lock",)

    def __init__(self) -> None:
        self.cash = 0

    def on_start(self) -> None:
        if not hasattr(self, "lock"):
            self.lock = threading.Lock()

    @al.handler
    def take(self, msg: TakeCash) -> int:
        with self.lock:
            self.cash += msg.amount
        return self.cash
