/*
 * sitedata.c - puts the reader's own measurements where the book's pages
 * can read them.
 *
 *   sitedata stamp IN.json OUT.json
 *       adds "recorded" (now) and "machine" to the JSON object in IN: how a
 *       chapter's committed traces say where and when they were taken
 *   sitedata chapter N [--demo RUNS.jsonl] [--traces NAME=FILE.json]...
 *                      [--load L]
 *       records what `make chapterN` measured on this machine in
 *       BUILD/measured/NN.json (the demo's --json runs, its traces), then
 *       rewrites the site's data file as `js` does
 *   sitedata js
 *       rewrites SITE/data/measured.js from BUILD/measured/NN.json and
 *       BUILD/bench.json (`make bench` calls it)
 *
 * Options: --build DIR (default $B, else build), --site DIR (default
 * BUILD/site).  measured.js sets window.GILWB_MEASURED:
 *
 *   {"written": "...", "chapters": {"03": {"recorded", "machine", "load1",
 *    "runs": [...], "traces": {"gil-traces": {...}}}},
 *    "bench": {"recorded", "rows": [...]}}
 *
 * theme/live.js draws the runs beside the chapter's own table, the traces
 * in its timeline and the rows on the benchmarks page.  The file is a
 * script, not JSON, because a page opened from disk may not fetch() a
 * local file.  Written to a temporary name and renamed, so a page loading
 * at that moment sees the old file or the new one.  A malformed input line
 * is reported as FILE:LINE and nothing is written.
 */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static const char *S_build = "build", *S_site;

/* Now, or the time t, as "2026-01-02T10:00:00Z"; static buffer. */
static const char *S_iso(time_t t)
{
    static char buf[32];
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

/* The machine, as the pages print it: cores, CPU model, OS. */
static json_t *S_machine(void)
{
    char model[256] = "";
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "model name : %255[^\n]", model) == 1)
            break;
    if (f)
        fclose(f);
    struct utsname u;
    char os[3 * sizeof u.release + 8] = "";
    if (uname(&u) == 0)
        snprintf(os, sizeof os, "%s %s %s", u.sysname, u.release, u.machine);
    return json_pack("{s:i, s:s, s:s}", "cores", (int)sysconf(_SC_NPROCESSORS_ONLN),
                     "cpu", model, "os", os);
}

/* The 1-minute load average now, or -1 when it cannot be read. */
static double S_load1(void)
{
    double l = -1;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &l) != 1)
            l = -1;
        fclose(f);
    }
    return l;
}

