/*
 * sizing.c - draws chapter 5's figure: speedup against the size of the pool.
 *
 *   make figure-5                      (writes chapters/05/sizing.svg)
 *   build/demos/05/sizing OUT.svg
 *
 * 16 requests to 16 local servers that each wait 30 ms (fetchers.h), on
 * pools of 1, 2, 4, 8 and 16 threads, first fetching only, then fetching
 * and parsing each reply (about 5 ms of Python code each).  Each point is
 * the faster of two runs, as a speedup over the same requests done one
 * after another on the main thread.  Dashed beside them, what the
 * mechanism allows: k waits in flight at once (Little's law), and, with
 * parsing, no less than one wait plus all the parsing (Amdahl's law),
 * assuming the parsing gets a free core (on a busy machine it does not,
 * and the measured points fall below the dashes).
 */
#include <math.h>
#include <stdio.h>

#include "fetchers.h"

#define N        16
#define DELAY_MS 30
#define PARSE_MS 5
#define NK       5

static const int S_k[NK] = {1, 2, 4, 8, 16};

/* The faster of two runs of way w on bench b, in ms. */
static double best_ms(fx_bench *b, const fx_way *w)
{
    double best = INFINITY;
    for (int rep = 0; rep < 2; rep++) {
        fx_outcome o;
        fx_run(b, w, &o);
        if (o.ok != b->n)
            exkit_fail("sizing: only %d of %d replies came back whole", o.ok, b->n);
        best = fmin(best, (double)o.wall_ns / 1e6);
    }
    return best;
}

/* The plot's frame: x is log2(k), y the speedup from 0 to 16. */
enum { W = 720, H = 410, X0 = 72, X1 = 540, Y0 = 24, Y1 = 360 };

static double px(double k)
{
    return X0 + (X1 - X0) * log2(k) / log2(16);
}

static double py(double speedup)
{
    return Y1 - (Y1 - Y0) * speedup / 16;
}

/* A polyline through (k, y[i]) for every k, with class `cls`. */
static void polyline(FILE *f, const double *y, const char *cls)
{
    fprintf(f, "<polyline class=\"%s\" points=\"", cls);
    for (int i = 0; i < NK; i++)
        fprintf(f, "%.1f,%.1f ", px(S_k[i]), py(y[i]));
    fprintf(f, "\"/>\n");
}

