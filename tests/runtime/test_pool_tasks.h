/*
 * test_pool_tasks.h - tasks and /proc checks shared by the pool's tests.
 *
 * Each test program calls register_tasks() and then the guard at the top
 * of main(), as a program using the pool must.
 */
#ifndef TEST_POOL_TASKS_H
#define TEST_POOL_TASKS_H

#include "check.h"
#include "rt.h"
#include "rt_pool.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline int t_ident(const rt_value *a, rt_value **out)
{
    errno = 0;
    *out = rt_value_copy(a);
    return *out || !a ? 0 : -ENOMEM;
}

static inline int t_square(const rt_value *a, rt_value **out)
{
    if (!a || a->kind != RT_V_INT)
        return -EINVAL;
    *out = rt_value_int(a->as.i * a->as.i);
    return 0;
}

/* Fails odd numbers with EDOM: a task error fails only its own item. */
static inline int t_fail_odd(const rt_value *a, rt_value **out)
{
    if (a->as.i % 2)
        return -EDOM;
    *out = rt_value_int(a->as.i);
    return 0;
}

/* Sleeps arg milliseconds (releasing the worker's GIL), returns arg. */
static inline int t_sleep_ms(const rt_value *a, rt_value **out)
{
    rt_sleep_us((long)a->as.i * 1000);
    *out = rt_value_int(a->as.i);
    return 0;
}

static inline int t_pid(const rt_value *a, rt_value **out)
{
    (void)a;
    *out = rt_value_int(getpid());
    return 0;
}

/* Sum of the bytes of a byte array or shared memory block. */
static inline int t_sum_bytes(const rt_value *a, rt_value **out)
{
    const uint8_t *d = a->kind == RT_V_SHM ? rt_shm_data(a->as.shm) : a->as.bytes;
    int64_t s = 0;
    for (size_t i = 0; i < a->len; i++)
        s += d[i];
    *out = rt_value_int(s);
    return 0;
}

/* Writes byte i = i % 251 into a shared block; returns the handle back. */
static inline int t_shm_fill(const rt_value *a, rt_value **out)
{
    uint8_t *d = rt_shm_data(a->as.shm);
    for (size_t i = 0; i < a->len; i++)
        d[i] = (uint8_t)(i % 251);
    *out = rt_value_copy(a);
    return 0;
}

static inline int t_burn(const rt_value *a, rt_value **out)
{
    *out = rt_value_int((int64_t)rt_bytecodes((uint64_t)a->as.i));
    return 0;
}

static inline int t_abort(const rt_value *a, rt_value **out)
{
    (void)a, (void)out;
    abort();
}

static inline int t_exit7(const rt_value *a, rt_value **out)
{
    (void)a, (void)out;
    _exit(7);
}

/* Returns lists nested 100 deep: more than the codec encodes. */
static inline int t_too_deep(const rt_value *a, rt_value **out)
{
    (void)a;
    rt_value *v = NULL;
    for (int i = 0; i < 100; i++) {
        rt_value *l = rt_value_list(1);
        rt_value_list_set(l, 0, v);
        v = l;
    }
    *out = v;
    return 0;
}

/* A task that tries to start a pool inside a worker. */
static inline int t_nested(const rt_value *a, rt_value **out)
{
    (void)a;
    rt_pool *p = rt_pool_create(NULL);
    if (p) {
        rt_pool_free(p);
        *out = rt_value_str("nested pool started");
        return 0;
    }
    return -errno;
}

static inline void register_tasks(void)
{
    CHECK(rt_pool_register("ident", t_ident) == 0);
    CHECK(rt_pool_register("square", t_square) == 0);
    CHECK(rt_pool_register("fail_odd", t_fail_odd) == 0);
    CHECK(rt_pool_register("sleep_ms", t_sleep_ms) == 0);
    CHECK(rt_pool_register("pid", t_pid) == 0);
    CHECK(rt_pool_register("sum_bytes", t_sum_bytes) == 0);
    CHECK(rt_pool_register("shm_fill", t_shm_fill) == 0);
    CHECK(rt_pool_register("burn", t_burn) == 0);
    CHECK(rt_pool_register("abort", t_abort) == 0);
    CHECK(rt_pool_register("exit7", t_exit7) == 0);
    CHECK(rt_pool_register("nested", t_nested) == 0);
    CHECK(rt_pool_register("too_deep", t_too_deep) == 0);
}

/* n int arguments 0..n-1 (caller frees with free_args). */
static inline rt_value **int_args(size_t n)
{
    rt_value **a = malloc((n ? n : 1) * sizeof *a);
    CHECK(a);
    for (size_t i = 0; i < n; i++)
        CHECK((a[i] = rt_value_int((int64_t)i)) != NULL);
    return a;
}

static inline void free_args(rt_value **a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rt_value_free(a[i]);
    free(a);
}

/* Processes whose parent is us, from /proc/<pid>/stat (zombies included). */
static inline int count_children(void)
{
    DIR *d = opendir("/proc");
    CHECK(d);
    int n = 0;
    pid_t me = getpid();
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        char path[300], buf[512];
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        size_t len = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[len] = 0;
        char *rp = strrchr(buf, ')'); /* the name may hold spaces */
        char state;
        int ppid;
        if (rp && sscanf(rp + 2, "%c %d", &state, &ppid) == 2 && ppid == me)
            n++;
    }
    closedir(d);
    return n;
}

/* Open descriptors, from /proc/self/fd. */
static inline int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    CHECK(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n - 1; /* the DIR's own */
}

static inline rt_pool *make_pool(int workers, rt_pool_start start)
{
    rt_pool_opts o = {.workers = workers, .start = start};
    rt_pool *p = rt_pool_create(&o);
    CHECKF(p != NULL, "rt_pool_create: %s", strerror(errno));
    return p;
}

#endif /* TEST_POOL_TASKS_H */
