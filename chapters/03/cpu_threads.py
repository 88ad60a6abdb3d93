"""The chapter's puzzle on CPython: pure computation on 1, 2 and 4 threads.

    python3 chapters/03/cpu_threads.py

Prints the wall time of the same work done by the main thread alone and
split over 2 and 4 threading.Threads, and how many OS threads the process
had while they ran.  twin.py runs it several times for the demo's table.
"""
import os
import threading
import time


def count(n):
    # Pure computation: every iteration is bytecode, run holding the GIL.
    s = 0
    for i in range(n):
        s += i * i
    return s


def os_threads():
    """How many threads the kernel lists for this process (Linux)."""
    return len(os.listdir("/proc/self/task"))


def run(threads, n):
    """(seconds, OS threads alive) for n iterations over `threads` threads."""
    t0 = time.perf_counter()
    if threads == 0:  # the main thread alone
        count(n)
        return time.perf_counter() - t0, os_threads()
    ready = threading.Barrier(threads + 1)  # the workers and this thread

    def work():
        ready.wait()  # compute only once every worker exists
        count(n // threads)

    ts = [threading.Thread(target=work) for _ in range(threads)]
    for t in ts:
        t.start()
    alive = os_threads()  # all started, none finished
    ready.wait()
    for t in ts:
        t.join()
    return time.perf_counter() - t0, alive


if __name__ == "__main__":
    for threads in (0, 2, 4):
        seconds, alive = run(threads, 6_000_000)
        print(f"{threads} threads: {seconds * 1e3:4.0f} ms, {alive} OS threads")