static int draw(FILE *f, const double *fetch, const double *fp, const double *fp_bound,
                double parse_ms)
{
    fprintf(f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"13\" "
            "role=\"img\" aria-label=\"Speedup against pool size, fetching only and "
            "fetching with parsing\">\n",
            W, H, W, H);
    fprintf(f, "<style>text{fill:#333}.grid{stroke:#ddd}.axis{stroke:#666}"
               ".f{fill:none;stroke:#2f6fb0;stroke-width:2.5}.fp{fill:none;stroke:"
               "#d0782a;stroke-width:2.5}.fd{fill:#2f6fb0}.fpd{fill:#d0782a}"
               ".ideal{fill:none;stroke:#2f6fb0;stroke-width:1.5;stroke-dasharray:6 4}"
               ".bound{fill:none;stroke:#d0782a;stroke-width:1.5;stroke-dasharray:6 4}"
               "@media (prefers-color-scheme:dark){text{fill:#ddd}.grid{stroke:#444}"
               ".axis{stroke:#aaa}}</style>\n");
    for (int s = 0; s <= 16; s += 2) { /* horizontal grid and y labels */
        fprintf(f,
                "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>\n",
                X0, py(s), X1, py(s));
        fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%dx</text>\n", X0 - 8,
                py(s) + 4, s);
    }
    for (int i = 0; i < NK; i++)
        fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>\n",
                px(S_k[i]), Y1 + 20, S_k[i]);
    fprintf(f,
            "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n"
            "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n",
            X0, Y1, X1, Y1, X0, Y0, X0, Y1);
    fprintf(f,
            "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">threads in the pool "
            "(%d requests, servers waiting %d ms)</text>\n",
            (X0 + X1) / 2, Y1 + 44, N, DELAY_MS);
    fprintf(f,
            "<text x=\"18\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 18 "
            "%d)\">speedup over one at a time</text>\n",
            (Y0 + Y1) / 2, (Y0 + Y1) / 2);
    double ideal[NK];
    for (int i = 0; i < NK; i++)
        ideal[i] = S_k[i];
    polyline(f, ideal, "ideal");
    polyline(f, fp_bound, "bound");
    polyline(f, fetch, "f");
    polyline(f, fp, "fp");
    for (int i = 0; i < NK; i++) {
        fprintf(f, "<circle class=\"fd\" cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\"/>\n",
                px(S_k[i]), py(fetch[i]));
        fprintf(
            f, "<rect class=\"fpd\" x=\"%.1f\" y=\"%.1f\" width=\"8\" height=\"8\"/>\n",
            px(S_k[i]) - 4, py(fp[i]) - 4);
    }
    /* Labels at the right-hand end of each line. */
    fprintf(f, "<text x=\"%d\" y=\"%.1f\">fetch: %.1fx</text>\n", X1 + 10,
            py(fetch[NK - 1]) + 4, fetch[NK - 1]);
    fprintf(f, "<text x=\"%d\" y=\"%.1f\">fetch + parse:</text>\n", X1 + 10,
            py(fp[NK - 1]) - 6);
    fprintf(f, "<text x=\"%d\" y=\"%.1f\">%.1fx (bound %.1fx)</text>\n", X1 + 10,
            py(fp[NK - 1]) + 10, fp[NK - 1], fp_bound[NK - 1]);
    /* The legend, in the empty upper left. */
    static const char *const legend[4][2] = {
        {"f", "fetch only, measured here"},
        {"fp", "fetch + parse, measured here"},
        {"ideal", "k waits at once (Little's law)"},
        {"bound", "one wait + all the parsing (Amdahl's law)"},
    };
    for (int i = 0; i < 4; i++) {
        int y = Y0 + 18 + 22 * i;
        fprintf(f,
                "<line class=\"%s\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
                "<text x=\"%d\" y=\"%d\">%s</text>\n",
                legend[i][0], X0 + 14, y - 4, X0 + 44, y - 4, X0 + 52, y, legend[i][1]);
    }
    fprintf(f,
            "<text x=\"%d\" y=\"%d\">(%.0f ms of parsing a reply, one at a "
            "time)</text>\n",
            X0 + 52, Y0 + 18 + 22 * 4, parse_ms);
    fprintf(f, "</svg>\n");
    return ferror(f) ? -1 : 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUT.svg\n", argv[0]);
        return 2;
    }
    rt_config cfg;
    rt_config_default(&cfg);
    exkit_runtime_start(&cfg, 0);
    fx_bench small, big;
    fx_setup(&small, N, DELAY_MS * 1000L, 2000, NULL, NULL);
    fx_setup(&big, N, DELAY_MS * 1000L, fx_parse_bytes(PARSE_MS), NULL, NULL);
    fx_way serial = {0, 1, 0, 0}, serial_fp = {0, 1, 1, 0};
    double fetch0 = best_ms(&small, &serial), fp0 = best_ms(&big, &serial_fp);
    /* The bound assumes the parsing has a free core: PARSE_MS each, as the
     * body was sized (on a busy machine the measured points fall below). */
    double parse_ms = PARSE_MS;
    double fetch[NK], fp[NK], bound[NK];
    for (int i = 0; i < NK; i++) {
        fx_way w = {S_k[i], 1, 0, 0}, wp = {S_k[i], 1, 1, 0};
        fetch[i] = fetch0 / best_ms(&small, &w);
        fp[i] = fp0 / best_ms(&big, &wp);
        /* Each thread does N/k requests, one after another; and however many
         * threads, all the parsing runs one reply at a time. */
        double rounds = ceil((double)N / S_k[i]);
        double floor_ms = fmax(rounds * (DELAY_MS + parse_ms), DELAY_MS + N * parse_ms);
        bound[i] = N * (DELAY_MS + parse_ms) / floor_ms;
        printf("k=%2d  fetch %5.2fx  fetch+parse %5.2fx (bound %5.2fx)\n", S_k[i],
               fetch[i], fp[i], bound[i]);
    }
    rt_fini();
    fx_teardown(&small);
    fx_teardown(&big);
    FILE *f = fopen(argv[1], "w");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    int rc = draw(f, fetch, fp, bound, parse_ms);
    if (fclose(f) != 0 || rc < 0) {
        fprintf(stderr, "sizing: could not write %s\n", argv[1]);
        return 1;
    }
    return 0;
}
