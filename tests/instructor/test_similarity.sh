#!/usr/bin/env bash
# test_similarity.sh - `grader similarity` ranks a renamed copy of the
# reference solution above two solutions written independently, with the
# starter's code left out, in CSV and HTML.  Dolos is installed with npm on
# first use (into $B/similarity-node), like the browser tests' playwright.
. "$(dirname "$0")/../grader/lib.sh"
unset GRADER_COURSE
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "# installing nodejs npm (apt-get)"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            --no-install-recommends nodejs npm; } >"$WORK/apt.log" 2>&1 ||
            { not_ok "cannot install nodejs npm; see $WORK/apt.log"; finish; }
    else
        not_ok "missing node/npm; run: sudo apt-get install -y nodejs npm"
        finish
    fi
fi
cd "$ROOT" || exit 1
D=$WORK/class
mkdir -p "$D/alice" "$D/bob" "$D/carol" "$D/dave" "$D/erin"
cp solutions/03/threads.c "$D/bob/threads.c"
# alice: bob's file with every name changed and the comments gone.
python3 - solutions/03/threads.c "$D/alice/threads.c" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
t = re.sub(r"/\*.*?\*/", "", t, flags=re.S)
for a, b in (("threads", "workers"), ("started", "launched"), ("count", "total"),
             ("per_step", "chunk"), ("sum", "acc"), ("err", "status"), ("dir", "d"),
             ("S_thread_main", "trampoline")):
    t = re.sub(r"\b%s\b" % a, b, t)
open(sys.argv[2], "w").write(t)
PY
# carol and dave: the same task, solved independently.
cat >"$D/carol/threads.c" <<'EOF'
#define _GNU_SOURCE
#include "ex03.h"
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "rt.h"

void ex03_job_run(ex03_job *job)
{
    int s = 0;
    job->os_tid = gettid();
    job->result = 0;
    while (s < job->steps) {
        uint64_t units = job->units / job->steps;
        if (s + 1 == job->steps)
            units = job->units - units * (uint64_t)(job->steps - 1);
        job->result += rt_bytecodes(units);
        job->tally->units_done = job->tally->units_done + units;
        s = s + 1;
    }
    job->tally->jobs_done += 1;
}

struct starter { ex03_job *j; };
static void go(void *p) { ex03_job_run(((struct starter *)p)->j); }

int ex03_run_threads(ex03_job *jobs, int n)
{
    if (n == 0) return 0;
    if (n < 0 || jobs == NULL) return -EINVAL;
    struct starter *st = malloc(sizeof(struct starter) * (size_t)n);
    rt_thread **t = malloc(sizeof(rt_thread *) * (size_t)n);
    if (st == NULL || t == NULL) { free(st); free(t); return -ENOMEM; }
    int k = 0, bad = 0;
    while (k < n && !bad) {
        st[k].j = jobs + k;
        t[k] = rt_thread_start(go, &st[k]);
        if (t[k] == NULL) bad = -EAGAIN; else k++;
    }
    while (k-- > 0)
        rt_thread_join(t[k]);
    free(t);
    free(st);
    return bad;
}

int ex03_count_os_threads(void)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)getpid());
    DIR *d = opendir(path);
    if (!d) return -errno;
    int n = 0;
    for (struct dirent *e = readdir(d); e; e = readdir(d))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}
EOF
cat >"$D/dave/threads.c" <<'EOF'
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "ex03.h"
#include "rt.h"
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static uint64_t step_units(const ex03_job *job, int i)
{
    uint64_t base = job->units / (uint64_t)job->steps;
    return i == job->steps - 1 ? base + job->units % (uint64_t)job->steps : base;
}

void ex03_job_run(ex03_job *job)
{
    uint64_t total = 0;
    job->os_tid = (pid_t)gettid();
    for (int i = job->steps - 1; i >= 0; --i) {
        uint64_t u = step_units(job, job->steps - 1 - i);
        total += rt_bytecodes(u);
        job->tally->units_done += u;
    }
    job->result = total;
    ++job->tally->jobs_done;
}

static void entry(void *arg)
{
    ex03_job *job = arg;
    ex03_job_run(job);
}

int ex03_run_threads(ex03_job *jobs, int n)
{
    rt_thread *handles[256];
    if (n < 0 || (n && !jobs) || n > 256)
        return -EINVAL;
    int i;
    for (i = 0; i < n; ++i)
        if ((handles[i] = rt_thread_start(entry, &jobs[i])) == NULL)
            break;
    int rc = i == n ? 0 : -EAGAIN;
    for (int j = 0; j < i; ++j)
        rt_thread_join(handles[j]);
    return rc;
}

int ex03_count_os_threads(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    int n = -ENOENT;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "Threads: %d", &n) == 1)
            break;
    if (f)
        fclose(f);
    return n;
}
EOF
cp exercises/03/threads.c "$D/erin/threads.c" # the untouched starter
"$GRADER" similarity "$D" --exercise 03 -o "$WORK/sim.csv" >"$WORK/sim.out" 2>&1
rc=$?
check "similarity: Dolos ran (exit $rc)" [ $rc -eq 0 ]
[ $rc -eq 0 ] || tail -5 "$WORK/sim.out" | sed 's/^/# /'
rank=$(python3 - "$WORK/sim.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
pair = lambda r: "-".join(sorted((r["left"], r["right"])))
top = pair(rows[0])
sim = {pair(r): float(r["similarity"]) for r in rows}
indep = max(v for k, v in sim.items() if k in ("bob-carol", "bob-dave", "alice-carol", "alice-dave", "carol-dave"))
print(top, "above" if sim["alice-bob"] > indep else "not above", len(rows))
PY
)
match "similarity: the renamed copy of the solution ranks first, above independent solutions" \
    "$rank" "alice-bob above 10"
starter=$(python3 - "$WORK/sim.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print(max(float(r["similarity"]) for r in rows if "erin" in (r["left"], r["right"])))
PY
)
check "similarity: the starter's code is left out (the starter matches nothing: $starter)" \
    python3 -c "import sys; sys.exit(not float('$starter') < 0.2)"
"$GRADER" similarity "$D" --exercise 03 -o "$WORK/sim.html" >/dev/null 2>&1
check "similarity: an HTML listing" bash -c "grep -q '<table>' '$WORK/sim.html' && grep -q 'alice' '$WORK/sim.html'"
finish
