/*
 * objcheck.c - the learner's object files, read before anything is linked.
 *
 * The learner's files are compiled alone (build.c), and each object is
 * read here with libelf (elfutils: a library, well kept and fuzzed, so no
 * text output of a tool to parse, and no process to start).  Refused, with
 * a reason in the learner's terms that names the symbol:
 *
 *   - code that runs before or after main: .init_array, .fini_array,
 *     .preinit_array, .ctors, .dtors, .init, .fini sections (what
 *     __attribute__((constructor)) makes), and ifunc resolvers (run while
 *     the program loads);
 *   - global definitions other than those the exercise declares (its own
 *     headers, or exercise.yaml symbols: define:): a global name of the
 *     learner's would replace a function of the C library, the runtime or
 *     the kit for the whole program (clock_gettime, an internal rt__
 *     function, a module's globals); `static` names are free;
 *   - calls outside an allow-list: the C library's memory, string, number
 *     and allocation functions, the runtime's public API (the names its
 *     public headers declare, less rt_stats_reset), the groups the
 *     exercise's own headers imply (<pthread.h>: pthread_*; <dirent.h>:
 *     opendir...; <sys/socket.h>; <time.h>), and what exercise.yaml adds
 *     (symbols: use:).  No printf, write, exit, atexit, fork, exec, kill,
 *     syscall, dlsym, open... unless the exercise says so;
 *   - inline assembly (the compiler brackets it with #APP in its assembly
 *     output: gr_asm_check), which could make system calls no list sees.
 *
 * What this does not stop: code that runs in the program can still read
 * and write the program's memory with pointer arithmetic (the driver's
 * expected values, the runtime's counters).  Nothing short of a process
 * boundary stops that; the sandbox limits what such code can reach, and
 * the grader's own measurements (wall and CPU time from outside) do not
 * depend on the program's memory.
 */
#include "grader.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The C library's functions every exercise may call: memory, strings,
 * numbers, allocation, errno, assert, ctype, math, formatting into a
 * buffer.  Nothing here does I/O, ends the program or starts anything. */
/* clang-format off */
static const char *const S_libc[] = {
    /* memory and strings */
    "memcpy", "memmove", "memset", "memcmp", "memchr", "memrchr", "memmem", "bcmp",
    "bzero", "explicit_bzero", "strlen", "strnlen", "strcmp", "strncmp", "strcasecmp",
    "strncasecmp", "strcpy", "strncpy", "stpcpy", "stpncpy", "strcat", "strncat",
    "strchr", "strrchr", "strchrnul", "strstr", "strcasestr", "strspn", "strcspn",
    "strpbrk", "strtok_r", "strdup", "strndup", "strcoll", "strerror", "strerror_r",
    "__xpg_strerror_r",
    /* allocation */
    "malloc", "calloc", "realloc", "reallocarray", "free", "aligned_alloc",
    "posix_memalign",
    /* numbers, formatting into a buffer, sorting */
    "strtol", "strtoul", "strtoll", "strtoull", "strtod", "strtof", "strtold",
    "strtoimax", "strtoumax", "atoi", "atol", "atoll", "atof", "sscanf", "snprintf",
    "vsnprintf", "sprintf", "vsprintf", "qsort", "qsort_r", "bsearch", "abs", "labs",
    "llabs", "div", "ldiv", "lldiv", "rand_r",
    /* errno, assert, ctype */
    "__errno_location", "__assert_fail", "abort", "__ctype_b_loc",
    "__ctype_tolower_loc", "__ctype_toupper_loc", "tolower", "toupper", "isalpha",
    "isdigit", "isalnum", "isspace", "isupper", "islower", "isxdigit", "ispunct",
    /* math */
    "sqrt", "sqrtf", "pow", "powf", "exp", "expf", "log", "logf", "log2", "log10",
    "floor", "ceil", "round", "lround", "llround", "trunc", "fabs", "fmin", "fmax",
    "fmod", "sin", "cos", "tan", "atan2", "hypot",
    /* rt_now_ns(), a public inline of rt.h, reads the clock: so may anyone
     * (defining clock_gettime is another matter, refused above all) */
    "clock_gettime",
    /* what the compiler itself may call */
    "__stack_chk_fail", "_GLOBAL_OFFSET_TABLE_", "__tls_get_addr", "__popcountdi2",
    "__divti3", "__udivti3", "__modti3", "__umodti3", "__muldc3", "__mulsc3",
    "__divdc3", NULL};
