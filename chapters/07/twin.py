"""twin.py - chapter 7's experiments on CPython's asyncio.

The same rows as the demo (build/demos/07/demo show), one figure a line,
"<name> <number>", which the demo puts in its CPython column:

    python 3.11.7
    serial_ms 401.2
    gather_ms 50.9
    ...

Each timed row runs --reps times and the median is kept.  --quick: one
rep.  Nothing here touches the network or the disk.
"""
import asyncio
import resource
import statistics
import sys
import threading
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor

SLEEP = 0.050  # each wait, as in the demo


# [waits]
async def serial(n):
    for _ in range(n):
        await asyncio.sleep(SLEEP)  # one after another


async def sleeper():
    await asyncio.sleep(SLEEP)


async def gather(n):
    await asyncio.gather(*(sleeper() for _ in range(n)))


async def blocker():
    time.sleep(SLEEP)  # the mistake: blocks the loop's only thread


async def blocking(n):
    await asyncio.gather(*(blocker() for _ in range(n)))


async def offloaded():
    await asyncio.to_thread(time.sleep, SLEEP)  # blocks a worker thread


async def to_thread(n):
    await asyncio.gather(*(offloaded() for _ in range(n)))
# [end]


async def many(n):
    await asyncio.gather(*(asyncio.sleep(0.1) for _ in range(n)))


# [stall]
class Stall:
    computing = False
    done = False
    ticks_during = 0


async def ticker(s):
    while not s.done:
        await asyncio.sleep(0.001)
        if s.computing:
            s.ticks_during += 1


def spin(n):
    while n:
        n -= 1


def calibrate():
    """Loop iterations in 1 ms of this interpreter's time (best of 5)."""
    n = 100000
    best = min(timeit(n) for _ in range(5))
    return int(n / (best * 1000))


def timeit(n):
    t0 = time.process_time()
    spin(n)
    return time.process_time() - t0


PER_MS = 0  # set by main(): the computing is counted, not timed


def compute(ms):
    spin(PER_MS * ms)


async def cruncher(s, chunked):
    await asyncio.sleep(0.005)  # let the ticker get going
    s.computing = True
    if not chunked:
        compute(100)  # 100 ms in one step: nobody else runs
    else:
        for _ in range(100):
            compute(1)
            await asyncio.sleep(0)  # let the others run
    s.computing = False
    s.done = True


async def stall(chunked):
    s = Stall()
    await asyncio.gather(ticker(s), cruncher(s, chunked))
    return s.ticks_during
# [end]


# [same-when]
async def same_when(n):
    """n callbacks for exactly the same loop time: do they run in order?"""
    loop = asyncio.get_running_loop()
    ran = []
    when = loop.time() + 0.01
    for i in range(n):
        loop.call_at(when, ran.append, i)
    await asyncio.sleep(0.05)
    return ran == sorted(ran)
# [end]


def timed(coro_fn, arg, reps):
    walls = []
    for _ in range(reps):
        t0 = time.perf_counter()
        asyncio.run(coro_fn(arg))
        walls.append((time.perf_counter() - t0) * 1000)
    return statistics.median(walls)


def bytes_per_task(n):
    """Python-level heap bytes per task asleep in asyncio.sleep."""

    async def main():
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        tasks = [asyncio.create_task(asyncio.sleep(0.1)) for _ in range(n)]
        await asyncio.sleep(0)  # every task has started and is waiting
        after = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        await asyncio.gather(*tasks)
        return (after - before) / n

    return asyncio.run(main())


def thread_start_us(n):
    """Starting a thread and seeing it run, per thread."""
    t0 = time.perf_counter()
    for _ in range(n):
        t = threading.Thread(target=lambda: None)
        t.start()
        t.join()
    return (time.perf_counter() - t0) / n * 1e6


def thread_rss_kib(n):
    """Resident memory per thread blocked on an Event (VmRSS, KiB)."""

    def rss():
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    ev = threading.Event()
    before = rss()
    threads = [threading.Thread(target=ev.wait) for _ in range(n)]
    for t in threads:
        t.start()
    after = rss()
    ev.set()
    for t in threads:
        t.join()
    return (after - before) / n


def task_start_us(n):
    """Creating a task and seeing it run, per task."""

    async def nothing():
        pass

    async def main():
        t0 = time.perf_counter()
        for _ in range(n):
            await asyncio.create_task(nothing())
        return (time.perf_counter() - t0) / n * 1e6

    return asyncio.run(main())


def main():
    global PER_MS
    quick = "--quick" in sys.argv
    reps = 1 if quick else 3
    PER_MS = calibrate()
    print("python %d.%d.%d" % sys.version_info[:3])
    print("serial_ms %.1f" % timed(serial, 8, reps))
    print("gather_ms %.1f" % timed(gather, 8, reps))
    print("blocking_ms %.1f" % timed(blocking, 8, reps))
    print("to_thread_ms %.1f" % timed(to_thread, 8, reps))
    print("many_ms %.1f" % timed(many, 10000, reps))
    print("stall_ms %.1f" % timed(stall, False, reps))
    print("chunked_ms %.1f" % timed(stall, True, reps))
    print("stall_ticks %d" % asyncio.run(stall(False)))
    print("chunked_ticks %d" % asyncio.run(stall(True)))
    print("same_when_in_order %d" % asyncio.run(same_when(20)))
    print("bytes_per_task %.0f" % bytes_per_task(10000))
    print("default_workers %d" % ThreadPoolExecutor()._max_workers)
    # threading.stack_size() 0 means the C library's default, which glibc
    # takes from the stack limit (ulimit -s) when that is finite.
    stack = threading.stack_size() or resource.getrlimit(resource.RLIMIT_STACK)[0]
    if stack != resource.RLIM_INFINITY:
        print("thread_stack_kib %d" % (stack // 1024))
    print("thread_rss_kib %.1f" % thread_rss_kib(500))
    print("thread_start_us %.1f" % thread_start_us(200 if quick else 1000))
    print("task_start_us %.1f" % task_start_us(2000 if quick else 10000))


if __name__ == "__main__":
    main()
