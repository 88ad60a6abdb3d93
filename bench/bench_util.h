/*
 * bench_util.h - printing benchmark rows (see CONTRIBUTING.md).
 *
 * One JSON object per line on stdout: {"name", "unit", <side>: value,
 * "target"?, "note"?}.  <side> is "ours" for our own figures and "libuv"
 * for a twin measured in C; tools/benchtab merges the sides by name.
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stdio.h>

/* Writes s as a JSON string (quotes and backslashes escaped). */
static inline void bench_json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            putchar('\\');
        if ((unsigned char)*s >= 0x20)
            putchar(*s);
    }
    putchar('"');
}

/* Prints one row; target and note may be NULL. */
static inline void bench_row_side(const char *side, const char *name, const char *unit,
                                  double value, const char *target, const char *note)
{
    printf("{\"name\":");
    bench_json_string(name);
    printf(",\"unit\":");
    bench_json_string(unit);
    printf(",\"%s\":%.4g", side, value);
    if (target) {
        printf(",\"target\":");
        bench_json_string(target);
    }
    if (note) {
        printf(",\"note\":");
        bench_json_string(note);
    }
    printf("}\n");
    fflush(stdout);
}

/* Our own figure. */
static inline void row(const char *name, const char *unit, double ours,
                       const char *target, const char *note)
{
    bench_row_side("ours", name, unit, ours, target, note);
}

#endif /* BENCH_UTIL_H */
