/*
 * test_trace.c - the trace and its two exports: Chrome Trace Event JSON
 * (parsed back with jansson) and the SVG timeline (parsed with expat).
 */
#include "rt_test_util.h"

#include <expat.h>
#include <jansson.h>
#include <stdlib.h>

static void spin_worker(void *p)
{
    rt_bytecodes(*(uint64_t *)p);
}

/* Two CPU-bound threads under a 1 ms interval, traced. */
static void traced_run(void)
{
    tu_init(RT_GIL_CPYTHON, 1000, 1 << 16);
    uint64_t n = (uint64_t)(rt_bytecodes_per_ms() * 15);
    rt_thread *a = rt_thread_start_named("cpu-a", spin_worker, &n);
    rt_thread *b = rt_thread_start_named("cpu-b", spin_worker, &n);
    CHECK(a && b);
    CHECK(rt_thread_join(a) == 0 && rt_thread_join(b) == 0);
    rt_trace_mark("done");
}

CASE(events_are_recorded_in_order)
{
    traced_run();
    size_t n, dropped;
    const rt_event *ev = rt_trace_events(&n, &dropped);
    CHECK(n > 10 && dropped == 0);
    int takes[3] = {0};
    for (size_t i = 1; i < n; i++)
        CHECK(ev[i].t_ns >= ev[i - 1].t_ns || ev[i].tid != ev[i - 1].tid);
    for (size_t i = 0; i < n; i++)
        if (ev[i].kind == RT_EV_GIL_TAKE && ev[i].tid < 3)
            takes[ev[i].tid]++;
    CHECK(takes[1] >= 2 && takes[2] >= 2);
    CHECK(ev[n - 1].kind == RT_EV_MARK && strcmp(ev[n - 1].label, "done") == 0);
    CHECK(strcmp(rt_trace_thread_name(1), "cpu-a") == 0);
    rt_fini();
}

CASE(full_buffer_counts_dropped_events)
{
    tu_init(RT_GIL_CPYTHON, 0, 8);
    for (int i = 0; i < 20; i++)
        rt_trace_mark("m");
    size_t n, dropped;
    rt_trace_events(&n, &dropped);
    CHECK(n == 8);
    CHECK(dropped >= 12);
    rt_fini();
}

CASE(chrome_json_parses_with_spans_per_thread)
{
    traced_run();
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CHECK(rt_trace_write_chrome(f) == 0);
    fclose(f);
    json_error_t err;
    json_t *root = json_loads(buf, 0, &err);
    CHECKF(root != NULL, "line %d: %s", err.line, err.text);
    json_t *events = json_object_get(root, "traceEvents");
    CHECK(json_is_array(events));
    int holds[3] = {0}, named = 0;
    size_t i;
    json_t *e;
    json_array_foreach(events, i, e)
    {
        const char *ph = json_string_value(json_object_get(e, "ph"));
        const char *name = json_string_value(json_object_get(e, "name"));
        int tid = (int)json_integer_value(json_object_get(e, "tid"));
        CHECK(ph && name && json_is_number(json_object_get(e, "pid")));
        if (strcmp(ph, "M") == 0)
            named++;
        if (strcmp(ph, "X") == 0) {
            CHECK(json_number_value(json_object_get(e, "dur")) >= 0);
            CHECK(json_number_value(json_object_get(e, "ts")) >= 0);
            if (strcmp(name, "holds GIL") == 0 && tid < 3)
                holds[tid]++;
        }
    }
    CHECK(named == 3);
    CHECK(holds[1] >= 2 && holds[2] >= 2);
    json_decref(root);
    free(buf);
    rt_fini();
}

typedef struct {
    int rects, texts, depth, root_is_svg;
} svg_count;

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
    svg_count *c = ud;
    (void)attrs;
    if (c->depth++ == 0)
        c->root_is_svg = strcmp(name, "svg") == 0;
    if (strcmp(name, "rect") == 0)
        c->rects++;
    if (strcmp(name, "text") == 0)
        c->texts++;
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    (void)name;
    ((svg_count *)ud)->depth--;
}

CASE(svg_timeline_is_well_formed)
{
    traced_run();
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CHECK(rt_trace_write_svg(f, 720, 0, 0) == 0);
    fclose(f);
    XML_Parser p = XML_ParserCreate(NULL);
    svg_count c = {0};
    XML_SetUserData(p, &c);
    XML_SetElementHandler(p, on_start, on_end);
    int ok = XML_Parse(p, buf, (int)len, 1) == XML_STATUS_OK;
    CHECKF(ok, "line %lu: %s", (unsigned long)XML_GetCurrentLineNumber(p),
           XML_ErrorString(XML_GetErrorCode(p)));
    XML_ParserFree(p);
    CHECK(c.root_is_svg && c.depth == 0);
    CHECK(c.rects >= 3 + 4); /* lanes + spans */
    CHECK(c.texts >= 3);
    CHECK(strstr(buf, "cpu-a") && strstr(buf, "cpu-b"));
    CHECK(len < 200000); /* small enough to embed in a page */
    free(buf);
    rt_fini();
}

int main(int argc, char **argv)
{
    return check_main(
        argc, argv,
        CASES(events_are_recorded_in_order, full_buffer_counts_dropped_events,
              chrome_json_parses_with_spans_per_thread, svg_timeline_is_well_formed));
}
