/*
 * ex05_driver.h - what driver.c, many.c and measure.c share.  Provided; do
 * not edit.
 */
#ifndef EX05_DRIVER_H
#define EX05_DRIVER_H

#include "ex05.h"
#include "exkit.h"
#include "exkit_serve.h"
#include "rt.h"

/* A body of about `target` bytes (at least one line) for server `seed`,
 * with what ex05_parse must make of it in *want.  Caller frees. */
char *ex05d_body(int seed, size_t target, size_t *len, ex05_record *want);

/* The whole reply for a body: "OK <len>\n<body>".  Caller frees. */
char *ex05d_reply(const char *body, size_t len, size_t *reply_len);

/* Fills reqs[0..n-1] for the servers of `set`: request i asks server i for
 * "/items/<i>" (the path is written into paths[i]). */
void ex05d_requests(exkit_servers *set, ex05_request *reqs, char (*paths)[32], int n);

/* Fails with "... is still the starter's TODO" if rc is -ENOSYS. */
void ex05d_fail_rc(const char *fn, int rc, const char *part);

/* A body, its reply and what parsing it gives: one server's content.
 * ex05d_content_make builds it (caller frees with ex05d_content_free). */
typedef struct ex05d_content {
    char *body, *reply;
    size_t len, rlen;
    ex05_record want;
} ex05d_content;
ex05d_content ex05d_content_make(int seed, size_t size);
void ex05d_content_free(ex05d_content *c);

/* A plain server sending `reply` after delay_us. */
exkit_server_spec ex05d_spec(const char *reply, size_t len, long delay_us);

/* Starts n servers as spec says and fills req[0..n-1] for them. */
exkit_servers *ex05d_start(const exkit_server_spec *spec, int n, ex05_request *req,
                           char (*paths)[32]);

/* Fails, naming the likely mistake, unless ex05_fetch returned rc == 0 and
 * exactly body[0..len) in *got.  `what` names the reply in the message. */
void ex05d_check_body(const char *what, int rc, const ex05_reply *got, const char *body,
                      size_t len);

/* The cases of Parts C and D (many.c). */
void ex05d_case_pool_all(void);
void ex05d_case_pool_overlap(void);
void ex05d_case_pool_edge(void);
void ex05d_case_fetch_all(void);
void ex05d_case_fetch_all_errors(void);
void ex05d_case_many(void);
void ex05d_case_slow(void);

/* The measured workloads (measure.c). */
#define EX05D_NWORKLOADS 7
extern const exkit_workload ex05d_workloads[EX05D_NWORKLOADS];

#endif /* EX05_DRIVER_H */
