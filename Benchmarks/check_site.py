#!/usr/bin/env python3
"""Checks a built site: every internal link resolves, every page is reachable from the home page.

    python3 Benchmarks/check_site.py public --base /mirror/

Internal links are hrefs and srcs starting with the base path; they are percent-decoded and
resolved to files (a folder to its index.html). Pages are the index.html files; feeds, the
sitemap, robots.txt and 404.html are not expected to be linked from pages.
"""
import argparse
import os
import sys
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("root")
    ap.add_argument("--base", default="/")
    args = ap.parse_args()
    root = os.path.abspath(args.root)
    base = args.base

    def target(link):
        path = unquote(urlsplit(link).path)
        if not path.startswith(base):
            return None
        rel = path[len(base):]
        full = os.path.normpath(os.path.join(root, rel))
        if not (full == root or full.startswith(root + os.sep)):
            return "OUTSIDE"
        if os.path.isdir(full):
            full = os.path.join(full, "index.html")
        return full

    pages = set()
    for folder, _, files in os.walk(root):
        for name in files:
            if name == "index.html":
                pages.add(os.path.join(folder, name))
    links_of = {}
    broken = []
    for page in sorted(pages | {os.path.join(root, "404.html")}):
        if not os.path.exists(page):
            continue
        parser = Links()
        with open(page, encoding="utf-8") as f:
            parser.feed(f.read())
        targets = []
        for link in parser.links:
            if link.startswith(("http://", "https://", "mailto:", "#", "//")):
                continue
            t = target(link)
            if t is None or t == "OUTSIDE" or not os.path.exists(t):
                broken.append((page, link))
            else:
                targets.append(t)
        links_of[page] = targets
    seen = set()
    todo = [os.path.join(root, "index.html")]
    while todo:
        page = todo.pop()
        if page in seen:
            continue
        seen.add(page)
        todo.extend(t for t in links_of.get(page, []) if t.endswith(".html"))
    unreachable = sorted(pages - seen)
    print(f"{len(pages)} pages, {sum(len(v) for v in links_of.values())} internal links, "
          f"{len(broken)} broken, {len(unreachable)} unreachable")
    for page, link in broken[:20]:
        print(f"broken: {os.path.relpath(page, root)} -> {link}")
    for page in unreachable[:20]:
        print(f"unreachable: {os.path.relpath(page, root)}")
    sys.exit(1 if broken or unreachable else 0)


if __name__ == "__main__":
    main()
