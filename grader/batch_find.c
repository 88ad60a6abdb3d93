/*
 * batch_find.c - the student copies in a folder, whichever platform's
 * download it is, and each copy's files staged for grading.
 *
 * Layouts, tried in this order:
 *   Gradescope  "Export Submissions", unpacked: submission_metadata.yml at
 *               the top, a folder per submission ("submission_123456")
 *               whose metadata names the submitters (:name:, :sid:,
 *               :email:) and the time (:created_at:)
 *   Moodle      "Download all submissions": a folder per submission named
 *               "Full Name_12345_assignsubmission_file_"
 *   Canvas      "Download Submissions": flat files named
 *               "lastfirst_12345_67890_threads.c" (with "_LATE" after the
 *               name when Canvas marked it late; "threads-1.c" for a
 *               second upload under the same name)
 *   folders     anything else: each folder is one student, named by it
 * A copy may hold the learner's files anywhere below its folder (a whole
 * checkout of the workbook, or the files alone): the shallowest match of
 * each name wins, and exercises/NN/ breaks ties.
 */
#include "batch.h"
#include "course/sha256.h"
#include "course/when.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

/* A file-safe id: letters, digits, '-', '_', '.', '@' kept, others '_'. */
static char *S_safe(const char *s)
{
    char *r = course_xstrdup(*s ? s : "unnamed");
    for (char *p = r; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("-_.@", *p))
            *p = '_';
    if (r[0] == '.')
        r[0] = '_';
    return r;
}

static gr_copy *S_add(gr_copy **v, size_t *n)
{
    *v = course_xrealloc(*v, (*n + 1) * sizeof **v);
    gr_copy *c = &(*v)[(*n)++];
    memset(c, 0, sizeof *c);
    c->time_from = "";
    return c;
}

/* The scalar value of key in mapping node m, or NULL. */
static const char *S_get(yaml_document_t *doc, yaml_node_t *m, const char *key)
{
    if (!m || m->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
         p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        yaml_node_t *v = yaml_document_get_node(doc, p->value);
        if (k && k->type == YAML_SCALAR_NODE &&
            !strcmp((char *)k->data.scalar.value, key))
            return v && v->type == YAML_SCALAR_NODE ? (char *)v->data.scalar.value
                                                    : NULL;
    }
    return NULL;
}

static yaml_node_t *S_node(yaml_document_t *doc, yaml_node_t *m, const char *key)
{
    if (!m || m->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
         p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        if (k && k->type == YAML_SCALAR_NODE &&
            !strcmp((char *)k->data.scalar.value, key))
            return yaml_document_get_node(doc, p->value);
    }
    return NULL;
}

/* Gradescope: submission_metadata.yml.  Returns 1 if it was that layout. */
static int S_gradescope(const char *dir, gr_copy **v, size_t *n)
{
    char *path = course_fmt("%s/submission_metadata.yml", dir);
    FILE *f = fopen(path, "rb");
    free(path);
    if (!f)
        return 0;
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    int ok = yaml_parser_load(&parser, &doc);
    yaml_node_t *root = ok ? yaml_document_get_root_node(&doc) : NULL;
    if (!root || root->type != YAML_MAPPING_NODE) {
        fprintf(stderr,
                "grader batch: %s/submission_metadata.yml: not a mapping of "
                "submissions (line %zu)\n",
                dir, parser.problem_mark.line + 1);
    }
    for (yaml_node_pair_t *p = root && root->type == YAML_MAPPING_NODE
                                   ? root->data.mapping.pairs.start
                                   : NULL;
         p && p < root->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(&doc, p->key);
        yaml_node_t *sub = yaml_document_get_node(&doc, p->value);
        if (!k || k->type != YAML_SCALAR_NODE)
            continue;
        const char *folder = (char *)k->data.scalar.value;
        gr_copy *c = S_add(v, n);
        c->dir = course_fmt("%s/%s", dir, folder);
        yaml_node_t *who = S_node(&doc, sub, ":submitters");
        yaml_node_t *first =
            who && who->type == YAML_SEQUENCE_NODE &&
                    who->data.sequence.items.start < who->data.sequence.items.top
                ? yaml_document_get_node(&doc, *who->data.sequence.items.start)
                : NULL;
        const char *sid = S_get(&doc, first, ":sid");
        const char *email = S_get(&doc, first, ":email");
        const char *name = S_get(&doc, first, ":name");
        c->id = S_safe(sid && *sid ? sid : email && *email ? email : folder);
        c->name = course_xstrdup(name);
        c->email = course_xstrdup(email);
        const char *when = S_get(&doc, sub, ":created_at");
        if (when && course_time_parse(when, &c->submitted) == 0)
            c->time_from = "gradescope";
    }
    if (ok)
        yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    fclose(f);
    return 1;
}

