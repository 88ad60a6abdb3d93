/*
 * benchtab.c - merges benchmark rows into build/bench.json and a Markdown
 * table.
 *
 * Usage: benchtab OURS.jsonl CPYTHON.jsonl OUT.json > table.md
 *
 * Each input line is one JSON object: our rows {"name", "unit", "ours",
 * "target"?, "note"?}, libuv twin rows in the same file {"name", "libuv"},
 * CPython twin rows {"name", "cpython", "unit"?}.  Rows are merged by name
 * in order of first appearance; the output is a list of {"name", "unit",
 * "ours", "cpython", "libuv", "target", "note"} with null where a side has
 * no figure.  A malformed line is reported as FILE:LINE and
 * skipped, so one broken benchmark cannot hide the others.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *S_rows;  /* the merged list */
static json_t *S_index; /* name -> row */
static int S_bad;

static json_t *S_row(const char *name)
{
    json_t *r = json_object_get(S_index, name);
    if (r)
        return r;
    r = json_pack("{s:s, s:n, s:n, s:n, s:n, s:n, s:n}", "name", name, "unit", "ours",
                  "cpython", "libuv", "target", "note");
    json_array_append_new(S_rows, r);
    json_object_set(S_index, name, r);
    return r;
}

/* Reads one file of rows; each row carries a figure for one of `sides`. */
static void S_read(const char *path, const char *const *sides)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return; /* no twins ran: every cpython figure stays null */
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0;
    while (getline(&line, &cap, f) > 0) {
        lineno++;
        if (line[strspn(line, " \t\r\n")] == 0)
            continue;
        json_error_t err;
        json_t *o = json_loads(line, 0, &err);
        const char *name = json_string_value(json_object_get(o, "name"));
        const char *side = NULL;
        json_t *value = NULL;
        for (int i = 0; sides[i] && !value; i++)
            if (json_is_number(json_object_get(o, sides[i])))
                value = json_object_get(o, side = sides[i]);
        if (!o || !name || !value) {
            fprintf(stderr, "%s:%d: %s\n", path, lineno,
                    !o ? err.text : "want an object with \"name\" and a number");
            S_bad++;
            json_decref(o);
            continue;
        }
        json_t *r = S_row(name);
        json_object_set(r, side, value);
        const char *keys[] = {"unit", "target", "note"};
        for (int i = 0; i < 3; i++) {
            json_t *v = json_object_get(o, keys[i]);
            if (json_is_string(v) && !json_is_string(json_object_get(r, keys[i])))
                json_object_set(r, keys[i], v);
        }
        json_decref(o);
    }
    free(line);
    fclose(f);
}

static void S_cell(json_t *v, const char *unit)
{
    if (!json_is_number(v)) {
        printf(" - |");
        return;
    }
    double d = json_number_value(v);
    printf(" %.4g %s |", d, unit);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: benchtab OURS.jsonl CPYTHON.jsonl OUT.json\n");
        return 2;
    }
    S_rows = json_array();
    S_index = json_object();
    static const char *const ours[] = {"ours", "libuv", NULL};
    static const char *const twin[] = {"cpython", NULL};
    S_read(argv[1], ours);
    S_read(argv[2], twin);
    if (json_dump_file(S_rows, argv[3], JSON_INDENT(2)) != 0) {
        fprintf(stderr, "benchtab: cannot write %s\n", argv[3]);
        return 1;
    }
    printf("| benchmark | ours | CPython | libuv | target | note |\n"
           "|---|---|---|---|---|---|\n");
    size_t i;
    json_t *r;
    json_array_foreach(S_rows, i, r)
    {
        const char *unit = json_string_value(json_object_get(r, "unit"));
        const char *target = json_string_value(json_object_get(r, "target"));
        const char *note = json_string_value(json_object_get(r, "note"));
        printf("| `%s` |", json_string_value(json_object_get(r, "name")));
        S_cell(json_object_get(r, "ours"), unit ? unit : "");
        S_cell(json_object_get(r, "cpython"), unit ? unit : "");
        S_cell(json_object_get(r, "libuv"), unit ? unit : "");
        printf(" %s | %s |\n", target ? target : "", note ? note : "");
    }
    json_decref(S_rows);
    json_decref(S_index);
    return S_bad ? 1 : 0;
}
