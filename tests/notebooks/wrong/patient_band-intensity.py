# exercise: patient_band
# expect: the band gave up: three restarts is more than its restart intensity
class PatientBand(Band):
    supervisor = al.OneForOne(max_restarts=2, within=60.0)