/* clang-format on */

static const char *const S_pthread[] = {"sched_yield", NULL};
static const char *const S_socket[] = {
    "socket",  "socketpair", "bind",       "listen",     "accept",      "accept4",
    "connect", "send",       "recv",       "sendto",     "recvfrom",    "sendmsg",
    "recvmsg", "shutdown",   "setsockopt", "getsockopt", "getsockname", "getpeername",
    "close",   "poll",       "fcntl",      NULL};
static const char *const S_dir[] = {"opendir",   "fdopendir", "readdir", "closedir",
                                    "rewinddir", "dirfd",     NULL};
static const char *const S_time[] = {"clock_gettime", "clock_getres",    "time",
                                     "nanosleep",     "clock_nanosleep", NULL};

/* Groups an author names in symbols: use:, and the standard header that
 * implies each one when the exercise's own header includes it. */
static const struct {
    const char *name, *header, *prefix;
    const char *const *names;
} S_groups[] = {
    {"pthread", "pthread.h", "pthread_", S_pthread},
    {"socket", "sys/socket.h", NULL, S_socket},
    {"dir", "dirent.h", NULL, S_dir},
    {"time", "time.h", NULL, S_time},
    {"semaphore", "semaphore.h", "sem_", NULL},
};

/* Why a call is refused, for the names a cheat reaches for first. */
static const struct {
    const char *why;
    const char *const names[16];
} S_why[] = {
    {"writes to the program's output (it belongs to the kit: its failure "
     "messages and the measure line)",
     {"printf", "puts", "fputs", "fprintf", "putchar", "fputc", "putc", "fwrite",
      "write", "vprintf", "vfprintf", "dprintf", "perror", "__printf_chk",
      "__fprintf_chk", NULL}},
    {"ends the program or runs code at its end: the kit decides how the program "
     "ends",
     {"exit", "_exit", "_Exit", "quick_exit", "atexit", "at_quick_exit", "on_exit",
      "__cxa_atexit", "longjmp", "siglongjmp", NULL}},
    {"starts processes or programs",
     {"fork", "vfork", "clone", "execve", "execv", "execvp", "execl", "execlp",
      "system", "popen", "posix_spawn", "posix_spawnp", "daemon", NULL}},
    {"sends or catches signals",
     {"kill", "raise", "signal", "sigaction", "tgkill", "tkill", "killpg",
      "pthread_kill", NULL}},
    {"makes raw system calls or finds functions at run time",
     {"syscall", "dlsym", "dlopen", "dlvsym", "__libc_dlsym", NULL}},
    {"opens or reads files",
     {"open", "openat", "fopen", "freopen", "creat", "read", "pread", "fread", "fgets",
      "getline", "stat", NULL}},
    {"uses the network",
     {"socket", "socketpair", "connect", "bind", "listen", "accept", "accept4",
      "sendto", "recvfrom", "sendmsg", "recvmsg", "getaddrinfo", NULL}},
    {"changes memory mappings or protections",
     {"mmap", "mprotect", "munmap", "mremap", NULL}},
    {"resets the runtime's counters, which the grader reads as evidence (the "
     "driver does that)",
     {"rt_stats_reset", NULL}},
};

static int S_in(const char *const *list, const char *name)
{
    for (int i = 0; list && list[i]; i++)
        if (!strcmp(list[i], name))
            return 1;
    return 0;
}

static int S_strv_has(const gr_strv *v, const char *name)
{
    for (size_t i = 0; i < v->n; i++)
        if (!strcmp(v->v[i], name))
            return 1;
    return 0;
}

