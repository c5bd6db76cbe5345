# exercise: patient_band
# expect: OneForAll restarts every member when one fails
class PatientBand(Band):
    supervisor = al.OneForAll(max_restarts=5, within=60.0)
