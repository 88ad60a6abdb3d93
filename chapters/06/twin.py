"""twin.py - chapter 6's experiments on CPython itself.

The demo's rows as a Python program.  An echo server (the main thread)
answers a one-byte request every 2 ms from a client in another process,
alone and beside a CPU-bound thread, at switch intervals of 5, 1 and
0.1 ms; then, at 5 ms, beside the same CPU work done in native code that
lets go of the GIL (hashlib on a large buffer), and in another process.
Last, convoy.py's loop (the project's reference script): send a byte over
a socketpair and read it back on one thread.  Prints one figure a line,
"<name> <number>" (microseconds: the median round trip, or the mean per
send+recv pair), which the demo (build/demos/06/demo show) puts in its
CPython column:

    python 3.11.7
    rtt_alone_us_5000 43.1
    rtt_cpu_us_5000 5391.2
    ...

--quick: fewer round trips.
"""
import hashlib
import multiprocessing
import platform
import socket
import statistics
import sys
import threading
import time

stop = False
THINK = 0.002  # the client's pause between requests
FORK = multiprocessing.get_context("fork")  # Linux: the client inherits its socket


# [cpu-thread]
def spin():
    # A CPU-bound thread: pure Python, holding the GIL between checks.
    n = 0
    while not stop:
        n += 1
# [end]


# [native-thread]
def hash_forever():
    # The same CPU work in C that lets go of the GIL: hashlib releases it
    # while hashing inputs of 2048 bytes or more.
    data = b"x" * (1 << 20)
    while not stop:
        hashlib.sha256(data).digest()
# [end]


def spin_process():
    n = 0
    while True:
        n += 1


# [server]
def serve(sock):
    # The echo server: wait for a request, send it back.  recv() lets go
    # of the GIL while it waits, and needs it back when the byte arrives.
    while True:
        c = sock.recv(1)
        if c == b"q":
            return
        sock.send(c)
# [end]


def client(sock, k, report):
    # In another process (a client on the network): a request every 2 ms.
    rtts = []
    for _ in range(k):
        t = time.perf_counter()
        sock.send(b"r")
        sock.recv(1)
        rtts.append(time.perf_counter() - t)
        time.sleep(THINK)
    sock.send(b"q")
    report.send(statistics.median(rtts) * 1e6)


def start(target, process):
    global stop
    stop = False
    if process:
        worker = FORK.Process(target=target, daemon=True)
    else:
        worker = threading.Thread(target=target)
    worker.start()
    time.sleep(0.05)  # let it get going, as convoy.py does
    return worker


def finish(worker, process):
    global stop
    stop = True
    if process:
        worker.terminate()
    worker.join()


def server_rtt(k, target=None, process=False):
    """Median round trip (us) of k requests to serve(), beside `target`."""
    worker = start(target, process) if target else None
    a, b = socket.socketpair()
    report_r, report_w = FORK.Pipe(duplex=False)
    peer = FORK.Process(target=client, args=(b, k, report_w))
    peer.start()
    serve(a)
    us = report_r.recv()
    peer.join()
    a.close()
    b.close()
    if worker:
        finish(worker, process)
    return us


# [io-loop]
def io_loop(k):
    """Mean microseconds per send+recv of one byte (convoy.py's loop)."""
    a, b = socket.socketpair()
    t = time.perf_counter()
    for _ in range(k):
        a.send(b"x")  # lets go of the GIL, takes it back
        b.recv(1)     # the same
    elapsed = time.perf_counter() - t
    a.close()
    b.close()
    return elapsed / k * 1e6
# [end]


def main():
    quick = "--quick" in sys.argv[1:]
    n = 10 if quick else 30
    print("python", platform.python_version())
    for interval_us in (5000, 1000, 100):
        sys.setswitchinterval(interval_us / 1e6)
        print("rtt_alone_us_%d %.1f" % (interval_us, server_rtt(n)))
        print("rtt_cpu_us_%d %.1f" % (interval_us, server_rtt(n, spin)))
    sys.setswitchinterval(0.005)
    print("rtt_native_us_5000 %.1f" % server_rtt(n, hash_forever))
    print("rtt_process_us_5000 %.1f" % server_rtt(n, spin_process, process=True))
    k = 20 if quick else 100
    print("loop_alone_us_5000 %.1f" % io_loop(k))
    worker = start(spin, False)
    print("loop_cpu_us_5000 %.1f" % io_loop(k))
    finish(worker, False)


if __name__ == "__main__":
    main()