static void S_group_add(gr_objcheck_rules *r, int g)
{
    if (S_strv_has(&r->groups, S_groups[g].name))
        return; /* implied by a header and named in symbols: use: too */
    for (int i = 0; S_groups[g].names && S_groups[g].names[i]; i++)
        gr_strv_push(&r->use, S_groups[g].names[i]);
    if (S_groups[g].prefix)
        gr_strv_push(&r->prefixes, S_groups[g].prefix);
    gr_strv_push(&r->groups, S_groups[g].name);
}

int gr_objcheck_rules_make(const gr_exercise *ex, const gr_strv *public_headers,
                           const gr_strv *exercise_headers, gr_objcheck_rules *r)
{
    memset(r, 0, sizeof *r);
    gr_strv includes = {0};
    for (size_t i = 0; i < public_headers->n; i++)
        if (gr_header_names(public_headers->v[i], &r->api, NULL) < 0)
            return -errno;
    for (size_t i = 0; i < exercise_headers->n; i++) {
        gr_strv names = {0};
        gr_header_names(exercise_headers->v[i], &names, &includes);
        for (size_t k = 0; !ex->sym_define_given && k < names.n; k++)
            gr_strv_push(&r->define, names.v[k]);
        gr_strv_free(&names);
    }
    for (size_t k = 0; k < ex->sym_define.n; k++)
        gr_strv_push(&r->define, ex->sym_define.v[k]);
    for (size_t g = 0; g < sizeof S_groups / sizeof *S_groups; g++)
        if (S_strv_has(&includes, S_groups[g].header))
            S_group_add(r, (int)g);
    for (size_t k = 0; k < ex->sym_use.n; k++) {
        int group = 0;
        for (size_t g = 0; g < sizeof S_groups / sizeof *S_groups; g++)
            if (!strcmp(ex->sym_use.v[k], S_groups[g].name)) {
                S_group_add(r, (int)g);
                group = 1;
            }
        if (!group) {
            gr_strv_push(&r->use, ex->sym_use.v[k]);
            gr_strv_push(&r->named, ex->sym_use.v[k]);
        }
    }
    gr_strv_free(&includes);
    return 0;
}

void gr_objcheck_rules_free(gr_objcheck_rules *r)
{
    gr_strv_free(&r->define);
    gr_strv_free(&r->use);
    gr_strv_free(&r->prefixes);
    gr_strv_free(&r->groups);
    gr_strv_free(&r->named);
    gr_strv_free(&r->api);
    memset(r, 0, sizeof *r);
}

/* "__snprintf_chk" and "__isoc99_sscanf" are the functions they wrap. */
static const char *S_base(const char *name, char *buf, size_t len)
{
    size_t n = strlen(name);
    if (!strncmp(name, "__", 2) && n > 6 && !strcmp(name + n - 4, "_chk")) {
        snprintf(buf, len, "%.*s", (int)(n - 6), name + 2);
        return buf;
    }
    if (!strncmp(name, "__isoc99_", 9) || !strncmp(name, "__isoc23_", 9))
        return name + 9;
    return name;
}

static int S_may_call(const gr_objcheck_rules *r, const char *name, int sanitized)
{
    char buf[256];
    const char *b = S_base(name, buf, sizeof buf);
    for (size_t i = 0; i < sizeof S_why / sizeof *S_why; i++)
        if (S_in(S_why[i].names, b) && !S_strv_has(&r->use, b))
            return 0;
    if (S_in(S_libc, b) || S_strv_has(&r->use, b) || S_strv_has(&r->api, b))
        return 1;
    for (size_t i = 0; i < r->prefixes.n; i++)
        if (!strncmp(b, r->prefixes.v[i], strlen(r->prefixes.v[i])))
            return 1;
    static const char *const san[] = {"__asan_",      "__ubsan_", "__tsan_",
                                      "__sanitizer_", "__lsan_",  NULL};
    for (int i = 0; sanitized && san[i]; i++)
        if (!strncmp(name, san[i], strlen(san[i])))
            return 1;
    return 0;
}

