# exercise: fifo
# expect: a step handles exactly ONE message
first_step_adds = 111
