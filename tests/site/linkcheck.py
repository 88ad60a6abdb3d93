#!/usr/bin/env python3
"""linkcheck.py SITE_DIR - every internal link and anchor of the site resolves.

For each .html page under SITE_DIR, prints one TAP line: "ok N - page" when
  - every relative href/src names a file that exists in the site,
  - every #fragment (on this page or another) names an id that exists there,
  - no id is used twice on a page,
  - nothing is loaded from another host (src= or <link href=> with a scheme):
    the book must work offline; plain <a href="https://..."> links are fine,
    since they are only followed when the reader clicks.
Exits 1 if any page fails.  Standard library only.
"""
import os
import sys
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.dup_ids = set(), set()
        self.links = []  # (tag, attribute, url)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" and value is not None:
                if value in self.ids:
                    self.dup_ids.add(value)
                self.ids.add(value)
            if name in ("href", "src", "xlink:href") and value is not None:
                self.links.append((tag, name, value))

    handle_startendtag = handle_starttag


def parse(path, cache={}):
    if path not in cache:
        p = Page()
        with open(path, encoding="utf-8") as f:
            p.feed(f.read())
        cache[path] = p
    return cache[path]


def check_page(site, rel):
    path = os.path.join(site, rel)
    page = parse(path)
    problems = ["duplicate id %r" % i for i in sorted(page.dup_ids)]
    for tag, attr, url in page.links:
        parts = urlsplit(url)
        if parts.scheme or url.startswith("//"):
            if parts.scheme in ("http", "https", "ftp") or url.startswith("//"):
                if tag != "a":
                    problems.append("<%s %s=%s> loads from another host" % (tag, attr, url))
            elif parts.scheme not in ("mailto", "data"):
                problems.append("unexpected scheme in %s" % url)
            continue
        target = path
        if parts.path:
            target = os.path.normpath(os.path.join(os.path.dirname(path), unquote(parts.path)))
            if not os.path.abspath(target).startswith(os.path.abspath(site) + os.sep):
                problems.append("%s leaves the site" % url)
                continue
            if not os.path.isfile(target):
                problems.append("%s: no such file" % url)
                continue
        if parts.fragment:
            if not target.endswith(".html"):
                problems.append("%s: fragment on a non-page" % url)
            elif unquote(parts.fragment) not in parse(target).ids:
                problems.append("%s: no such anchor" % url)
    return problems


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    site = sys.argv[1]
    pages = sorted(
        os.path.relpath(os.path.join(d, f), site)
        for d, _, files in os.walk(site)
        for f in files
        if f.endswith(".html")
    )
    if not pages:
        print("not ok 1 - no pages in %s" % site)
        return 1
    failed = 0
    for n, rel in enumerate(pages, 1):
        problems = check_page(site, rel)
        if problems:
            failed += 1
            print("not ok %d - links of %s" % (n, rel))
            for p in problems[:20]:
                print("#   " + p)
        else:
            print("ok %d - links of %s" % (n, rel))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
