"""CPython twins of bench/bench_gil.c, measured the same way in the same run.

The workloads follow the reference scripts (heavy(n) loops, 10 x 0.2 s
sleeps, socketpair send+recv under one spinning thread) so the figures sit
beside ours in `make bench`.  Prints one JSON row per figure.
"""
import json, socket, statistics, sys, threading, time


def row(name, value, unit):
    print(json.dumps({"name": name, "unit": unit, "cpython": round(value, 4)}), flush=True)


def heavy(n):
    s = 0
    for i in range(n):
        s += i * i
    return s


def cpu2_speedup(n=1_500_000, reps=5):
    """Median of interleaved serial / 2-thread runs, as bench_gil does."""
    serial, threaded = [], []
    for _ in range(reps):
        t0 = time.perf_counter(); heavy(n); heavy(n); serial.append(time.perf_counter() - t0)
        ts = [threading.Thread(target=heavy, args=(n,)) for _ in range(2)]
        t0 = time.perf_counter()
        [t.start() for t in ts]; [t.join() for t in ts]
        threaded.append(time.perf_counter() - t0)
    return statistics.median(serial) / statistics.median(threaded)


def io_loop_us(k=200):
    a, b = socket.socketpair()
    t0 = time.perf_counter()
    for _ in range(k):
        a.send(b"x"); b.recv(1)
    a.close(); b.close()
    return (time.perf_counter() - t0) / k * 1e6


def convoy(interval):
    sys.setswitchinterval(interval)
    stop = False

    def spin():
        n = 0
        while not stop:
            n += 1

    alone = io_loop_us()
    th = threading.Thread(target=spin); th.start(); time.sleep(0.05)
    loaded = io_loop_us(100 if interval >= 0.001 else 200)
    stop = True; th.join()
    sys.setswitchinterval(0.005)
    return alone, loaded


def io10_speedup():
    t0 = time.perf_counter()
    for _ in range(10):
        time.sleep(0.2)
    serial = time.perf_counter() - t0
    ts = [threading.Thread(target=time.sleep, args=(0.2,)) for _ in range(10)]
    t0 = time.perf_counter()
    [t.start() for t in ts]; [t.join() for t in ts]
    return serial / (time.perf_counter() - t0)


if __name__ == "__main__":
    row("gil.cpu2_speedup", cpu2_speedup(), "x")
    alone, loaded = convoy(0.005)
    row("gil.convoy_alone_us", alone, "us")
    row("gil.convoy_loaded_us", loaded, "us")
    row("gil.convoy_loaded_1ms_us", convoy(0.001)[1], "us")
    row("gil.convoy_loaded_100us_us", convoy(0.0001)[1], "us")
    row("gil.io10_speedup", io10_speedup(), "x")
