first_step_adds = 1