/* Canvas's flat name "who[_LATE]_123_456_file"; returns the file name part
 * and fills who (the student's id, "who_123"), or NULL if not that form. */
static const char *S_canvas_name(const char *n, char *who, size_t wl, int *late)
{
    const char *p = n;
    while (*p && *p != '_')
        p++;
    const char *after = p;
    *late = !strncmp(after, "_LATE_", 6) || !strncmp(after, "_late_", 6);
    if (*late)
        after += 5;
    if (*after != '_' || !isdigit((unsigned char)after[1]))
        return NULL;
    const char *id = after + 1, *q = id;
    while (isdigit((unsigned char)*q))
        q++;
    if (*q != '_' || !isdigit((unsigned char)q[1]))
        return NULL;
    const char *r = q + 1;
    while (isdigit((unsigned char)*r))
        r++;
    if (*r != '_' || !r[1])
        return NULL;
    snprintf(who, wl, "%.*s_%.*s", (int)(p - n), n, (int)(q - id), id);
    return r + 1;
}

/* qsort by id. */
static int S_by_id(const void *a, const void *b)
{
    return strcmp(((const gr_copy *)a)->id, ((const gr_copy *)b)->id);
}

/* See batch.h. */
int gr_copies_find(const char *dir, gr_copy **out, size_t *n, const char **layout)
{
    *out = NULL;
    *n = 0;
    if (S_gradescope(dir, out, n)) {
        *layout = "a Gradescope export (submission_metadata.yml)";
        goto done;
    }
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "grader batch: %s: %s\n", dir, strerror(errno));
        return -ENOENT;
    }
    struct dirent *e;
    int canvas = 0, moodle = 0, folders = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *full = course_fmt("%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(full, &st) < 0) {
            free(full);
            continue;
        }
        char who[256];
        int late;
        const char *file;
        if (S_ISDIR(st.st_mode)) {
            gr_copy *c = S_add(out, n);
            c->dir = full;
            const char *m = strstr(e->d_name, "_assignsubmission_");
            if (m) { /* Moodle: "Full Name_12345_assignsubmission_file_" */
                moodle++;
                const char *us = m;
                while (us > e->d_name && us[-1] != '_')
                    us--;
                c->name = course_fmt(
                    "%.*s", (int)(us > e->d_name ? us - 1 - e->d_name : 0), e->d_name);
                char *raw = course_fmt("%.*s", (int)(m - e->d_name), e->d_name);
                c->id = S_safe(raw);
                free(raw);
            } else {
                folders++;
                c->id = S_safe(e->d_name);
            }
            continue;
        }
        if (S_ISREG(st.st_mode) &&
            (file = S_canvas_name(e->d_name, who, sizeof who, &late))) {
            canvas++;
            gr_copy *c = NULL;
            for (size_t i = 0; i < *n && !c; i++)
                if (!(*out)[i].dir && !strcmp((*out)[i].id, who))
                    c = &(*out)[i];
            if (!c) {
                c = S_add(out, n);
                c->id = S_safe(who);
            }
            c->marked_late |= late;
            course_strv_push(&c->files, full);
        }
        free(full);
    }
    closedir(d);
    *layout = canvas   ? "a Canvas download (name_id_submission_file)"
              : moodle ? "a Moodle download (a folder per submission)"
                       : "a folder per student";
    (void)folders;
done:
    if (!*n) {
        fprintf(stderr,
                "grader batch: %s holds no student copy (a folder per student, "
                "or a Gradescope, Moodle or Canvas download)\n",
                dir);
        return -ENOENT;
    }
    qsort(*out, *n, sizeof **out, S_by_id);
    /* Two copies with one id (two Moodle folders of one name): number them. */
    for (size_t i = 1; i < *n; i++)
        if (!strcmp((*out)[i].id, (*out)[i - 1].id)) {
            char *id = course_fmt("%s-%zu", (*out)[i].id, i);
            free((*out)[i].id);
            (*out)[i].id = id;
        }
    return 0;
}

