/*
 * ex05_driver.h - what driver.c and measure.c share.  Provided; do not edit.
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

/* The measured workloads (measure.c). */
#define EX05D_NWORKLOADS 7
extern const exkit_workload ex05d_workloads[EX05D_NWORKLOADS];

#endif /* EX05_DRIVER_H */
