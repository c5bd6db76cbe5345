# exercise: iot_unplugged
# expect: only a device that has not answered yet is unavailable
class UnpluggedQuery(DeviceGroupQuery):
    @al.handler
    def device_terminated(self, msg: DeviceTerminated) -> None:
        self.received(msg.device_id, DeviceNotAvailable())
