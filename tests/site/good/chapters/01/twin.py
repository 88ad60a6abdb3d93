"""A Python twin with a region marked by Python comments."""
import threading


def main():
    # [start]
    ts = [threading.Thread(target=print, args=("python %d" % i,)) for i in range(2)]
    for t in ts:
        t.start()
    # [end]
    for t in ts:
        t.join()


main()
