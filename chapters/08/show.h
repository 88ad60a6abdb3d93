/*
 * show.h - chapter 8's demo: the tables `demo show` prints (make chapter8).
 * Included by demo.c, whose runs it calls; a file of its own to keep each
 * file about one thing.
 */

/* The median of a row's runs (interleaved with the other rows'); *rep is
 * the run nearest that median, whose counters the table prints. */
static double median_ms(run *rs, int reps, const run **rep)
{
    double v[MAX_REPS];
    for (int i = 0; i < reps; i++)
        v[i] = rs[i].ms;
    double med = exkit_median(v, (size_t)reps);
    *rep = &rs[0];
    for (int i = 0; i < reps; i++)
        if (fabs(rs[i].ms - med) < fabs((*rep)->ms - med))
            *rep = &rs[i];
    return med;
}

static void twin_cell(const char *name, const char *unit)
{
    double v = exkit_twin(name);
    if (isnan(v))
        printf(" %12s", "-");
    else
        printf(" %9.1f %s", v, unit);
}

enum {
    R_SERIAL,
    R_POOL,
    R_LOOP,
    R_MAP1,
    R_MAPDEF,
    R_SUBMIT,
    R_C1,
    R_C4,
    R_C16,
    R_S16,
    R_FORK,
    R_SPAWN,
    NROWS
};

