"""Two threads add 1 to a shared total a million times each: is it exact?

    python3 chapters/03/count_race.py

On a GIL build of CPython 3.10 to 3.14 the first line comes out exact and
the other two lose updates; on 3.9 and earlier, and on a free-threaded
build, all three can.  twin.py reports the same figures for the demo.
"""
import sys
import threading


def same(x):
    return x


class Box:
    def __init__(self):
        self._value = 0

    @property
    def value(self):
        return self._value

    @value.setter
    def value(self, v):
        self._value = v


def plain(n):
    global count
    for _ in range(n):
        count += 1  # load, add, store: no eval-breaker check in between


def with_call(n):
    global count
    for _ in range(n):
        count = same(count) + 1  # entering same() is a check, count is loaded


def through_property(n):
    for _ in range(n):
        box.value += 1  # calls the getter, adds, calls the setter: checks


def run(step, n):
    """The total after two threads ran step(n) on it at the same time."""
    global count, box
    count, box = 0, Box()
    ts = [threading.Thread(target=step, args=(n,)) for _ in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return box.value if step is through_property else count


if __name__ == "__main__":
    sys.setswitchinterval(1e-6)  # ask for a switch as often as possible
    n = 1_000_000
    print(sys.version.split()[0])
    for step in (plain, with_call, through_property):
        print(f"{step.__name__:17} {run(step, n):>9,} of {2 * n:,}")
