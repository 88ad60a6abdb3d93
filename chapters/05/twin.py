"""twin.py - chapter 5's experiment on CPython itself.

Eight local servers (in a child process, so they never touch this
interpreter's GIL) each wait --delay-ms, then send a reply of
"<key> <value>" lines and close.  This program fetches the eight replies
the ways the demo does, times each way, and prints one figure a line,
"<name> <number>", which the demo (build/demos/05/demo show) puts in its
CPython column:

    python 3.11.7
    fetch_serial_ms 321.4
    fetch_threads_ms 41.9
    ...

Each way runs --reps times, interleaved, and the median is kept, as in the
demo.  --quick: one rep.  The servers listen on Linux abstract Unix
sockets: nothing on disk, nothing on the network.
"""
import ctypes
import ctypes.util
import os
import platform
import signal
import socket
import statistics
import struct
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

N = 8
PARSE_MS = 6  # interpreter time to parse one reply, as in the demo


def serve(addresses, delay, bodies, ready):
    """The child: one listening socket per address, a thread per client."""

    def answer(conn):
        with conn:
            request = conn.makefile("rb").readline()  # b"GET /small\n"
            time.sleep(delay)  # the slow part of the server
            conn.sendall(bodies[request.split()[1]])

    def accept(listener):
        while True:
            conn, _ = listener.accept()
            threading.Thread(target=answer, args=(conn,), daemon=True).start()

    for address in addresses:
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(address)
        listener.listen(64)
        threading.Thread(target=accept, args=(listener,), daemon=True).start()
    os.write(ready, b"!")
    signal.pause()


# [fetch]
def fetch(address, path=b"/small"):
    """One download: every call that can wait lets go of the GIL."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(address)
        s.sendall(b"GET " + path + b"\n")
        chunks = []
        while chunk := s.recv(65536):  # blocks in recv(), GIL released
            chunks.append(chunk)
    return b"".join(chunks)
# [end]


LIBC = ctypes.PyDLL(ctypes.util.find_library("c"))  # PyDLL: calls keep the GIL


# [holding]
def fetch_holding(address):
    """The same download through libc's own connect, send and recv, called
    with ctypes.PyDLL, which does not release the GIL: the thread sleeps in
    the kernel holding it."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        fd = s.fileno()
        sockaddr = struct.pack("=H", socket.AF_UNIX) + address.encode()
        LIBC.connect(fd, sockaddr, len(sockaddr))
        LIBC.send(fd, b"GET /small\n", 11, 0)
        buf = ctypes.create_string_buffer(65536)
        chunks = []
        while (n := LIBC.recv(fd, buf, 65536, 0)) > 0:
            chunks.append(buf.raw[:n])
    return b"".join(chunks)
# [end]


# [parse]
def parse(body):
    """Pure Python: holds the GIL from the first line to the last."""
    total = 0
    for line in body.split(b"\n"):
        if line:
            key, value = line.split(b" ")
            total += int(value)
    return total
# [end]


def make_body(lines):
    return b"".join(b"reading-%d %d\n" % (j, (j * 7919) % 100003) for j in range(lines))


def parse_lines(ms):
    """How many lines this machine's CPython parses in about `ms`."""
    sample = make_body(20000)
    t0 = time.perf_counter()
    parse(sample)
    per_line = (time.perf_counter() - t0) / 20000
    return max(100, int(ms / 1e3 / per_line))


def threads(fn, args):
    """One thread per call: start them all, then join them all."""
    ts = [threading.Thread(target=fn, args=(a,)) for a in args]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


def main():
    args = sys.argv[1:]
    quick = "--quick" in args
    delay = float(args[args.index("--delay-ms") + 1]) / 1e3 if "--delay-ms" in args else 0.04
    reps = 1 if quick else 3
    big = make_body(parse_lines(PARSE_MS))
    bodies = {b"/small": make_body(150), b"/big": big}
    addresses = ["\0gilwb-twin-%d-%d" % (os.getpid(), i) for i in range(N)]
    ready_r, ready_w = os.pipe()
    child = os.fork()  # before any thread exists in this process
    if child == 0:
        serve(addresses, delay, bodies, ready_w)
        os._exit(0)
    os.read(ready_r, 1)

    def fp(address):
        parse(fetch(address, b"/big"))

    # [pool]
    def pool(k):
        with ThreadPoolExecutor(max_workers=k) as ex:
            list(ex.map(fetch, addresses))
    # [end]

    ways = {
        "fetch_serial": lambda: [fetch(a) for a in addresses],
        "fetch_threads": lambda: threads(fetch, addresses),
        "fetch_pool2": lambda: pool(2),
        "fetch_pool4": lambda: pool(4),
        "fetch_holding": lambda: threads(fetch_holding, addresses),
        "fp_serial": lambda: [fp(a) for a in addresses],
        "fp_threads": lambda: threads(fp, addresses),
        "parse_serial": lambda: [parse(big) for _ in addresses],
        "parse_threads": lambda: threads(parse, [big] * N),
        "sleep_serial": lambda: [time.sleep(delay) for _ in range(10)],
        "sleep_threads": lambda: threads(time.sleep, [delay] * 10),
    }
    times = {name: [] for name in ways}
    try:
        for _ in range(reps):
            for name, way in ways.items():
                t0 = time.perf_counter()
                way()
                times[name].append(time.perf_counter() - t0)
    finally:
        os.kill(child, signal.SIGTERM)
        os.waitpid(child, 0)
    print("python", platform.python_version())
    for name in ways:
        print("%s_ms %.1f" % (name, statistics.median(times[name]) * 1e3))
    print("default_max_workers", ThreadPoolExecutor()._max_workers)


if __name__ == "__main__":
    main()
