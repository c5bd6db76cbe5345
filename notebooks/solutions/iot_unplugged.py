class UnpluggedQuery(DeviceGroupQuery):
    @al.handler
    def device_terminated(self, msg: DeviceTerminated) -> None:
        if msg.device_id not in self.replies:      # an answer already received stands
            self.received(msg.device_id, DeviceNotAvailable())   # finishes if it was the last