static int show(int nargs, char **args)
{
    exkit_show_opts o = {.reps = 3};
    int rc = exkit_show_args(nargs, args, &o, 1, MAX_REPS, 0);
    if (rc)
        return rc;
    int reps = o.reps;
    size_t tiny = o.quick ? TINY_N / 4 : TINY_N;
    rt_config cfg;
    rt_config_default(&cfg);
    exkit_runtime_start(&cfg, 0);
    static run rs[NROWS][MAX_REPS];
    for (int k = 0; k < reps; k++) { /* interleaved: every row once, then again */
        run_cpu(NULL, CPU_N, CPU_MS, 0, &rs[R_SERIAL][k]);
        run_cpu(NULL, CPU_N, CPU_MS, WORKERS, &rs[R_POOL][k]);
        run_tiny(NULL, TINY_LOOP, tiny, 0, &rs[R_LOOP][k]);
        run_tiny(NULL, TINY_MAP, tiny, 1, &rs[R_MAP1][k]);
        run_tiny(NULL, TINY_MAP, tiny, 0, &rs[R_MAPDEF][k]);
        run_tiny(NULL, TINY_SUBMIT, tiny, 0, &rs[R_SUBMIT][k]);
        run_copy(NULL, 1, 0, &rs[R_C1][k]);
        run_copy(NULL, 4, 0, &rs[R_C4][k]);
        run_copy(NULL, 16, 0, &rs[R_C16][k]);
        run_copy(NULL, 16, 1, &rs[R_S16][k]);
        run_start(NULL, RT_POOL_FORK, &rs[R_FORK][k]);
        run_start(NULL, RT_POOL_SPAWN, &rs[R_SPAWN][k]);
    }
    run fork_sees = {0}, spawn_sees = {0}, noguard = {0}, crash = {0};
    run_inherit(RT_POOL_FORK, &fork_sees);
    run_inherit(RT_POOL_SPAWN, &spawn_sees);
    printf("\n  The noguard run: its worker, which skipped the guard, explains the "
           "mistake\n  on the error output (the next lines), and exits:\n");
    fflush(stdout);
    run_noguard(&noguard);
    run_crash(&crash);
    rt_fini();

    printf(
        "\nChapter 8: a process pool of %d workers (%ld cores online; median of %d "
        "runs)\n\n  CPython measures the same experiments (chapters/08/twin.py)...\n",
        WORKERS, sysconf(_SC_NPROCESSORS_ONLN), reps);
    char targs[32];
    snprintf(targs, sizeof targs, "--tiny %zu", tiny);
    exkit_twin_run("chapters/08/twin.py", targs);
    double ms[NROWS];
    const run *r[NROWS];
    for (int i = 0; i < NROWS; i++)
        ms[i] = median_ms(rs[i], reps, &r[i]);

    char bar[32];
    printf("\n  %d CPU-bound items of %d ms    %9s %8s  %-13s %12s %8s\n", CPU_N,
           CPU_MS, "wall", "speedup", "", "CPython", "workers");
    printf("  %-29s %6.0f ms %7.2fx  %-13s", "one after another", ms[R_SERIAL], 1.0,
           exkit_bar(bar, 1.0, 6, 13));
    twin_cell("cpu_serial_ms", "ms");
    printf(" %8s\n", "-");
    printf("  %-29s %6.0f ms %7.2fx  %-13s", "rt_pool_map, 2 workers", ms[R_POOL],
           ms[R_SERIAL] / ms[R_POOL], exkit_bar(bar, ms[R_SERIAL] / ms[R_POOL], 6, 13));
    twin_cell("cpu_pool_ms", "ms");
    printf(" %8d\n", r[R_POOL]->ps.workers_used);

    printf("\n  %zu tiny items (x * x)        %9s %8s %9s %12s %12s\n", tiny, "wall",
           "us/item", "messages", "CPython", "");
    static const struct {
        int row;
        const char *label, *twin, *twin_label;
    } T[] = {
        {R_LOOP, "plain loop", "tiny_loop_ms", "list(map())"},
        {R_MAP1, "map, chunksize 1", "tiny_pool_c1_ms", "Pool.map(1)"},
        {R_MAPDEF, "map, default chunksize", "tiny_pool_default_ms", "Pool.map()"},
        {R_SUBMIT, "one future per item", "tiny_ppe_c1_ms", "PPE.map(1)"},
    };
    for (size_t i = 0; i < sizeof T / sizeof T[0]; i++) {
        const run *x = r[T[i].row];
        printf("  %-29s %6.1f ms %8.2f %9llu", T[i].label, ms[T[i].row],
               ms[T[i].row] * 1e3 / (double)tiny,
               (unsigned long long)x->ps.chunks_sent);
        twin_cell(T[i].twin, "ms");
        printf("  %s%s\n", T[i].twin_label,
               x->value == (int64_t)tiny ? "" : "  (wrong!)");
    }
    printf("  (CPython's ProcessPoolExecutor.map with chunksize %zu: ",
           rt_pool_default_chunksize(tiny, WORKERS));
    twin_cell("tiny_ppe_chunk_ms", "ms)\n");

    printf("\n  one large argument           %9s %13s %12s %12s\n", "wall",
           "bytes copied", "CPython send", "pickle.dumps");
    static const struct {
        int row;
        const char *label, *twin, *pickle;
    } C[] = {
        {R_C1, "1 MiB, copied", "send_ms_1", "pickle_ms_1"},
        {R_C4, "4 MiB, copied", "send_ms_4", "pickle_ms_4"},
        {R_C16, "16 MiB, copied", "send_ms_16", "pickle_ms_16"},
        {R_S16, "16 MiB, shared memory", "shm_ms_16", NULL},
    };
    for (size_t i = 0; i < sizeof C / sizeof C[0]; i++) {
        const run *x = r[C[i].row];
        printf("  %-29s %6.1f ms %13llu", C[i].label, ms[C[i].row],
               (unsigned long long)(x->ps.bytes_encoded + x->ps.bytes_decoded));
        twin_cell(C[i].twin, "ms");
        if (C[i].pickle)
            twin_cell(C[i].pickle, "ms");
        printf("\n");
    }

    printf("\n  starting %d workers, first result %6s %12s\n", WORKERS, "wall",
           "CPython");
    printf("  %-29s %6.1f ms", "fork", ms[R_FORK]);
    twin_cell("start_fork_ms", "ms");
    printf("\n  %-29s %6.1f ms", "spawn (runs the program again)", ms[R_SPAWN]);
    twin_cell("start_spawn_ms", "ms");
    printf("\n\n  main() sets a global to 42, then starts a worker, which reads it:\n");
    printf("    fork: the worker sees %lld   (CPython: %.0f)\n",
           (long long)fork_sees.value, exkit_twin("inherit_fork"));
    printf("    spawn: the worker sees %lld  (CPython: %.0f)\n",
           (long long)spawn_sees.value, exkit_twin("inherit_spawn"));
    printf("\n  A spawn pool whose workers skip the guard: the item failed with %d "
           "(%s);\n  the pool says:\n    %s\n",
           noguard.rc, strerror(-noguard.rc), noguard.err);
    if (exkit_twin_version()[0])
        printf(
            "  CPython (%s), the same script without `if __name__ == \"__main__\":`: "
            "RuntimeError\n  about the bootstrapping phase under spawn: %s, under "
            "forkserver: %s\n",
            exkit_twin_version(),
            exkit_twin("noguard_spawn_runtimeerror") == 1 ? "yes" : "no",
            exkit_twin("noguard_forkserver_runtimeerror") == 1 ? "yes" : "no");
    printf("\n  A worker killed in the middle of 8 items: %lld of them failed at once "
           "(-EPIPE),\n  none waits forever; the pool says:\n    %s\n",
           (long long)crash.value, crash.err);
    if (exkit_twin_version()[0])
        printf("  CPython: ProcessPoolExecutor raised BrokenProcessPool: %s\n",
               exkit_twin("crash_broken") == 1 ? "yes" : "no");
    printf(
        "\n  bar           the speedup drawn: six # per 1x, a | at each whole x not "
        "reached\n"
        "  messages      task messages the pool sent to its workers (chunks_sent)\n"
        "  us/item       wall time per item; CPython's rows: Pool = "
        "multiprocessing.Pool,\n"
        "                PPE = concurrent.futures.ProcessPoolExecutor, (1) = chunksize "
        "1\n"
        "  bytes copied  bytes the parent encoded (the argument) and decoded (the "
        "result)\n"
        "  CPython send  one pool.apply(measure_len, (data,)) on a warm Pool(1): a "
        "round trip\n");
    return 0;
}
