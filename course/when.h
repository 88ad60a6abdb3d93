/*
 * when.h - points in time as courses write them: due dates, submission
 * times from a platform's export, and the late policy applied to them.
 *
 * Accepted forms (always with a zone: a due date without one means a
 * different moment on every machine):
 *   2026-03-01T23:59:00Z          ISO 8601 / RFC 3339, seconds optional
 *   2026-03-01T23:59:00.123-07:00 fractions ignored, offsets +HH:MM or +HHMM
 *   2026-03-01 23:59:00 -0700     the same with spaces (Ruby's YAML times,
 *                                 as in Gradescope's submission_metadata.yml)
 *
 * Locking: none; no state.
 */
#ifndef COURSE_WHEN_H
#define COURSE_WHEN_H

#include <time.h>

/* Parses s into *t (seconds since the epoch, UTC).  Returns 0, or -1 if s
 * is not one of the forms above (or names no real date). */
int course_time_parse(const char *s, time_t *t);
/* t as "2026-03-01T23:59:00Z" into buf (room for 21 bytes). */
void course_time_format(time_t t, char buf[21]);

/* A late policy (exercise.yaml `late:`).  Fields public. */
typedef struct course_late_policy {
    double per_day; /* percent of the score lost per started day late */
    int grace_days; /* days late that cost nothing */
    int max_days;   /* past this many days late the score is 0; 0: no limit */
} course_late_policy;

/* The late verdict of one submission. */
typedef struct course_late {
    int late;       /* 1 if submitted after the due date (grace or not) */
    int days;       /* started days late (0 when on time) */
    double penalty; /* percent of the score taken off, 0-100 */
} course_late;

/* Applies policy p to a submission at `submitted` for a due date `due`
 * (0: no due date, never late). */
course_late course_late_apply(const course_late_policy *p, time_t due,
                              time_t submitted);

#endif /* COURSE_WHEN_H */
