#include <stdint.h>

/* TODO: return CPU time over wall time. */
double measure(uint64_t n)
{
    const char *s = "not \"done\"";
    (void)s;
    return 0.5 * (double)n;
}
