/*
 * yamlmap.h - the course library's YAML reader, driven by tables of keys.
 * Internal to course/: exercise.c (exercise.yaml) and claims.c
 * (chapters/NN/claims.yaml) describe their files with it.
 *
 * libyaml builds the document tree (yaml_parser_load) and we walk it, so
 * every node still knows its line.  What each mapping may hold is a table
 * of rows (key, kind, where the value goes, range, when required); one
 * walker, course__ym_map(), reads any mapping against its table: it reports
 * unknown keys (naming the known ones), keys given twice, values of the
 * wrong kind or out of range, and required keys that are missing, and it
 * goes on after each mistake so that one run lists them all.
 *
 * Locking: none; no state.  Each load has its own context.
 */
#ifndef COURSE_YAMLMAP_H
#define COURSE_YAMLMAP_H

#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "util.h"

/* One load in progress. */
typedef struct course__ym_ctx {
    yaml_document_t *doc;
    const char *shown; /* the file as printed in messages */
    const char *dir;   /* the directory the file describes (messages, checks) */
    unsigned flags;    /* the reader's own flags (COURSE_EX_* for exercise.c) */
    int strict;        /* 1: YM_GRADING keys are required too */
    int hidden;        /* reading hidden.yaml: its tests are hidden */
    course_diags *d;
    int errors;
} course__ym_ctx;

/* ------------------------------------------------------------ the table */

typedef enum course__ym_kind {
    YM_STRING,  /* a non-empty scalar -> char * */
    YM_INT,     /* a whole number in [lo, hi] -> int */
    YM_LONG,    /* a whole number in [lo, hi] -> long */
    YM_NUMBER,  /* a number in [lo, hi] -> double */
    YM_STRLIST, /* a list of scalars (one scalar = a list of one), at least lo
                  of them -> course_strv */
    YM_MAP,     /* a mapping read against the table `sub` -> the struct at off */
    YM_CUSTOM,  /* read(c, node, obj, what) does it all */
} course__ym_kind;

/* When a key must be present. */
enum { YM_OPTIONAL = 0, YM_ALWAYS = 1, YM_GRADING = 2 /* when c->strict */ };

typedef struct course__ym_table course__ym_table;
typedef void (*course__ym_reader)(course__ym_ctx *c, yaml_node_t *v, void *obj,
                                  const char *what);

typedef struct course__ym_field {
    const char *key;
    course__ym_kind kind;
    size_t off;    /* where the value goes, from the start of obj */
    double lo, hi; /* the range (YM_INT, YM_LONG, YM_NUMBER; lo for YM_STRLIST) */
    const course__ym_table *sub; /* YM_MAP */
    course__ym_reader read;      /* YM_CUSTOM */
    int required;                /* YM_OPTIONAL, YM_ALWAYS or YM_GRADING */
} course__ym_field;

struct course__ym_table {
    const course__ym_field *f;
    size_t n; /* at most 32: course__ym_map keeps a bit per field */
};

#define YM_TABLE(name, ...)                                                            \
    static const course__ym_field name##_fields[] = {__VA_ARGS__};                     \
    _Static_assert(sizeof name##_fields / sizeof name##_fields[0] <= 32,               \
                   "course__ym_map keeps one bit per field");                          \
    static const course__ym_table name = {name##_fields, sizeof name##_fields /        \
                                                             sizeof name##_fields[0]}

/* Rows, by name: a key, where its value goes in `type`, then any of .lo,
 * .hi, .sub, .read, .required. */
#define YM_ROW(k, kind_, type, field, ...)                                             \
    {                                                                                  \
        .key = k, .kind = kind_, .off = offsetof(type, field), __VA_ARGS__             \
    }
#define YM_CUSTOM_ROW(k, reader, ...)                                                  \
    {                                                                                  \
        .key = k, .kind = YM_CUSTOM, .read = reader, __VA_ARGS__                       \
    }

/* Reports a mistake at node n (line 1 if NULL) and counts it. */
void course__ym_err(course__ym_ctx *c, yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The scalar text of n, or NULL (with an error) if n is not a scalar. */
const char *course__ym_scalar(course__ym_ctx *c, yaml_node_t *n, const char *what);
/* A number in [lo, hi] (whole if `whole`) into *out: 0, or -1 reported. */
int course__ym_number(course__ym_ctx *c, yaml_node_t *n, const char *what, double lo,
                      double hi, int whole, double *out);
/* A list of scalars (a scalar alone is a list of one) appended to out;
 * fewer than min is a mistake. */
void course__ym_strlist(course__ym_ctx *c, yaml_node_t *n, const char *what, size_t min,
                        course_strv *out);
/* Whether n is a mapping; reports it if not. */
int course__ym_is_map(course__ym_ctx *c, yaml_node_t *n, const char *what);
/* Reads mapping n against table t into obj. */
void course__ym_map(course__ym_ctx *c, yaml_node_t *n, const char *what,
                    const course__ym_table *t, void *obj);
/* Parses the YAML file at path and reads its top mapping against t into
 * obj.  A file that cannot be read or is not YAML is one mistake. */
void course__ym_read(course__ym_ctx *c, const char *path, const course__ym_table *t,
                     void *obj);

#endif /* COURSE_YAMLMAP_H */
