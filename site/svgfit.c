/* svgfit.c - how wide an SVG figure must stay for its labels to be read.
 *
 * A figure scaled down to a phone's width shrinks its text with it: a
 * 760-unit-wide timeline with 11-unit labels, squeezed into 360 pixels,
 * prints them 5 pixels tall.  The page instead gives each SVG a minimum
 * width at which its smallest text is 12 px, and lets the figure scroll
 * sideways below that (theme/book.css shows that it scrolls).
 *
 * This is a scan of the SVG's text, not an XML parser: it reads the root
 * element's viewBox (or width) and every font-size, as an attribute
 * (font-size="11.00") or in a style rule (font-size:11px).  Both producers
 * of the book's figures, graphviz and the runtime's trace writer, write
 * sizes that way.  Units are taken as user units; "pt" from graphviz is
 * its user unit too.
 */
#include "parts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MIN_LABEL_PX = 12 };

/* The number after `key` in the root <svg ...> tag of svg, or 0. */
static double S_root_number(const char *svg, const char *key, int nth)
{
    const char *root = strstr(svg, "<svg");
    if (!root)
        return 0;
    const char *end = strchr(root, '>');
    const char *at = strstr(root, key);
    if (!at || (end && at > end))
        return 0;
    const char *p = at + strlen(key);
    double v = 0;
    for (int i = 0; i <= nth; i++) {
        char *next;
        v = strtod(p, &next);
        if (next == p)
            return 0;
        p = next;
        while (*p == ' ' || *p == ',')
            p++;
    }
    return v;
}

/* See parts.h.  Pure: reads svg only. */
double svgfit_min_width(const char *svg)
{
    double width = S_root_number(svg, "viewBox=\"", 2);
    if (width <= 0)
        width = S_root_number(svg, "width=\"", 0);
    if (width <= 0)
        return 0;
    double smallest = 0;
    static const char *const keys[] = {"font-size=\"", "font-size:"};
    for (int k = 0; k < 2; k++) {
        for (const char *p = strstr(svg, keys[k]); p; p = strstr(p + 1, keys[k])) {
            const char *v = p + strlen(keys[k]);
            while (*v == ' ')
                v++;
            double size = strtod(v, NULL);
            if (size > 0 && (smallest == 0 || size < smallest))
                smallest = size;
        }
    }
    if (smallest == 0 && strstr(svg, "<text"))
        smallest = 16; /* SVG's default font size */
    return smallest > 0 ? width * MIN_LABEL_PX / smallest : 0;
}

/* See parts.h. */
void svgfit_style(const char *svg, sb *out)
{
    double w = svgfit_min_width(svg);
    if (w > 0)
        sb_printf(out, " style=\"min-width:%.0fpx\"", w + 0.5);
}