/* See batch.h. */
void gr_copies_free(gr_copy *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(c[i].id);
        free(c[i].name);
        free(c[i].email);
        free(c[i].dir);
        course_strv_free(&c[i].files);
    }
    free(c);
}

/* The best match of `name` below dir (depth <= 6): shallowest, then one
 * under exercises/<id>/.  *best (caller frees) and *depth are updated. */
static void S_search(const char *dir, const char *name, const char *id, int depth,
                     char **best, int *best_depth, int *best_pref)
{
    if (depth > 6)
        return;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.' || !strcmp(e->d_name, "node_modules") ||
            !strcmp(e->d_name, "build") || !strcmp(e->d_name, "__MACOSX"))
            continue;
        char *full = course_fmt("%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(full, &st) == 0 && S_ISDIR(st.st_mode)) {
            S_search(full, name, id, depth + 1, best, best_depth, best_pref);
        } else if (lstat(full, &st) == 0 && S_ISREG(st.st_mode) &&
                   !strcmp(e->d_name, name)) {
            char *want = course_fmt("/exercises/%s/%s", id, name);
            size_t fl = strlen(full), wl = strlen(want);
            int pref = fl >= wl && !strcmp(full + fl - wl, want);
            free(want);
            if (!*best || depth < *best_depth ||
                (depth == *best_depth && pref > *best_pref)) {
                free(*best);
                *best = course_xstrdup(full);
                *best_depth = depth;
                *best_pref = pref;
            }
        }
        free(full);
    }
    if (d)
        closedir(d);
}

/* Canvas: this student's upload of `name` ("threads.c", or "threads-2.c"
 * for a later upload: the highest number wins). */
static char *S_canvas_file(const gr_copy *c, const char *name)
{
    const char *dot = strrchr(name, '.');
    size_t stem = dot ? (size_t)(dot - name) : strlen(name);
    char *best = NULL;
    long best_n = -1;
    for (size_t i = 0; i < c->files.n; i++) {
        char who[256];
        int late;
        const char *base = strrchr(c->files.v[i], '/') + 1;
        const char *f = S_canvas_name(base, who, sizeof who, &late);
        if (!f || strncmp(f, name, stem))
            continue;
        long k = 0;
        const char *rest = f + stem;
        if (*rest == '-' && isdigit((unsigned char)rest[1]))
            k = strtol(rest + 1, (char **)&rest, 10);
        if (strcmp(rest, dot ? dot : ""))
            continue;
        if (k > best_n) {
            free(best);
            best = course_xstrdup(c->files.v[i]);
            best_n = k;
        }
    }
    return best;
}

/* See batch.h. */
int gr_copy_stage(gr_copy *c, const gr_exercise *ex, const char *stage,
                  course_strv *missing, char fp[65])
{
    gr_rm_rf(stage);
    int rc = course_mkdir_p(stage, 0755);
    if (rc < 0) {
        fprintf(stderr, "grader batch: %s: %s\n", stage, strerror(-rc));
        return rc;
    }
    course_sha256_ctx h;
    course_sha256_init(&h);
    time_t newest = 0;
    for (size_t i = 0; i <= ex->files.n; i++) {
        const char *name = i < ex->files.n ? ex->files.v[i] : "answers.txt";
        char *src = NULL;
        int depth = 0, pref = 0;
        if (c->dir)
            S_search(c->dir, name, ex->id, 0, &src, &depth, &pref);
        else
            src = S_canvas_file(c, name);
        if (!src) {
            if (i < ex->files.n)
                course_strv_push(missing, name);
            continue;
        }
        size_t len;
        char *text = course_read_file(src, &len);
        char *dst = course_fmt("%s/%s", stage, name);
        struct stat st;
        if (stat(src, &st) == 0 && st.st_mtime > newest)
            newest = st.st_mtime;
        if (!text || course_write_file(dst, text, len) < 0) {
            fprintf(stderr, "grader batch: cannot stage %s\n", src);
            rc = -EIO;
        }
        course_sha256_update(&h, name, strlen(name) + 1);
        course_sha256_update(&h, text ? text : "", text ? len : 0);
        free(text);
        free(dst);
        free(src);
    }
    if (!c->submitted && newest) {
        c->submitted = newest;
        c->time_from = "file times";
    }
    unsigned char d[COURSE_SHA256_LEN];
    course_sha256_final(&h, d);
    course_hex(d, sizeof d, fp);
    return rc;
}
