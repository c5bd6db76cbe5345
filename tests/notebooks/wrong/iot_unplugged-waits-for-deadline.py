# exercise: iot_unplugged
# expect: came only at the deadline
class UnpluggedQuery(DeviceGroupQuery):
    @al.handler
    def device_terminated(self, msg: DeviceTerminated) -> None:
        if msg.device_id not in self.replies:
            self.replies[msg.device_id] = DeviceNotAvailable()
