/* dot.c - graphviz diagrams rendered to inline SVG at build time.
 *
 * A ```dot fence holds a graphviz graph.  We lay it out with libgvc and
 * paste the SVG into the page, so the reader's browser needs neither
 * graphviz nor the network.  The graphviz context is made on first use:
 * loading its plugins costs a few milliseconds that a book without diagrams
 * should not pay.
 *
 * Limits: graphviz reports errors through a global callback, so this module
 * is not thread-safe (the generator is single-threaded).  The layout
 * engine is dot unless the graph says otherwise (layout=neato).  Colours
 * are fixed in the SVG; the theme's CSS maps black strokes and white fills
 * to the page's colours so diagrams follow dark mode.
 */
#include "parts.h"

#include <graphviz/gvc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static GVC_t *S_gvc;
static sb S_errors; /* what graphviz said during the current call */

static int S_collect(char *msg)
{
    sb_puts(&S_errors, msg);
    return 0;
}

/* graphviz says "syntax error in line 3 near 'x'"; returns 3, or 0. */
static int S_err_line(const char *msg)
{
    const char *p = strstr(msg, "line ");
    return p ? atoi(p + 5) : 0;
}

/* Copies the <svg> element of svg to out: drops the XML prolog, DOCTYPE
 * and comments, prefixes every id so two diagrams on one page (or the
 * print page, which holds them all) keep unique ids, and gives the diagram
 * the smallest width at which its labels stay readable (svgfit.c). */
static void S_paste_svg(const char *svg, const char *idprefix, sb *out)
{
    const char *s = strstr(svg, "<svg");
    if (!s)
        return;
    sb_puts(out, "<svg");
    svgfit_style(s, out);
    s += 4;
    while (*s) {
        if (strncmp(s, "<!--", 4) == 0) {
            const char *end = strstr(s, "-->");
            s = end ? end + 3 : s + strlen(s);
            while (*s == '\n')
                s++;
        } else if (strncmp(s, " id=\"", 5) == 0) {
            sb_printf(out, " id=\"%s-", idprefix);
            s += 5;
        } else {
            sb_putn(out, s, 1);
            s++;
        }
    }
}

int dot_render(const char *src, int first_line, const char *idprefix, sb *out,
               site_err *e)
{
    if (!S_gvc) {
        S_gvc = gvContext();
        if (!S_gvc)
            return site_errf(e, first_line, "dot: cannot start graphviz");
    }
    sb_free(&S_errors);
    agseterr(AGERR);
    agseterrf(S_collect);
    Agraph_t *g = agmemread(src);
    if (!g) {
        int l = S_err_line(sb_str(&S_errors));
        char *msg =
            course_xstrdup(S_errors.len ? sb_str(&S_errors) : "cannot parse the graph");
        msg[strcspn(msg, "\n")] = '\0';
        site_errf(e, first_line + (l > 0 ? l - 1 : 0), "dot: %s", msg);
        free(msg);
        agseterrf(NULL);
        return -1;
    }
    int rc = 0;
    const char *engine = agget(g, "layout");
    if (gvLayout(S_gvc, g, engine && *engine ? engine : "dot") != 0) {
        rc = site_errf(e, first_line, "dot: layout failed: %s", sb_str(&S_errors));
    } else {
        char *data = NULL;
        unsigned int n = 0;
        if (gvRenderData(S_gvc, g, "svg", &data, &n) != 0 || !data) {
            rc = site_errf(e, first_line, "dot: cannot render SVG");
        } else {
            S_paste_svg(data, idprefix, out);
            gvFreeRenderData(data);
        }
        gvFreeLayout(S_gvc, g);
    }
    agclose(g);
    agseterrf(NULL);
    return rc;
}

void dot_shutdown(void)
{
    if (S_gvc)
        gvFreeContext(S_gvc);
    S_gvc = NULL;
    sb_free(&S_errors);
}
