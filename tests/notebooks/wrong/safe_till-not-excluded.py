# exercise: safe_till
# expect: the snapshot cannot hold the lock: list it in __snapshot_exclude__
class SafeTill(al.Actor, snapshot=True):
    def __init__(self) -> None:
        self.cash = 0

    def on_start(self) -> None:
        self.lock = threading.Lock()

    @al.handler
    def take(self, msg: TakeCash) -> int:
        with self.lock:
            self.cash += msg.amount
        return self.cash
