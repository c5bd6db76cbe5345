class Thermometer(al.Actor):
    def __init__(self, place: str) -> None:
        self.place = place
        self.readings: list[float] = []          # now Celsius
        self.unit = "C"                          # live actors get it from a fresh instance

    def on_upgrade(self, old_class: type) -> None:
        self.readings = [(f - 32) * 5 / 9 for f in self.readings]

    @al.handler
    def reading(self, msg: Reading) -> None:
        self.readings.append((msg.fahrenheit - 32) * 5 / 9)

    @al.handler
    def average(self, msg: Average) -> float:
        return round(sum(self.readings) / len(self.readings), 1)
