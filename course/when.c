/*
 * when.c - due dates, submission times and late policy (see when.h).
 *
 * Parsing is by hand rather than strptime: strptime's %z differs between C
 * libraries, and timegm (not mktime) turns the broken-down UTC time into
 * seconds without the machine's own zone getting in the way.
 *
 * Locking: none; no state.
 */
#include "when.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* n digits at *p as a number, advancing *p; -1 if they are not digits. */
static int S_digits(const char **p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -1;
        v = v * 10 + (*p)[i] - '0';
    }
    *p += n;
    return v;
}

/* See when.h. */
int course_time_parse(const char *s, time_t *t)
{
    const char *p = s;
    struct tm tm = {0};
    int y = S_digits(&p, 4);
    if (y < 0 || *p++ != '-')
        return -1;
    int mo = S_digits(&p, 2);
    if (mo < 0 || *p++ != '-')
        return -1;
    int d = S_digits(&p, 2);
    if (d < 0 || (*p != 'T' && *p != 't' && *p != ' '))
        return -1;
    p++;
    int h = S_digits(&p, 2);
    if (h < 0 || *p++ != ':')
        return -1;
    int mi = S_digits(&p, 2), sec = 0;
    if (mi < 0)
        return -1;
    if (*p == ':') {
        p++;
        if ((sec = S_digits(&p, 2)) < 0)
            return -1;
        if (*p == '.')
            for (p++; isdigit((unsigned char)*p); p++)
                ;
    }
    while (*p == ' ')
        p++;
    long off = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1;
        int oh = S_digits(&p, 2), om;
        if (oh < 0)
            return -1;
        if (*p == ':')
            p++;
        if ((om = S_digits(&p, 2)) < 0)
            return -1;
        off = sign * (oh * 3600L + om * 60L);
    } else {
        return -1; /* no zone */
    }
    if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return -1;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    time_t v = timegm(&tm);
    struct tm back;
    gmtime_r(&v, &back);
    if (back.tm_mday != d) /* 2026-02-30 */
        return -1;
    *t = v - off;
    return 0;
}

/* See when.h. */
void course_time_format(time_t t, char buf[21])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* See when.h.  A day late is any part of a day: one second after the due
 * date is day 1, as on every course page that says "per day late". */
course_late course_late_apply(const course_late_policy *p, time_t due, time_t submitted)
{
    course_late l = {0};
    if (!due || submitted <= due)
        return l;
    l.late = 1;
    l.days = (int)((submitted - due + 86399) / 86400);
    if (p->max_days > 0 && l.days > p->max_days) {
        l.penalty = 100;
        return l;
    }
    int charged = l.days - p->grace_days;
    if (charged > 0)
        l.penalty = charged * p->per_day < 100 ? charged * p->per_day : 100;
    return l;
}
