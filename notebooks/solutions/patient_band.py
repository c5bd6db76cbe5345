class PatientBand(Band):
    supervisor = al.OneForOne(max_restarts=5, within=60.0)
