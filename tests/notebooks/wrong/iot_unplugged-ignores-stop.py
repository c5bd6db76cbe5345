# exercise: iot_unplugged
# expect: kept waiting for a reply that could never come
class UnpluggedQuery(DeviceGroupQuery):
    @al.handler
    def device_terminated(self, msg: DeviceTerminated) -> None:
        pass