/* mkdir -p; returns 0 or -1 (errno set). */
static int S_mkdir_p(const char *dir)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", dir);
    for (char *s = buf + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return -1;
            *s = '/';
        }
    return mkdir(buf, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

/* Writes text to path by write-and-rename.  Returns 0 or -1 after saying
 * why. */
static int S_write(const char *path, const char *text)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    int ok = f && fputs(text, f) >= 0;
    if (f)
        ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        fprintf(stderr, "sitedata: cannot write %s: %s\n", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* Loads a JSON file that must hold an array (want_array) or an object;
 * NULL after reporting FILE:LINE. */
static json_t *S_load(const char *path, int want_array)
{
    json_error_t err;
    json_t *v = json_load_file(path, 0, &err);
    if (v && (want_array ? json_is_array(v) : json_is_object(v)))
        return v;
    fprintf(stderr, "%s:%d: %s\n", path, v ? 1 : err.line,
            !v           ? err.text
            : want_array ? "expected a list"
                         : "expected an object");
    json_decref(v);
    return NULL;
}

/* Reads a file of JSON lines into a list; NULL after reporting FILE:LINE. */
static json_t *S_read_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "sitedata: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    json_t *list = json_array();
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0;
    while (list && getline(&line, &cap, f) > 0) {
        lineno++;
        if (line[strspn(line, " \t\r\n")] == 0)
            continue;
        json_error_t err;
        json_t *o = json_loads(line, 0, &err);
        if (!json_is_object(o)) {
            fprintf(stderr, "%s:%d: %s\n", path, lineno,
                    o ? "expected a JSON object" : err.text);
            json_decref(o);
            json_decref(list);
            list = NULL;
            break;
        }
        json_array_append_new(list, o);
    }
    free(line);
    fclose(f);
    return list;
}

/* window.GILWB_MEASURED from everything recorded so far. */
static int S_js(void)
{
    char dir[4096], path[4400];
    snprintf(dir, sizeof dir, "%s/measured", S_build);
    json_t *chapters = json_object();
    DIR *d = opendir(dir);
    struct dirent *ent;
    int rc = 0;
    while (d && (ent = readdir(d)) != NULL) {
        size_t n = strlen(ent->d_name);
        if (n != 7 || strcmp(ent->d_name + 2, ".json") != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
        json_t *o = S_load(path, 0);
        if (!o) {
            rc = -1;
            continue;
        }
        char num[3] = {ent->d_name[0], ent->d_name[1], 0};
        json_object_set_new(chapters, num, o);
    }
    if (d)
        closedir(d);
    json_t *all =
        json_pack("{s:s, s:o}", "written", S_iso(time(NULL)), "chapters", chapters);
    snprintf(path, sizeof path, "%s/bench.json", S_build);
    struct stat st;
    if (stat(path, &st) == 0) {
        json_t *rows = S_load(path, 1);
        if (!rows) {
            rc = -1;
        } else {
            json_object_set_new(
                all, "bench",
                json_pack("{s:s, s:o}", "recorded", S_iso(st.st_mtime), "rows", rows));
        }
    }
    char *json = rc == 0 ? json_dumps(all, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(all);
    if (!json)
        return -1;
    char site[3800];
    snprintf(site, sizeof site, "%s", S_site ? S_site : "");
    if (!S_site)
        snprintf(site, sizeof site, "%s/site", S_build);
    snprintf(dir, sizeof dir, "%s/data", site);
    snprintf(path, sizeof path, "%s/measured.js", dir);
    size_t len = strlen(json) + 256;
    char *text = malloc(len);
    snprintf(text, len,
             "/* The reader's own measurements, written by tools/sitedata (make "
             "chapterN,\n * make bench). */\nwindow.GILWB_MEASURED = %s;\n",
             json);
    free(json);
    rc = S_mkdir_p(dir) == 0 ? S_write(path, text) : -1;
    free(text);
    if (rc == 0)
        printf("sitedata: wrote %s\n", path);
    return rc;
}

/* Adds "recorded" and "machine" to the object in in, writing out. */
static int S_stamp(const char *in, const char *out)
{
    json_t *o = S_load(in, 0);
    if (!o)
        return -1;
    json_object_set_new(o, "recorded", json_string(S_iso(time(NULL))));
    json_object_set_new(o, "machine", S_machine());
    json_object_set_new(o, "load1", json_real(S_load1()));
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    size_t n = strlen(text);
    text = realloc(text, n + 2);
    memcpy(text + n, "\n", 2);
    int rc = S_write(out, text);
    free(text);
    return rc;
}

/* `chapter N` with its options (argv): writes BUILD/measured/NN.json, then
 * the site's data file.  Returns 0 or -1 after saying why; on a bad input
 * nothing is written. */
static int S_chapter(int num, int argc, char **argv)
{
    json_t *entry = json_pack("{s:s, s:o, s:f}", "recorded", S_iso(time(NULL)),
                              "machine", S_machine(), "load1", S_load1());
    json_t *traces = json_object();
    int rc = 0;
    for (int i = 0; i < argc && rc == 0; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) {
            fprintf(stderr, "sitedata: %s needs a value\n", argv[i]);
            rc = -1;
        } else if (strcmp(argv[i], "--demo") == 0) {
            json_t *runs = S_read_lines(v);
            rc = runs ? json_object_set_new(entry, "runs", runs) : -1;
        } else if (strcmp(argv[i], "--traces") == 0) {
            const char *eq = strchr(v, '=');
            json_t *t = eq ? S_load(eq + 1, 0) : NULL;
            if (!eq)
                fprintf(stderr, "sitedata: --traces %s: want NAME=FILE.json\n", v);
            else if (t)
                json_object_setn_new(traces, v, (size_t)(eq - v), t);
            rc = t ? 0 : -1;
        } else if (strcmp(argv[i], "--load") == 0) {
            json_object_set_new(entry, "load1", json_real(atof(v)));
        } else {
            fprintf(stderr, "sitedata: unknown option %s\n", argv[i]);
            rc = -1;
        }
        i++;
    }
    json_object_set_new(entry, "traces", traces);
    char dir[4096], path[4400];
    snprintf(dir, sizeof dir, "%s/measured", S_build);
    snprintf(path, sizeof path, "%s/%02d.json", dir, num);
    char *text = rc == 0 ? json_dumps(entry, JSON_COMPACT) : NULL;
    json_decref(entry);
    if (text)
        rc = S_mkdir_p(dir) == 0 ? S_write(path, text) : -1;
    free(text);
    return rc == 0 ? S_js() : rc;
}

/* Prints the usage; returns the usage-error exit status. */
static int S_usage(void)
{
    fputs("usage: sitedata [--build DIR] [--site DIR] COMMAND\n"
          "  stamp IN.json OUT.json      add the date and this machine to IN\n"
          "  chapter N [--demo RUNS.jsonl] [--traces NAME=FILE.json]... [--load L]\n"
          "                              record chapter N's measurements, then js\n"
          "  js                          rewrite SITE/data/measured.js\n",
          stderr);
    return 2;
}

/* sitedata [--build DIR] [--site DIR] COMMAND ...: exit 0 done, 1 failed,
 * 2 usage.  Single-threaded, like every tool here. */
int main(int argc, char **argv)
{
    const char *env = getenv("B");
    if (env && *env)
        S_build = env;
    int i = 1;
    for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        if (strcmp(argv[i], "--build") == 0)
            S_build = argv[i + 1];
        else if (strcmp(argv[i], "--site") == 0)
            S_site = argv[i + 1];
        else
            return S_usage();
    }
    if (i >= argc)
        return S_usage();
    const char *cmd = argv[i++];
    int rc;
    if (strcmp(cmd, "stamp") == 0 && argc - i == 2)
        rc = S_stamp(argv[i], argv[i + 1]);
    else if (strcmp(cmd, "chapter") == 0 && i < argc && atoi(argv[i]) > 0 &&
             atoi(argv[i]) < 100)
        rc = S_chapter(atoi(argv[i]), argc - i - 1, argv + i + 1);
    else if (strcmp(cmd, "js") == 0 && i == argc)
        rc = S_js();
    else
        return S_usage();
    return rc == 0 ? 0 : 1;
}
