"""gil_model.py - CPython's GIL (3.2 and later) written with Python's own
threading primitives, to read beside chapter 4.

    python3 chapters/04/gil_model.py [INTERVAL_MS]

The fields and the steps are those of take_gil and drop_gil in CPython's
Python/ceval_gil.h (3.11) and Python/ceval_gil.c (3.12+): `mutex` is a
threading.Lock, `cond` and `switch_cond` are threading.Conditions, and a
timed wait is Condition.wait(timeout).  Run it, and two CPU-bound threads
take turns on this model lock, asking for it as CPython's threads do; it
prints how many times it changed hands and how long a turn lasted.

A model, not a replacement: it runs on top of the real GIL, which the
threads also take and drop (main() shortens the real switch interval to a
fiftieth of the model's, so that those hand-overs stay short beside the
model's).  Its turns come out longer than the interval, never shorter: a
little on an idle machine, two to four times on a busy one, where every
woken thread also waits for a core.
"""
import statistics
import sys
import threading
import time


class ModelGIL:
    def __init__(self, interval):
        self.mutex = threading.Lock()  # guards every field below
        self.cond = threading.Condition(self.mutex)  # signalled on each drop
        self.switch_cond = threading.Condition()  # with its own switch_mutex
        self.locked = False  # the GIL itself
        self.interval = interval  # seconds; CPython keeps microseconds
        self.switch_number = 0  # hand-overs to a different thread
        self.last_holder = None
        self.drop_request = False  # in CPython, part of the eval breaker

    # [take]
    def take(self, me):
        with self.mutex:
            while self.locked:
                saved = self.switch_number  # read BEFORE the wait
                timed_out = not self.cond.wait(self.interval)
                if timed_out and self.locked and self.switch_number == saved:
                    self.drop_request = True  # a whole interval, no hand-over: ask
            with self.switch_cond:
                self.locked = True
                if self.last_holder is not me:
                    self.last_holder = me
                    self.switch_number += 1
                self.switch_cond.notify()  # a dropper may wait for this
            self.drop_request = False
    # [end]

    # [drop]
    def drop(self, me):
        with self.mutex:
            self.locked = False
            self.cond.notify()  # wake one waiter now, not at its timeout
        if self.drop_request:  # we were asked: wait until someone else took it
            with self.switch_cond:
                if self.last_holder is me:
                    self.drop_request = False
                    self.switch_cond.wait()
    # [end]

    # [checkpoint]
    def checkpoint(self, me):
        """What the interpreter does at a backward jump: one test, and a
        drop and a take only when a waiter asked."""
        if self.drop_request:
            self.drop(me)
            self.take(me)
    # [end]


def worker(gil, me, deadline, turns):
    """Counts down until `deadline`, at a checkpoint every 100 iterations,
    noting in `turns` how long it held the model GIL each time."""
    gil.take(me)
    began = time.perf_counter()
    while time.perf_counter() < deadline:
        n = 100
        while n > 0:
            n -= 1
        if gil.drop_request:  # this checkpoint will hand over
            turns.append(time.perf_counter() - began)
            gil.checkpoint(me)  # drop, see the other take it, queue again
            began = time.perf_counter()
    gil.drop(me)


def main():
    interval = float(sys.argv[1]) / 1000 if len(sys.argv) > 1 else 0.005
    gil = ModelGIL(interval)
    # The real GIL hands over at every step of the model (a waiter needs it
    # to run its Python code): make those hand-overs quick beside the model's.
    sys.setswitchinterval(interval / 50)
    turns = []
    deadline = time.perf_counter() + 0.3
    threads = [threading.Thread(target=worker, args=(gil, i, deadline, turns)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("model GIL, interval %.1f ms: %d hand-overs in 300 ms, median turn %.1f ms"
          % (interval * 1e3, gil.switch_number, statistics.median(turns) * 1e3 if turns else 0))


if __name__ == "__main__":
    main()
