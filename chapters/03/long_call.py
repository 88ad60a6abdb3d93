"""One long call into C keeps the GIL for its whole length.

    python3 chapters/03/long_call.py

A second thread counts how long it ever waits between two of its turns
while the main thread runs (a) one call, sum(range(n)), which is C code
from start to end, and (b) a sum in a Python loop.  The switch interval
(5 ms) bounds the wait in (b) only.  twin.py reports the figures.
"""
import threading
import time


def ticker(stop, longest):
    # Runs whenever it holds the GIL and notes its longest gap between turns.
    last = time.perf_counter()
    while not stop.is_set():
        now = time.perf_counter()
        longest[0] = max(longest[0], now - last)
        last = now
    longest[0] = max(longest[0], time.perf_counter() - last)


def c_call(n):
    return sum(range(n))  # one call: no eval-breaker check until it returns


def python_loop(n):
    s = 0
    for i in range(n):  # an eval-breaker check at every backward jump
        s += i
    return s


def longest_wait(work, n):
    """(seconds work(n) took, the ticker's longest wait meanwhile)."""
    stop, longest = threading.Event(), [0.0]
    t = threading.Thread(target=ticker, args=(stop, longest))
    t.start()
    time.sleep(0.02)  # let the ticker get going
    longest[0] = 0.0
    t0 = time.perf_counter()
    work(n)
    took = time.perf_counter() - t0
    stop.set()
    t.join()
    return took, longest[0]


if __name__ == "__main__":
    for work, n in ((c_call, 5_000_000), (python_loop, 1_500_000)):
        took, wait = longest_wait(work, n)
        print(f"{work.__name__:11} took {took * 1e3:5.1f} ms; "
              f"the other thread waited up to {wait * 1e3:5.1f} ms")
