# exercise: patient_band
# expect: that is the strategy class
class PatientBand(Band):
    supervisor = al.OneForOne
