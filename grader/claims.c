/*
 * claims.c - `grader claims N`: a chapter's claims about speed, checked on
 * the chapter's own demo with the judge that grades exercises.
 *
 * A chapter says things like "two CPU-bound threads under the GIL take as
 * long as one".  chapters/NN/claims.yaml turns each such sentence into
 * something that can fail: either a speedup pattern (judged exactly as an
 * exercise's patterns are, on mechanism and on timing, see patterns.c) or
 * a handful of counter comparisons on one measure line of the demo
 * ("stats.max_running == 1").  `make test` runs every chapter's claims, so
 * a change to the runtime that made a sentence of the book false fails the
 * build.  The demo is the project's own code: it runs with the sandbox's
 * limits but not its isolation.
 */
#include "grader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Compare one measure line with a claim's counters.  Returns 1 if all hold;
 * *seen gets every value read, *bad the first that failed (caller frees). */
static int S_compare(const gr_claim *cl, json_t *line, char **seen, char **bad)
{
    *seen = gr_xstrdup("");
    *bad = NULL;
    for (size_t i = 0; i < cl->ncounters; i++) {
        const gr_counter_check *k = &cl->counters[i];
        double v = gr_measure_value(line, k->path);
        int ok = v >= 0 && (k->op[0] == '=' ? v == k->value
                            : k->op[0] == '>' ? v >= k->value
                                              : v <= k->value);
        char *s = gr_fmt("%s%s%s = %g", *seen, i ? ", " : "", k->path, v);
        free(*seen);
        *seen = s;
        if (!ok && !*bad)
            *bad = v < 0 ? gr_fmt("%s is missing from the measure line", k->path)
                         : gr_fmt("%s is %g, the chapter says %s %g", k->path, v, k->op,
                                  k->value);
    }
    return *bad == NULL;
}

/* One counters claim: run, compare; up to S_CLAIM_RUNS runs.
 *
 * Why more than one run: the counters count what the threads did, and a
 * busy machine changes what they did.  A CPU-bound neighbour that the
 * kernel has taken off its core cannot hold the GIL, so a convoy the
 * chapter describes can fail to form in one run.  Load hides an effect;
 * it does not make a wrong runtime show one.  So a claim holds if one of
 * three runs shows it, and the report says which run that was.  A claim
 * that is false (a regression in the runtime) fails all three. */
enum { S_CLAIM_RUNS = 3 };

static void S_counters(const gr_claim *cl, const gr_pattern_ctx *ctx, gr_check *c)
{
    uint64_t t0 = gr_now_ns();
    for (int run = 1; run <= S_CLAIM_RUNS; run++) {
        json_t *line;
        char *why, *seen, *bad;
        if (gr_measure_once(ctx, &cl->run, &line, &why) < 0) {
            gr_check_set(c, GR_FAIL, 0, "%s", why);
            free(why);
            break;
        }
        int held = S_compare(cl, line, &seen, &bad);
        json_decref(line);
        if (held && run == 1)
            gr_check_set(c, GR_PASS, c->max_score, "%s", seen);
        else if (held)
            gr_check_set(c, GR_PASS, c->max_score, "%s (held on run %d of %d)", seen, run,
                         S_CLAIM_RUNS);
        else if (run == S_CLAIM_RUNS)
            gr_check_set(c, GR_FAIL, 0, "%s (%s; in each of %d runs)", bad, seen,
                         S_CLAIM_RUNS);
        free(seen);
        free(bad);
        if (held)
            break;
    }
    c->seconds = (double)(gr_now_ns() - t0) / 1e9;
}

int gr_claims_judge(const gr_claims *cs, const gr_paths *p, int quiet, gr_report *r)
{
    const char *nn = strrchr(cs->dir, '/') + 1;
    char *prog = gr_fmt("%s/demos/%s/%s", p->build, nn, cs->demo);
    if (access(prog, X_OK) < 0) {
        fprintf(stderr, "grader: %s is not built (make %s)\n", prog, prog);
        free(prog);
        return -ENOENT;
    }
    for (size_t i = 0; i < cs->n; i++) {
        const gr_claim *cl = &cs->v[i];
        gr_pattern_ctx ctx = {
            .prog = prog,
            .quiet = quiet,
            .opts = {.cwd = p->repo,
                     .trusted = 1,
                     .env = cl->env.n ? cl->env.v : NULL,
                     .limits = {.cpu_seconds = 60,
                                .wall_seconds = 60,
                                .memory_mb = 1024,
                                .processes = 64,
                                .output_kb = 256,
                                .open_files = 256,
                                .file_mb = 16}},
        };
        gr_check *c = gr_report_add(r, "claim", cl->pattern.name, 1);
        if (cl->is_pattern)
            gr_pattern_judge(&cl->pattern, &ctx, c);
        else
            S_counters(cl, &ctx, c);
        /* The sentence the claim checks, for the report. */
        char *reason = gr_fmt("\"%s\" %s", cl->says, c->reason ? c->reason : "");
        free(c->reason);
        c->reason = reason;
    }
    free(prog);
    return 0;
}
