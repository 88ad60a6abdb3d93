"""A Python file with a region, for the include test."""
import time


# [measure]
def measure(job):
    t0 = time.perf_counter()
    job()
    return time.perf_counter() - t0
# [end]


print(measure(lambda: None))
