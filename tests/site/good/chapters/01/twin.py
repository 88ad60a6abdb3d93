"""A fixture: a Python file with a region, for the include fence."""


# [region count]
def count(n):
    total = 0
    for i in range(n):
        total += i  # python-region-marker-check
    return total
# [end]


print(count(3))
