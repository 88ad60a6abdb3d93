"""twin.py - chapter 8's experiments on CPython itself.

The demo's tables as a Python program: CPU-bound items on a pool of two
processes; many tiny items through Pool.map and ProcessPoolExecutor.map at
several chunk sizes; one large argument pickled and sent; starting two
workers with fork and with spawn; what a worker sees of a global that
the main program changed; and a script without the main guard run under
spawn.  Prints one figure a line, "<name> <number>" (milliseconds unless
the name says otherwise), which the demo (build/demos/08/demo show) puts in
its CPython column:

    python 3.11.7
    cpu_serial_ms 321.0
    ...

--tiny N: how many tiny items (default 20000).
"""
import concurrent.futures as cf
import multiprocessing as mp
import os
import platform
import subprocess
import sys
import tempfile
import time

WORKERS = 2
FORK = mp.get_context("fork")
SPAWN = mp.get_context("spawn")


# [tasks]
def spin(n):
    # CPU-bound: n rounds of pure-Python arithmetic.
    s = 0
    for i in range(n):
        s += i * i
    return s


def square(x):
    # A tiny task: far less work than sending it.
    return x * x
# [end]


def measure_len(b):
    return len(b)


def ms_since(t0):
    return (time.perf_counter() - t0) * 1e3


def units_for_ms(ms):
    # How many rounds of spin() take about `ms` milliseconds here.
    n = 100000
    t0 = time.perf_counter()
    spin(n)
    return max(1, int(n * ms / ms_since(t0)))


def cpu(n_items, ms):
    units = units_for_ms(ms)
    t0 = time.perf_counter()
    for _ in range(n_items):
        spin(units)
    print("cpu_serial_ms %.1f" % ms_since(t0))
    with FORK.Pool(WORKERS) as pool:
        pool.map(square, range(WORKERS))  # the workers are up before timing
        t0 = time.perf_counter()
        pool.map(spin, [units] * n_items)
        print("cpu_pool_ms %.1f" % ms_since(t0))


# [default]
def pool_default_chunksize(n, workers):
    # multiprocessing.Pool._map_async, 3.11, when chunksize is None
    chunksize, extra = divmod(n, workers * 4)
    if extra:
        chunksize += 1
    return chunksize
# [end]


# [chunks]
def tiny(n):
    t0 = time.perf_counter()
    list(map(square, range(n)))
    print("tiny_loop_ms %.1f" % ms_since(t0))
    print("pool_default_chunksize %d" % pool_default_chunksize(n, WORKERS))
    with FORK.Pool(WORKERS) as pool:
        pool.map(square, range(WORKERS))
        t0 = time.perf_counter()
        pool.map(square, range(n), chunksize=1)     # one message per item
        print("tiny_pool_c1_ms %.1f" % ms_since(t0))
        t0 = time.perf_counter()
        pool.map(square, range(n))                  # pool_default_chunksize
        print("tiny_pool_default_ms %.1f" % ms_since(t0))
    with cf.ProcessPoolExecutor(WORKERS, mp_context=FORK) as ex:
        list(ex.map(square, range(WORKERS)))
        t0 = time.perf_counter()
        list(ex.map(square, range(n)))               # chunksize=1: a future each
        print("tiny_ppe_c1_ms %.1f" % ms_since(t0))
        chunk = pool_default_chunksize(n, WORKERS)  # PPE's own default is 1
        t0 = time.perf_counter()
        list(ex.map(square, range(n), chunksize=chunk))
        print("tiny_ppe_chunk_ms %.1f" % ms_since(t0))
# [end]


def copies():
    import pickle
    from multiprocessing import shared_memory
    with FORK.Pool(1) as pool:
        pool.apply(square, (1,))
        for mb in (1, 4, 16):
            data = bytes(mb << 20)
            t0 = time.perf_counter()
            pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
            print("pickle_ms_%d %.1f" % (mb, ms_since(t0)))
            t0 = time.perf_counter()
            pool.apply(measure_len, (data,))
            print("send_ms_%d %.1f" % (mb, ms_since(t0)))
        shm = shared_memory.SharedMemory(create=True, size=16 << 20)
        try:
            t0 = time.perf_counter()
            pool.apply(shm_len, (shm.name,))
            print("shm_ms_16 %.1f" % ms_since(t0))
        finally:
            shm.close()
            shm.unlink()


def shm_len(name):
    from multiprocessing import shared_memory
    from multiprocessing import resource_tracker
    s = shared_memory.SharedMemory(name=name)
    # 3.11 registers every attach with the resource tracker (track=False came
    # in 3.13); the parent owns the block, so the worker takes its name off.
    resource_tracker.unregister(s._name, "shared_memory")
    n = s.size
    s.close()
    return n


def start(ctx, name):
    t0 = time.perf_counter()
    with ctx.Pool(WORKERS) as pool:
        pool.map(square, [3] * WORKERS, chunksize=1)
        print("start_%s_ms %.1f" % (name, ms_since(t0)))


# [inherit]
CONFIG = 0  # changed by the main program below, at run time


def peek(_):
    return CONFIG


def inherit(ctx, name):
    global CONFIG
    CONFIG = 42
    with ctx.Pool(1) as pool:
        print("inherit_%s %d" % (name, pool.apply(peek, (0,))))
# [end]


# [noguard]
NOGUARD = """
import concurrent.futures as cf
import multiprocessing as mp

def square(x):
    return x * x

ctx = mp.get_context("spawn")
with cf.ProcessPoolExecutor(1, mp_context=ctx) as ex:   # no main guard
    print(list(ex.map(square, [1, 2, 3])))
"""
# [end]


def noguard(method):
    # The script above, under spawn or (3.14's default on Linux) forkserver.
    # Under forkserver on 3.11 the server never imports the main module (its
    # preload looks for a key spawn.get_preparation_data() does not emit,
    # CPython gh-126631): each worker forked from the server runs it as
    # __mp_main__ with _inheriting set, and raises the RuntimeError there.
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "noguard.py")
        with open(path, "w") as f:
            f.write(NOGUARD.replace('"spawn"', '"%s"' % method))
        try:
            p = subprocess.run([sys.executable, path], capture_output=True,
                               text=True, timeout=30)
            out = p.stderr
        except subprocess.TimeoutExpired as e:
            out = (e.stderr or b"").decode(errors="replace")
    found = "RuntimeError" in out and "bootstrapping phase" in out
    print("noguard_%s_runtimeerror %d" % (method, found))


def die(_):
    os.kill(os.getpid(), 9)


def crash():
    # A worker killed mid-map: the executor breaks and says so.
    # (multiprocessing.Pool would replace the worker and wait forever for
    # the lost item: not run here.)
    try:
        with cf.ProcessPoolExecutor(WORKERS, mp_context=FORK) as ex:
            list(ex.map(die, range(4)))
        broken = 0
    except cf.process.BrokenProcessPool:
        broken = 1
    print("crash_broken %d" % broken)


if __name__ == "__main__":
    n = 20000
    if "--tiny" in sys.argv:
        n = int(sys.argv[sys.argv.index("--tiny") + 1])
    print("python %s" % platform.python_version())
    cpu(8, 40)
    tiny(n)
    copies()
    start(FORK, "fork")
    start(SPAWN, "spawn")
    inherit(FORK, "fork")
    inherit(SPAWN, "spawn")
    noguard("spawn")
    noguard("forkserver")
    crash()