/* "ex03_job_run, ex03_run_threads and ex03_count_os_threads" (caller frees). */
static char *S_list(const gr_strv *v, const char *none)
{
    if (!v->n)
        return gr_xstrdup(none);
    char *s = gr_xstrdup("");
    for (size_t i = 0; i < v->n; i++) {
        char *t = gr_fmt("%s%s%s", s,
                         i == 0          ? ""
                         : i + 1 == v->n ? " and "
                                         : ", ",
                         v->v[i]);
        free(s);
        s = t;
    }
    return s;
}

/* "threads.c calls kill, which sends or catches signals"; sets *known if
 * the name is one a cheat reaches for (listed first). */
static char *S_refuse_call(const char *shown, const char *name, int *known)
{
    char buf[256];
    const char *b = S_base(name, buf, sizeof buf);
    const char *why = NULL;
    for (size_t i = 0; i < sizeof S_why / sizeof *S_why && !why; i++)
        if (S_in(S_why[i].names, b))
            why = S_why[i].why;
    *known = why != NULL;
    if (!why && !strncmp(b, "rt_", 3))
        why = "is not part of the runtime's public API (only what its public "
              "headers declare)";
    if (!why && !strncmp(b, "exkit_", 6))
        why = "belongs to the exercise kit, which is the driver's";
    if (!why)
        why = "is not among the functions this exercise lets a solution call";
    /* gcc turns printf("...\n") into puts: say so, the learner wrote printf. */
    const char *hint = !strcmp(b, "puts") || !strcmp(b, "putchar") ||
                               !strcmp(b, "fwrite") || !strcmp(b, "fputs")
                           ? " (perhaps a printf the compiler turned into it)"
                           : "";
    return gr_fmt("%s calls %s%s, which %s", shown, b, hint, why);
}

char *gr_objcheck_allowed(const gr_objcheck_rules *r, const gr_exercise *ex)
{
    char *groups = S_list(&r->groups, "none");
    char *extra = S_list(&r->named, "no other function");
    char *s = gr_fmt("exercise %s lets a solution call the C library's memory, string "
                     "and number functions, the runtime's public API, the groups %s "
                     "(exercises/README.md lists them), and %s; an author can allow "
                     "more in exercise.yaml, symbols: use:",
                     ex->id, groups, extra);
    free(groups);
    free(extra);
    return s;
}

static char *S_refuse_define(const gr_objcheck_rules *r, const char *shown,
                             const char *name)
{
    char *allowed = S_list(&r->define, "none");
    char *s;
    if (dlsym(RTLD_DEFAULT, name))
        s = gr_fmt("%s defines %s, a function of the C library: your definition would "
                   "replace it for the whole program (the driver, the kit and the "
                   "runtime included); give yours another name and make it static",
                   shown, name);
    else if (!strncmp(name, "rt_", 3) || !strncmp(name, "exkit_", 6) ||
             !strcmp(name, "main"))
        s = gr_fmt("%s defines %s, a name of the %s: a definition of yours would "
                   "replace theirs for the whole program",
                   shown, name, strncmp(name, "rt_", 3) ? "exercise kit" : "runtime");
    else if (r->define.n)
        s = gr_fmt("%s defines %s outside static: only %s may be global (the "
                   "exercise's header declares them); make %s static",
                   shown, name, allowed, name);
    else
        s = gr_fmt("%s defines %s outside static: the exercise declares no global "
                   "name of yours; make %s static",
                   shown, name, name);
    free(allowed);
    return s;
}

/* Sections whose contents run before main or after it. */
static int S_startup_section(const char *n)
{
    static const char *const pre[] = {".init_array", ".fini_array", ".preinit_array",
                                      ".ctors",      ".dtors",      NULL};
    for (int i = 0; pre[i]; i++) {
        size_t k = strlen(pre[i]);
        if (!strncmp(n, pre[i], k) && (n[k] == '\0' || n[k] == '.'))
            return 1;
    }
    return !strcmp(n, ".init") || !strcmp(n, ".fini");
}

