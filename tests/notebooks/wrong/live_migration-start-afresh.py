# exercise: live_migration
# expect: the old readings are gone
class Thermometer(al.Actor):
    def __init__(self, place: str) -> None:
        self.place = place
        self.readings: list[float] = []
        self.unit = "C"

    def on_upgrade(self, old_class: type) -> None:
        self.readings = []

    @al.handler
    def reading(self, msg: Reading) -> None:
        self.readings.append((msg.fahrenheit - 32) * 5 / 9)

    @al.handler
    def average(self, msg: Average) -> float:
        return round(sum(self.readings) / len(self.readings), 1)
