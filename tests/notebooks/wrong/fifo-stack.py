# exercise: fifo
# expect: a mailbox is a queue (first in, first out), not a stack
first_step_adds = 100
