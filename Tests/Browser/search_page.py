#!/usr/bin/python3
"""The search page in a real browser: builds the sample site, serves it with a static file
server, and drives headless Chromium with Selenium: queries typed into the header's search box
and into the search page's own form, filters, pages, and the results shown.

    /usr/bin/python3 Tests/Browser/search_page.py [--binary .build/debug/bulletin]

Needs Debian's chromium, chromium-driver and python3-selenium (.ci/run installs them). Exits
non-zero on the first failed check, printing what the page showed.
"""
import argparse
import functools
import re
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def build(binary, output):
    subprocess.run([binary, "build", "--quiet", "--source", ROOT, "--output", output, "--manifest", output + ".manifest"], check=True)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(folder):
    handler = functools.partial(QuietHandler, directory=folder)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def browser():
    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=ko"):
        options.add_argument(flag)
    return webdriver.Chrome(options=options)


class Page:
    def __init__(self, driver, base):
        self.driver = driver
        self.base = base

    def wait_for_results(self):
        """Waits until the script has written its status line and the rows it announces, and
        gives the status."""
        status = WebDriverWait(self.driver, 20).until(lambda d: d.find_element(By.ID, "search-status").text.strip() or None)
        found = re.search(r"(\d+)개", status)
        if found:
            shown = min(20, int(found.group(1)))
            WebDriverWait(self.driver, 20).until(lambda d: len(self.rows()) == shown)
        return status

    def settled(self):
        """The rows once the same rows were read twice in a row a moment apart (the script may
        still be filling them in)."""
        last = None
        for _ in range(50):
            rows = self.rows()
            if rows == last:
                return rows
            last = rows
            time.sleep(0.1)
        return last

    def rows(self):
        """(title, href, snippet, marked) of each result row shown."""
        out = []
        for row in self.driver.find_elements(By.CSS_SELECTOR, "#search-results tr.row"):
            link = row.find_element(By.CSS_SELECTOR, "a.row-link")
            snippets = row.find_elements(By.CSS_SELECTOR, ".search-snippet")
            marks = row.find_elements(By.CSS_SELECTOR, ".search-snippet mark")
            out.append((link.text, link.get_attribute("href"), snippets[0].text if snippets else "", [m.text for m in marks]))
        return out

    def search_form(self, query, board=None):
        """Types `query` into the search page's own box (and picks `board`), then submits."""
        box = self.driver.find_element(By.ID, "search-q")
        box.clear()
        box.send_keys(query)
        if board is not None:
            Select(self.driver.find_element(By.NAME, "board")).select_by_value(board)
        box.send_keys(Keys.ENTER)
        WebDriverWait(self.driver, 20).until(lambda d: "q=" + urllib.parse.quote_plus(query) in d.current_url or "q=" + urllib.parse.quote(query) in d.current_url)
        return self.wait_for_results()


def check(condition, what, page):
    if not condition:
        print(f"FAILED: {what}\n  url: {page.driver.current_url}\n  status: {page.driver.find_element(By.ID, 'search-status').text!r}")
        for row in page.rows():
            print("  row:", row)
        sys.exit(1)
    print(f"ok: {what}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "debug", "bulletin"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as work:
        site = os.path.join(work, "public")
        build(args.binary, site)
        server = serve(site)
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        driver = browser()
        try:
            page = Page(driver, base)
            # From the home page's header: the query goes to /search/ in the URL.
            driver.get(base)
            box = driver.find_element(By.ID, "site-search-q")
            box.send_keys("컨테이너에서")
            box.send_keys(Keys.ENTER)
            page.wait_for_results()
            query = urllib.parse.parse_qs(urllib.parse.urlparse(driver.current_url).query)
            check(driver.current_url.startswith(base + "search/") and query.get("q") == ["컨테이너에서"], "the header's box leads to /search/?q=…", page)
            rows = page.settled()
            check(len(rows) == 1 and rows[0][0] == "Docker 컨테이너 안에서 한글 깨짐" and rows[0][1] == base + "dev/812327/",
                  "a word with a particle attached finds the post that has the word with another", page)

            # The search page's own form: an English word, by relevance (the title match first), marked.
            page.search_form("python")
            rows = page.settled()
            check(len(rows) == 5 and rows[0][0].startswith("Python 리스트 컴프리헨션"), "an English word, title matches first", page)
            check(all(any(m.lower() == "python" for m in marks) for _, _, _, marks in rows if marks) and any(marks for *_, marks in rows),
                  "the match is marked in the snippets", page)

            page.search_form("swif")
            check(len(page.settled()) == 6, "an English prefix finds the words it begins", page)

            page.search_form("빵순이")
            rows = page.settled()
            check(rows and rows[0][1] == base + "free/812319/" and rows[0][0].startswith("동네 빵집 40년 이야기"), "a nickname finds its post", page)

            # A board filter.
            page.search_form("게임", board="game")
            rows = page.settled()
            check(len(rows) == 18 and all("/game/" in href for _, href, _, _ in rows), "the board filter keeps that board's posts", page)
            check("board=game" in driver.current_url, "the filter is in the URL", page)
            Select(driver.find_element(By.NAME, "board")).select_by_value("")

            # Many results: 20 a page, and the second page from the pager.
            page.search_form("익명")
            first = page.settled()
            check(len(first) == 20 and "52" in driver.find_element(By.ID, "search-status").text, "52 results, 20 on the first page", page)
            driver.find_element(By.CSS_SELECTOR, "#search-pager a[href*='page=2']").click()
            WebDriverWait(driver, 20).until(lambda d: "page=2" in d.current_url)
            WebDriverWait(driver, 20).until(lambda d: page.rows() and page.rows()[0] != first[0])
            second = page.settled()
            check(len(second) == 20 and not set(r[1] for r in second) & set(r[1] for r in first), "the second page shows the next 20", page)

            # A date range, from the URL (a linked result list).
            driver.get(base + "search/?q=" + urllib.parse.quote("게시") + "&from=2024-06-18&to=2024-06-20")
            page.wait_for_results()
            check(len(page.settled()) == 3, "a date range keeps the posts of those days", page)
            check(driver.find_element(By.NAME, "from").get_attribute("value") == "2024-06-18", "the form shows the range of the URL", page)

            # Nothing found, and nothing to look for.
            page.search_form("우주선함대")
            check(page.settled() == [] and "없" in driver.find_element(By.ID, "search-status").text + driver.find_element(By.ID, "search-results").text,
                  "a query without hits says so", page)
            page.search_form("🎉 !!!")
            check(page.settled() == [], "a query of emoji and punctuation finds nothing", page)

            # Board content is text: no result row carries markup from a post.
            driver.get(base + "search/?q=" + urllib.parse.quote("script"))
            page.wait_for_results()
            check(driver.execute_script("return document.querySelectorAll('#search-results script, #search-results img').length") == 0,
                  "results carry no script or image from content", page)

            # The tokens the page makes are the build's (the vectors the Swift tests check).
            vectors = os.path.join(ROOT, "Tests", "BulletinKitTests", "SearchTokenVectors.json")
            with open(vectors, encoding="utf-8") as f:
                cases = json.load(f)
            got = driver.execute_script("return arguments[0].map(t => window.BulletinSearch.tokenize(t))", [c[0] for c in cases])
            bad = [(c[0], c[1], g) for c, g in zip(cases, got) if c[1] != g]
            check(not bad, f"search.js tokenises the {len(cases)} shared texts as the build does {bad[:3]}", page)
        finally:
            driver.quit()
            server.shutdown()
    print("search page: all checks passed")


if __name__ == "__main__":
    main()