int gr_objcheck(const char *obj, const char *shown, int sanitized,
                const gr_objcheck_rules *r, gr_strv *serious, gr_strv *plain)
{
    elf_version(EV_CURRENT);
    int fd = open(obj, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    Elf *e = elf_begin(fd, ELF_C_READ, NULL);
    GElf_Ehdr eh;
    size_t shstr, before = serious->n + plain->n;
    int symtabs = 0;
    if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh) ||
        eh.e_type != ET_REL || elf_getshdrstrndx(e, &shstr) != 0) {
        char *m = gr_fmt("%s: the compiler's output is not an object file the grader "
                         "can read",
                         shown);
        gr_strv_push(serious, m);
        free(m);
        goto done;
    }
    for (Elf_Scn *scn = elf_nextscn(e, NULL); scn; scn = elf_nextscn(e, scn)) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh))
            continue;
        const char *name = elf_strptr(e, shstr, sh.sh_name);
        name = name ? name : "";
        int startup = sh.sh_type == SHT_INIT_ARRAY || sh.sh_type == SHT_FINI_ARRAY ||
                      sh.sh_type == SHT_PREINIT_ARRAY || S_startup_section(name);
        char *m = NULL;
        /* ASan and TSan add a constructor of their own; the same source
         * compiled without them has been checked for ours. */
        if (startup && !sanitized)
            m = gr_fmt("%s has code that runs before main or after it (a %s "
                       "section: __attribute__((constructor)) or destructor): the "
                       "program starts and ends in the kit's main",
                       shown, name);
        else if (!strcmp(name, ".note.GNU-stack") && (sh.sh_flags & SHF_EXECINSTR))
            m = gr_fmt("%s needs an executable stack (a nested function?): write it "
                       "as an ordinary static function",
                       shown);
        if (m) {
            gr_strv_push(serious, m);
            free(m);
        }
        if (sh.sh_type != SHT_SYMTAB)
            continue;
        symtabs++;
        Elf_Data *d = elf_getdata(scn, NULL);
        size_t n = d && sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
        for (size_t i = 1; i < n; i++) {
            GElf_Sym sym;
            if (!gelf_getsym(d, (int)i, &sym))
                continue;
            const char *sn = elf_strptr(e, sh.sh_link, sym.st_name);
            int bind = GELF_ST_BIND(sym.st_info), type = GELF_ST_TYPE(sym.st_info);
            if (!sn || !*sn || type == STT_SECTION || type == STT_FILE)
                continue;
            int known = 1;
            if (type == STT_GNU_IFUNC)
                m = gr_fmt("%s: %s is an ifunc, whose resolver runs while the program "
                           "loads, before main",
                           shown, sn);
            else if (sym.st_shndx == SHN_UNDEF && !S_may_call(r, sn, sanitized))
                m = S_refuse_call(shown, sn, &known);
            else if (sym.st_shndx != SHN_UNDEF && bind != STB_LOCAL &&
                     !S_strv_has(&r->define, sn) &&
                     !(sanitized &&
                       (!strncmp(sn, "__odr_asan", 10) || !strncmp(sn, "__asan", 6))))
                m = S_refuse_define(r, shown, sn);
            if (m) {
                gr_strv_push(known ? serious : plain, m);
                free(m);
                m = NULL;
            }
        }
    }
    if (symtabs == 0) {
        char *m = gr_fmt("%s: the object file has no symbol table", shown);
        gr_strv_push(serious, m);
        free(m);
    }
done:
    if (e)
        elf_end(e);
    close(fd);
    return (int)(serious->n + plain->n - before);
}

int gr_asm_check(const char *s_file, const char *shown, gr_strv *problems)
{
    char *text = gr_read_file(s_file, NULL);
    if (!text)
        return -errno;
    /* gcc and clang bracket every asm statement with #APP ... #NO_APP. */
    int found = !strncmp(text, "#APP", 4) || strstr(text, "\n#APP") != NULL;
    free(text);
    if (found) {
        char *m = gr_fmt("%s contains inline assembly (asm): the exercise is in C, and "
                         "assembly can make system calls no check sees",
                         shown);
        gr_strv_push(problems, m);
        free(m);
    }
    return found;
}
