"""CPython twins of bench/bench_pool.c: multiprocessing measured the same way.

Rows (JSON lines with "cpython"), one per row of bench_pool that has a twin:
  pool.task_us_chunk1      Pool(2).map(identity, 50k ints, chunksize=1)
  pool.task_us_default     the same at Pool's default chunksize
  pool.cpu_speedup         Pool(cores).map of CPU-bound items vs a serial loop
  pool.start_ms_fork       Pool(2) up and a first result back, fork
  pool.start_ms_spawn      the same, spawn
  pool.kill_ms             ProcessPoolExecutor: worker SIGKILLed mid-map until
                           BrokenProcessPool (multiprocessing.Pool never returns)
  pool.payload_gbps_codec  64 MiB bytes there and back through pickle
  pool.payload_gbps_shm    64 MiB through multiprocessing.shared_memory

Self-contained: needs nothing outside the standard library.
"""
import json
import multiprocessing as mp
import os
import signal
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import shared_memory


def row(name, value, unit, note=None):
    r = {"name": name, "unit": unit, "cpython": round(value, 4)}
    if note:
        r["note"] = note
    print(json.dumps(r), flush=True)


def ident(x):
    return x


def heavy(n):
    s = 0
    for i in range(n):
        s += i * i
    return s


def sleep_ms(ms):
    time.sleep(ms / 1000)
    return ms


def shm_touch(name_size):
    name, size = name_size
    shm = shared_memory.SharedMemory(name=name)
    buf = shm.buf
    s = 0
    for i in range(0, size, 4096):  # a Python loop per byte would take minutes
        s += buf[i]
    del buf
    shm.close()
    return name_size


def per_task():
    n = 50_000
    with mp.get_context("fork").Pool(2) as p:
        p.map(ident, range(1000))
        for name, cs in (("pool.task_us_chunk1", 1), ("pool.task_us_default", None)):
            best = min(_timed(lambda: p.map(ident, range(n), chunksize=cs)) for _ in range(3))
            row(name, best / n * 1e6, "us")


def _timed(f):
    t0 = time.perf_counter()
    f()
    return time.perf_counter() - t0


def cpu_speedup():
    cores = len(os.sched_getaffinity(0))
    n = 400_000
    t0 = time.perf_counter(); heavy(n); one = time.perf_counter() - t0
    n = max(1, int(n * 0.05 / one))  # ~50 ms an item, as bench_pool
    items = [n] * (4 * cores)
    ratios = []
    with mp.get_context("fork").Pool(cores) as p:
        p.map(heavy, items, chunksize=1)
        for _ in range(3):
            serial = _timed(lambda: [heavy(x) for x in items])
            par = _timed(lambda: p.map(heavy, items, chunksize=1))
            ratios.append(serial / par)
    row("pool.cpu_speedup", statistics.median(ratios), "x")


def start_ms():
    for method in ("fork", "spawn"):
        ctx = mp.get_context(method)
        ts = []
        for _ in range(5):
            t0 = time.perf_counter()
            with ctx.Pool(2) as p:
                p.apply(ident, (1,))
                ts.append(time.perf_counter() - t0)
        row("pool.start_ms_" + method, statistics.median(ts) * 1e3, "ms")


def kill_ms():
    ts = []
    for _ in range(5):
        ex = ProcessPoolExecutor(2, mp_context=mp.get_context("fork"))
        fs = [ex.submit(sleep_ms, 2000) for _ in range(8)]
        time.sleep(0.3)
        victim = list(ex._processes)[0]
        t0 = time.perf_counter()
        os.kill(victim, signal.SIGKILL)
        try:
            fs[0].result(timeout=10)
        except BrokenProcessPool:
            ts.append(time.perf_counter() - t0)
        ex.shutdown(wait=True, cancel_futures=True)
    # multiprocessing.Pool: the result never comes (bpo-22393); shown once.
    p = mp.get_context("fork").Pool(2)
    r = p.map_async(sleep_ms, [2000] * 4, chunksize=1)
    time.sleep(0.3)
    os.kill(p._pool[0].pid, signal.SIGKILL)
    try:
        r.get(timeout=3)
        pool_note = "multiprocessing.Pool returned"
    except mp.TimeoutError:
        pool_note = "multiprocessing.Pool: still waiting after 3 s (hangs forever)"
    p.terminate()
    row("pool.kill_ms", statistics.median(ts) * 1e3, "ms",
        "ProcessPoolExecutor's BrokenProcessPool; " + pool_note)


def payload():
    size = 64 << 20
    data = bytes(range(256)) * (size // 256)
    with mp.get_context("fork").Pool(2) as p:
        best = min(_timed(lambda: p.apply(ident, (data,))) for _ in range(3))
        row("pool.payload_gbps_codec", 2 * size / best / 1e9, "GB/s")
        shm = shared_memory.SharedMemory(create=True, size=size)
        try:
            shm.buf[:size] = data
            best = min(_timed(lambda: p.apply(shm_touch, ((shm.name, size),)))
                       for _ in range(3))
            row("pool.payload_gbps_shm", 2 * size / best / 1e9, "GB/s",
                "worker touches one byte per page (a Python loop)")
        finally:
            shm.close()
            shm.unlink()


if __name__ == "__main__":
    for step in (per_task, cpu_speedup, start_ms, kill_ms, payload):
        print("pool_twin:", step.__name__, file=sys.stderr, flush=True)
        step()
