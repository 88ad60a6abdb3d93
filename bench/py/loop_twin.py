"""CPython twin of bench/bench_loop.c: asyncio measured the way the
reference script (shared/reference/loops.py) measures it, so the figures sit
beside ours in `make bench`.  Prints one JSON row per figure, in the unit of
the matching bench_loop row.  Standalone: needs only python3.

    create+run   200k create_task(noop()), then await each
    switch       two tasks each awaiting sleep(0) 200k times
    timers       100k (and 1M) call_later with delays (i % 1000) / 1e5 s
    memory       tracemalloc bytes per task suspended on an Event (and
                 in a sleep)
    sleep100k    gather of 100k sleep(0.01), total wall
    echo         one-byte round trips through asyncio streams on a socketpair
"""
import asyncio
import json
import socket
import time
import tracemalloc


def row(name, value, unit):
    print(json.dumps({"name": name, "unit": unit, "cpython": round(value, 4)}), flush=True)


async def noop():
    pass


async def create_run(n=200_000):
    t = time.perf_counter()
    tasks = [asyncio.create_task(noop()) for _ in range(n)]
    for tk in tasks:
        await tk
    return (time.perf_counter() - t) / n * 1e9


async def switch(k=200_000):
    async def spin():
        for _ in range(k):
            await asyncio.sleep(0)
    t = time.perf_counter()
    await asyncio.gather(spin(), spin())
    return (time.perf_counter() - t) / (2 * k) * 1e9


async def timers(n):
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    count = [0]

    def cb():
        count[0] += 1
        if count[0] == n:
            done.set()
    t = time.perf_counter()
    for i in range(n):
        loop.call_later((i % 1000) / 1e5, cb)
    await done.wait()
    return (time.perf_counter() - t) / n * 1e9


async def echo(rounds=50_000):
    a, b = socket.socketpair()
    ra, wa = await asyncio.open_connection(sock=a)
    rb, wb = await asyncio.open_connection(sock=b)

    async def server():
        while True:
            d = await rb.read(64)
            if not d:
                break
            wb.write(d)
    srv = asyncio.create_task(server())
    t = time.perf_counter()
    for _ in range(rounds):
        wa.write(b"x")
        await ra.read(64)
    rtt = (time.perf_counter() - t) / rounds * 1e6
    wa.close()
    await srv
    wb.close()
    return rtt


async def memory(n=100_000, sleeping=False):
    ev = asyncio.Event()

    async def w():
        if sleeping:
            await asyncio.sleep(3600)
        else:
            await ev.wait()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    ts = [asyncio.create_task(w()) for _ in range(n)]
    await asyncio.sleep(0)
    used = (tracemalloc.get_traced_memory()[0] - base) / n
    tracemalloc.stop()
    ev.set()
    for t in ts:
        if sleeping:
            t.cancel()
    await asyncio.gather(*ts, return_exceptions=True)
    return used


async def sleep100k(n=100_000):
    t = time.perf_counter()
    await asyncio.gather(*(asyncio.sleep(0.01) for _ in range(n)))
    return (time.perf_counter() - t) * 1e3


def best(fn, *args, runs=3):
    """Least disturbed of a few runs, as bench_loop takes medians: the
    machine is shared."""
    return min(asyncio.run(fn(*args)) for _ in range(runs))


def main():
    row("loop.switch_ns", best(switch), "ns")
    row("loop.create_run_ns", best(create_run), "ns")
    row("loop.timer_ns", best(timers, 100_000), "ns")
    row("loop.timer1m_ns", best(timers, 1_000_000, runs=1), "ns")
    row("loop.task_bytes", asyncio.run(memory()), "B")
    row("loop.sleeping_task_bytes", asyncio.run(memory(sleeping=True)), "B")
    row("loop.sleep100k_ms", best(sleep100k), "ms")
    row("loop.echo_rtt_us", best(echo), "us")


if __name__ == "__main__":
    main()
