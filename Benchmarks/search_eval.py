#!/usr/bin/env python3
"""Measures /search/ on a built site, query by query, through the real page in headless Chromium,
and the same queries through Pagefind on the same post pages; prints Markdown tables.

    python3 Benchmarks/search_eval.py --source . --queries Benchmarks/search_queries_sample.json
    python3 Benchmarks/generate.py --posts 10000 --out /tmp/eval10k
    python3 Benchmarks/search_eval.py --source /tmp/eval10k --generate 60 [--seed 1] [--save-queries FILE]
    python3 Benchmarks/search_eval.py --source /tmp/bulletin-vs-hugo/100000 --out /dev/shm/eval100k \
        --generate 50 --no-pagefind
    python3 Benchmarks/search_eval.py --source . --queries FILE --check     # only the must lists
    python3 Benchmarks/search_eval.py --source . --queries FILE --fix-must  # rewrites them

Needs Debian's `chromium`, `chromium-driver` and `python3-selenium` (it re-runs itself with
/usr/bin/python3, which has Selenium, when the python3 on PATH has not) and, for the comparison,
Pagefind (`pip install pagefind-bin`, in a venv if the system pip refuses; --pagefind gives the
binary, else it is looked for on PATH and in /tmp/pagefind-venv).

The site is built with the release binary (--binary) from --source into --out (a temporary folder
unless given), or --site gives one already built, and is served with `python3 -m http.server` on a
free port of 127.0.0.1. One headless Chromium runs every query, one at a time.

Queries are JSON, one a line: [{"q": "...", "must": ["<board>/<id>/", ...], "top": "<board>/<id>/"}]
(`top`, the intended first result, optional; `kind` free). `must` is every post that README's rules
("### Search") say the query finds, computed by an exact scan of the source texts (title, body,
author, tags, the bodies of comments not deleted) with a tokeniser of this file's own (`Scan`): a
run of two or more Hangul/kana/Han syllables finds the posts that hold each of its pairs, a run of
one syllable the posts that hold it as a run of its own, a run of other letters and digits the
posts with a word it begins (a one-letter run: that word only); the runs of a query are all
required. --check compares a file's lists with the scan, --fix-must rewrites them, --check-index
also compares every token's posts in the built index with the scan. --generate N makes the
queries from the source itself (`generate`).

Bulletin: each query is a cold load (browser cache emptied) of /search/?q=…; once its rows are
shown, the page's Resource Timing entries give what it fetched (transferSize: bytes over the wire,
headers included): its index files (search/meta.json, s/*.bin, d/*.json) are the index KB of the
query, its script apart (the style every page has is not counted). The other result pages
(&page=2…) are then loaded, not counted, to read every result link. When the first result is not
the intended post, the scores of both are recomputed from the shards, as search.js does.

Pagefind: `pagefind --site` with its defaults (the whole <body> but nav, footer, form, script...)
over the post pages of the built site, hard-linked into a folder of their own (listings, tags and
archives would otherwise be indexed and found too); queried through a harness page written beside
its bundle (pagefind-eval.html) that calls pagefind.search(q) and .data() of the first 20 results,
the rows Bulletin shows, with the option noWorker (its worker fetches the same files, but out of
the page's Resource Timing). Counted: its index files (pagefind-entry.json, *.pf_meta, *.pf_index,
*.pf_fragment), its script and WebAssembly apart. The other results' data are then read, not
counted. For both tools the body bytes seen by the page are checked against http.server's log.

Reported: a line per query on stderr and everything in --report (JSON); a table: recall (must
posts found / must posts, over all queries), the queries with every must post found, recall of the
stricter "contiguous" must (the posts holding each multi-syllable run of the query whole, not only
its pairs), top-1 (queries whose `top` is first), index KB per query (median, 90th percentile,
largest), requests, script KB, index bytes per post (Bulletin: search/ but its page; Pagefind: its
index files) and all files per post (with the scripts; Pagefind: its whole bundle); then the
queries with a miss or another first result.
"""
import argparse
import bisect
import json
import math
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
PER_PAGE = 20  # rows a search page shows (search.js PER_PAGE)

# ---------------------------------------------------------------- tokenising (README "### Search")

WORD_LIMIT = 32


def is_syllabic(cp):
    return (0xAC00 <= cp <= 0xD7A3 or 0x1100 <= cp <= 0x11FF or 0x3131 <= cp <= 0x318E or 0x3040 <= cp <= 0x30FF
            or 0x3400 <= cp <= 0x4DBF or 0x4E00 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF)


def is_word_char(ch):
    return unicodedata.category(ch)[0] in "LMN"


def runs(text):
    """[(syllabic, [one str per code point])]: NFC, each code point lower-cased on its own
    (full-width Latin letters and digits folded to ASCII first), words cut to 32."""
    out = []
    run = None
    for original in unicodedata.normalize("NFC", str(text)):
        cp = ord(original)
        folded = chr(cp - 0xFEE0) if 0xFF01 <= cp <= 0xFF5E else original
        for ch in folded.lower():
            syllabic = is_syllabic(ord(ch))
            if not syllabic and not is_word_char(ch):
                run = None
                continue
            if run is None or run[0] != syllabic:
                run = (syllabic, [])
                out.append(run)
            if syllabic or len(run[1]) < WORD_LIMIT:
                run[1].append(ch)
    return out


def run_tokens(run):
    syllabic, chars = run
    if not syllabic or len(chars) == 1:
        return ["".join(chars)]
    return [chars[i] + chars[i + 1] for i in range(len(chars) - 1)]


def tokenize(text):
    return [t for run in runs(text) for t in run_tokens(run)]


def requirements(query):
    """What a query asks for, all required: [(token, kind)], kind "syl" (a syllable or a pair,
    held as such), "prefix" (a word of 2+ letters: any word it begins) or "word" (one letter)."""
    out = {}
    for run in runs(query):
        for token in run_tokens(run):
            out[token] = "syl" if run[0] else ("prefix" if len(run[1]) > 1 else "word")
    return list(out.items())


# ---------------------------------------------------------------- the source

def front_matter(text):
    if not text.startswith("---"):
        return "", text
    lines = text.split("\n")
    for i in range(1, len(lines)):
        if lines[i].rstrip() == "---":
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1:])
    return "", ""


def as_text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Post:
    __slots__ = ("path", "title", "body", "author", "tags", "comments", "file")

    def fields(self):
        return {"title": [self.title], "body": [self.body], "author": [self.author], "tags": self.tags, "comments": self.comments}


def load_source(source):
    """Every post of a snapshot: path "<board>/<id>/", title, body, author, tags, the bodies
    of its comments that are not deleted."""
    import yaml
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(os.path.join(source, "site.yml"), encoding="utf-8") as f:
        config = yaml.load(f, Loader=loader) or {}
    anonymous = as_text(config.get("anonymous", "익명"))
    fields = None
    search = config.get("search")
    if isinstance(search, dict) and isinstance(search.get("fields"), list):
        fields = set(map(str, search["fields"]))
    content = os.path.join(source, "Content")
    posts = []
    for board in sorted(os.listdir(content)):
        if board.startswith((".", "_")) or not os.path.isdir(os.path.join(content, board)):
            continue
        for dirpath, dirnames, names in os.walk(os.path.join(content, board)):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(names):
                if not name.endswith(".md") or name.startswith((".", "_")):
                    continue
                with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                    head, body = front_matter(f.read())
                meta = yaml.load(head, Loader=loader) if head else {}
                if not isinstance(meta, dict):
                    meta = {}
                post = Post()
                stem = name[:-3]
                post.file = os.path.join(dirpath, name)
                post.path = f"{board}/{as_text(meta.get('id', stem))}/"
                post.title = as_text(meta.get("title"))
                post.body = body
                author = " ".join(as_text(meta.get("author")).split())
                post.author = author if author else anonymous
                tags = meta.get("tags") or []
                post.tags = [as_text(t).strip() for t in (tags if isinstance(tags, list) else [tags])]
                post.comments = []
                for ext in (".comments.yml", ".comments.yaml", ".comments.json"):
                    p = os.path.join(dirpath, stem + ext)
                    if os.path.exists(p):
                        with open(p, encoding="utf-8") as f:
                            items = json.load(f) if ext == ".comments.json" else yaml.load(f, Loader=loader)
                        for c in items or []:
                            if isinstance(c, dict) and not c.get("deleted") and c.get("body") is not None:
                                post.comments.append(as_text(c["body"]))
                if fields is not None:
                    for field in ("title", "body", "author", "tags", "comments"):
                        if field not in fields:
                            setattr(post, field, [] if field in ("tags", "comments") else "")
                posts.append(post)
    return posts


class Scan:
    """The posts' tokens, inverted: for each syllabic token and each word, a bitmap of the posts
    that hold it (bit i: post i)."""

    def __init__(self, posts):
        self.posts = posts
        self.paths = [p.path for p in posts]
        self.by_path = {p.path: i for i, p in enumerate(posts)}
        size = (len(posts) + 7) // 8
        self.syl = {}
        self.words = {}
        for i, post in enumerate(posts):
            byte, bit = i >> 3, 1 << (i & 7)
            for run in self.post_runs(post):
                if run[0]:
                    tokens, table = run_tokens(run), self.syl
                else:
                    tokens, table = ["".join(run[1])], self.words
                for t in tokens:
                    bitmap = table.get(t)
                    if bitmap is None:
                        bitmap = table[t] = bytearray(size)
                    bitmap[byte] |= bit
        self.sorted_words = sorted(self.words)

    @staticmethod
    def post_runs(post):
        for texts in post.fields().values():
            for text in texts:
                yield from runs(text)

    def bitmap(self, token, kind):
        if kind == "syl":
            b = self.syl.get(token)
            return int.from_bytes(b, "little") if b else 0
        if kind == "word":
            b = self.words.get(token)
            return int.from_bytes(b, "little") if b else 0
        out = 0
        i = bisect.bisect_left(self.sorted_words, token)
        while i < len(self.sorted_words) and self.sorted_words[i].startswith(token):
            out |= int.from_bytes(self.words[self.sorted_words[i]], "little")
            i += 1
        return out

    def must(self, query):
        """The numbers of the posts the README's rules say `query` finds."""
        reqs = requirements(query)
        if not reqs:
            return set()
        bits = -1
        for token, kind in reqs:
            bits &= self.bitmap(token, kind)
            if not bits:
                return set()
        out = set()
        data = bits.to_bytes((len(self.posts) + 7) // 8, "little")
        for byte_index, byte in enumerate(data):
            while byte:
                low = byte & -byte
                out.add(byte_index * 8 + low.bit_length() - 1)
                byte ^= low
        return out

    def contiguous(self, query):
        """Of must(query), the posts where each multi-syllable run of the query occurs whole,
        inside one run of the post (not only its pairs, each somewhere)."""
        whole = ["".join(chars) for syllabic, chars in runs(query) if syllabic and len(chars) > 1]
        found = self.must(query)
        if not whole:
            return found
        out = set()
        for i in found:
            text = "\x00".join("".join(chars) for syllabic, chars in self.post_runs(self.posts[i]) if syllabic)
            if all(w in text for w in whole):
                out.add(i)
        return out

    def must_paths(self, query):
        return sorted(self.paths[i] for i in self.must(query))


# ---------------------------------------------------------------- the built index, read back

def read_varint(b, pos):
    value = 0
    shift = 0
    while True:
        byte = b[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def read_shard(path):
    """A shard file: {token: {doc: weight}}."""
    with open(path, "rb") as f:
        b = f.read()
    if b[0] != 1:
        raise SystemExit(f"{path}: unknown shard version {b[0]}")
    pos = 1
    count, pos = read_varint(b, pos)
    terms = []
    for _ in range(count):
        n, pos = read_varint(b, pos)
        key = b[pos:pos + n].decode("utf-8")
        pos += n
        docs, pos = read_varint(b, pos)
        _, pos = read_varint(b, pos)
        terms.append((key, docs))
    out = {}
    for key, docs in terms:
        doc = 0
        block = {}
        for _ in range(docs):
            delta, pos = read_varint(b, pos)
            doc += delta
            block[doc] = b[pos]
            pos += 1
        out[key] = block
    return out


class Index:
    """The index a build wrote, read back: doc paths by number, shards read when asked for."""

    def __init__(self, site):
        self.site = site
        with open(os.path.join(site, "search", "meta.json"), encoding="utf-8") as f:
            self.meta = json.load(f)
        self.paths = []
        for k in range((self.meta["docs"] + self.meta["chunk"] - 1) // self.meta["chunk"]):
            with open(os.path.join(site, "search", "d", f"{k}.json"), encoding="utf-8") as f:
                self.paths += [urllib.parse.unquote(d[0]) for d in json.load(f)]
        self.number = {p: i for i, p in enumerate(self.paths)}
        self.shards = {}

    def shard(self, k):
        if k not in self.shards:
            self.shards[k] = read_shard(os.path.join(self.site, "search", "s", f"{k}.bin"))
        return self.shards[k]

    def postings(self):
        """Every token's {doc: weight} (reads every shard)."""
        out = {}
        for k in range(self.meta["shards"]):
            out.update(self.shard(k))
        return out

    def scores(self, query):
        """search.js's scores: for each requirement, the best weight of a doc among the terms it
        matches (an exact word twice its weight); [(token, {doc: score})]."""
        out = []
        for token, kind in requirements(query):
            key = token[:2] if kind != "syl" else token
            shard = self.shard(fnv1a32(key) % self.meta["shards"])
            best = {}
            for term, block in shard.items():
                if term == token or (kind == "prefix" and term.startswith(token)):
                    factor = 2 if kind != "syl" and term == token else 1
                    for doc, weight in block.items():
                        best[doc] = max(best.get(doc, 0), weight * factor)
            out.append((token, best))
        return out

    def explain(self, query, path):
        """A doc's score for query and its parts: (total, "token weight ...")."""
        doc = self.number[path]
        parts = [(token, best.get(doc, 0)) for token, best in self.scores(query)]
        return sum(w for _, w in parts), " ".join(f"{t} {w}" for t, w in parts)


def compare_index(scan, index):
    """Tokens whose posts differ between the scan and the built index."""
    posting = index.postings()
    mine = {}
    for table in (scan.syl, scan.words):
        for token, bitmap in table.items():
            bits = int.from_bytes(bitmap, "little")
            mine[token] = {scan.paths[i] for i in range(len(scan.paths)) if bits >> i & 1}
    theirs = {t: {index.paths[d] for d in docs} for t, docs in posting.items() if not t.startswith("\x01")}
    return sorted(t for t in set(mine) | set(theirs) if mine.get(t, set()) != theirs.get(t, set()))


def fnv1a32(text):
    h = 0x811C9DC5
    for b in text.encode("utf-8"):
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


# ---------------------------------------------------------------- queries from a generated source

PARTICLES = ["에서", "으로", "까지", "처럼", "은", "는", "이", "가", "을", "를", "도", "만"]  # generate.py's, longest first


def stem(word):
    """The word without a particle generate.py may have put after it (two syllables at least stay)."""
    for p in PARTICLES:
        if word.endswith(p) and len(word) - len(p) >= 2:
            return word[: -len(p)]
    return word


def hangul_words(text):
    """The words of text made only of syllabic characters, punctuation cut off, two or more long."""
    words = (re.sub(r"[^\w]", "", w) for w in text.split())
    return [w for w in words if len(w) >= 2 and all(is_syllabic(ord(c)) for c in w)]


def headline_holds(post, query):
    """Whether the post's title, author or tags hold the whole query (each run of it whole, inside
    one run): what a reader sees in a result row."""
    heads = [post.title, post.author] + post.tags
    syllables = "\x00".join("".join(c) for text in heads for syl, c in runs(text) if syl)
    words = [("".join(c)) for text in heads for syl, c in runs(text) if not syl]
    for syllabic, chars in runs(query):
        run = "".join(chars)
        if syllabic and len(chars) > 1 and run not in syllables:
            return False
        if syllabic and len(chars) == 1 and run not in syllables.split("\x00"):
            return False
        if not syllabic and not any(w == run or (len(run) > 1 and w.startswith(run)) for w in words):
            return False
    return True


GENERATED_KINDS = ["as written", "stems", "inside a word", "author", "english", "comment"]


def generate(scan, count, seed, max_must=8, max_words=4):
    """`count` queries made from posts of `scan` picked in an order shuffled with `seed`, each of
    the next kind in turn (a post that cannot give it is passed over):

    - as written: a word of the title with its particle (고양이를);
    - stems: a title word without its particle (고양이), where the title has one;
    - inside a word: two syllables from inside a title word of three or more, not its start (양이);
    - author: the post's author (not 익명);
    - english: a Latin tag or word of the post, or a prefix of it (Pyth);
    - comment: two neighbouring words of one of its comments.

    Words of the title (of the comment, for `comment`) are added, the most distinctive first (the
    one that leaves the fewest posts), until the query finds at most `max_must` posts, has
    `max_words` words or no word is left; a query that still finds more than 100 is dropped.
    `must` is the scan's; `top`, the intended post, is the picked post when it is the only post
    found whose title, author or tags hold the whole query, or the only post found."""
    rng = random.Random(seed)
    out = []
    seen = set()
    order = list(range(len(scan.posts)))
    rng.shuffle(order)
    for i in order:
        if len(out) >= count:
            break
        post = scan.posts[i]
        kind = GENERATED_KINDS[len(out) % len(GENERATED_KINDS)]
        words = hangul_words(post.title)
        if not words:
            continue
        stems = [stem(w) for w in words]
        if kind == "as written":
            first, pool = [rng.choice(words)], words
        elif kind == "stems":
            cut = [s for w, s in zip(words, stems) if s != w]
            if not cut:
                continue
            first, pool = [rng.choice(cut)], stems
        elif kind == "inside a word":
            long = [s for s in stems if len(s) >= 3]
            if not long:
                continue
            w = rng.choice(long)
            start = rng.randint(1, len(w) - 2)
            first, pool = [w[start:start + 2]], [s for s in stems if s != w]
        elif kind == "author":
            if post.author == "익명":
                continue
            first, pool = [post.author], words
        elif kind == "english":
            latin = [t for t in post.tags if re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", t)]
            latin += [w for w in re.findall(r"[A-Za-z][A-Za-z0-9]{2,}", post.body) if w.lower() not in ("https", "http", "com", "example", "ref", "png")]
            if not latin:
                continue
            w = rng.choice(latin)
            if len(w) > 3 and rng.random() < 0.5:
                w = w[: rng.randint(2, len(w) - 1)]
            first, pool = [w], words
        else:
            comments = [c for c in post.comments if len(hangul_words(c)) >= 2]
            if not comments:
                continue
            cw = hangul_words(rng.choice(comments))
            j = rng.randrange(len(cw) - 1)
            first, pool = cw[j:j + 2], cw
        q = list(first)
        pool = [w for w in dict.fromkeys(pool) if w not in q]
        rng.shuffle(pool)
        while len(scan.must(" ".join(q))) > max_must and pool and len(q) < max_words:
            # the most distinctive word next: the one that leaves the fewest posts
            best = min(pool, key=lambda w: len(scan.must(" ".join(q + [w]))))
            pool.remove(best)
            q.append(best)
        q = " ".join(q)
        must = scan.must(q)
        if i not in must:
            raise SystemExit(f"generated query {q!r} does not find its own post {post.path}: the scan is wrong")
        if len(must) > 100 or q in seen:
            continue
        seen.add(q)
        entry = {"q": q, "must": sorted(scan.paths[d] for d in must)}
        heads = [d for d in must if headline_holds(scan.posts[d], q)]
        if heads == [i] or must == {i}:
            entry["top"] = post.path
        entry["kind"] = kind
        out.append(entry)
    return out


# ---------------------------------------------------------------- building, serving

def build(binary, source, out, jobs):
    manifest = os.path.join(os.path.dirname(os.path.abspath(out)), "." + os.path.basename(os.path.abspath(out)) + ".bulletin-manifest")
    start = time.perf_counter()
    subprocess.run([binary, "build", "--quiet", "--clean", "--jobs", str(jobs), "--source", source, "--output", out, "--manifest", manifest,
                    "--base-url", "/"],
                   check=True)
    print(f"built {source} into {out} in {time.perf_counter() - start:.1f} s", file=sys.stderr)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`python3 -m http.server` on a free port of 127.0.0.1, its log kept: take() gives the body
    bytes of the files served since the last call (a check of what the page reports, workers included)."""

    def __init__(self, folder):
        self.folder = folder
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
        self.process = subprocess.Popen([sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(self.port), "--directory", folder],
                                        stdout=subprocess.DEVNULL, stderr=self.log)
        self.url = f"http://127.0.0.1:{self.port}/"
        self.read = 0
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("http.server did not start")

    def take(self):
        """{path: body bytes} of the requests answered 200 since the last call."""
        with open(self.log.name, encoding="utf-8", errors="replace") as f:
            f.seek(self.read)
            text = f.read()
            self.read = f.tell()
        out = {}
        for path, status in re.findall(r'"GET (\S+) HTTP/[\d.]+" (\d+)', text):
            path = urllib.parse.unquote(urllib.parse.urlsplit(path).path).lstrip("/")
            if status == "200" and (path == "" or path.endswith("/")):
                path += "index.html"
            file = os.path.join(self.folder, path)
            if status == "200" and os.path.isfile(file):
                out[path] = out.get(path, 0) + os.path.getsize(file)
        return out

    def close(self):
        self.process.terminate()
        self.process.wait()
        self.log.close()
        os.unlink(self.log.name)


def folder_bytes(folder, keep=lambda rel: True):
    total = 0
    for dirpath, _, names in os.walk(folder):
        for name in names:
            p = os.path.join(dirpath, name)
            if keep(os.path.relpath(p, folder)):
                total += os.path.getsize(p)
    return total


# ---------------------------------------------------------------- the browser

class Browser:
    """One headless Chromium, used for one query at a time."""

    def __init__(self):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        options = webdriver.ChromeOptions()
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-extensions", "--disable-background-networking",
                     "--disable-dev-shm-usage", "--window-size=1200,900", "--renderer-process-limit=1"):
            options.add_argument(flag)
        chromium = shutil.which("chromium")
        if chromium:
            options.binary_location = chromium
        self.driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)
        self.driver.set_script_timeout(600)
        self.driver.execute_cdp_cmd("Network.enable", {})

    def cold(self):
        """Empties the browser's cache: the next page fetches everything again."""
        self.driver.execute_cdp_cmd("Network.clearBrowserCache", {})

    def wait(self, script, timeout=120):
        end = time.monotonic() + timeout
        while True:
            value = self.driver.execute_script(script)
            if value is not None:
                return value
            if time.monotonic() > end:
                raise TimeoutError(f"the page did not finish: {self.driver.current_url}")
            time.sleep(0.01)

    def close(self):
        self.driver.quit()


# Done when the results box has its table, its "nothing found" note or its error.
BULLETIN_DONE = """
const r = document.getElementById('search-results'), s = document.getElementById('search-status');
if (!r || r.children.length === 0) return null;
const strong = s ? [...s.querySelectorAll('strong')].map((x) => x.textContent) : [];
const nav = performance.getEntriesByType('navigation')[0];
return {
  links: [...r.querySelectorAll('a.row-link')].map((a) => a.getAttribute('href')),
  total: strong.length > 1 ? Number(strong[1]) : 0,
  error: r.querySelector('.search-error') ? r.textContent : null,
  resources: performance.getEntriesByType('resource').map((e) => [e.name, e.transferSize, e.encodedBodySize]),
  page: nav ? nav.transferSize : 0,
  ms: performance.now(),
};
"""


def strip_base(href, base_path):
    path = urllib.parse.unquote(urllib.parse.urlsplit(href).path)
    return path[len(base_path):] if path.startswith(base_path) else path.lstrip("/")


CODE_FILE = re.compile(r"(\.js|\.pagefind)$")  # scripts and WebAssembly; not the style every page has


def tally(resources, base_path, is_index, served):
    """Sums a page's resources: index files (bytes over the wire, body bytes, count), code files
    (script, style, WebAssembly: bytes over the wire); checks the bodies against the server's log."""
    out = {"index_bytes": 0, "index_body": 0, "requests": 0, "code_bytes": 0, "cached": []}
    for name, transfer, body in resources:
        path = urllib.parse.unquote(urllib.parse.urlsplit(name).path)[len(base_path):]
        if transfer == 0 and body > 0:
            out["cached"].append(path)
        if is_index(path):
            out["index_bytes"] += transfer
            out["index_body"] += body
            out["requests"] += 1
        elif CODE_FILE.search(path):
            out["code_bytes"] += transfer
    out["served_index"] = sum(size for path, size in served.items() if is_index(path))
    if out["cached"]:
        print(f"  warning: from the browser's cache: {out['cached']}", file=sys.stderr)
    if out["served_index"] != out["index_body"]:
        print(f"  warning: the page saw {out['index_body']} bytes of index files, the server sent {out['served_index']}", file=sys.stderr)
    return out


def bulletin_query(browser, server, base_path, q):
    """One query on the search page, cold: every result path in order (all pages), and what its
    first page fetched."""
    page_url = f"{server.url}search/?q={urllib.parse.quote(q)}"
    server.take()
    browser.cold()
    browser.driver.get(page_url)
    first = browser.wait(BULLETIN_DONE)
    if first["error"]:
        raise SystemExit(f"search page error for {q!r}: {first['error']}")
    out = tally(first["resources"], base_path, lambda path: path.startswith("search/") and path != "search/index.html", server.take())
    links = [strip_base(h, base_path) for h in first["links"]]
    pages = max(1, math.ceil(first["total"] / PER_PAGE))
    for page in range(2, pages + 1):
        browser.driver.get(f"{page_url}&page={page}")
        links += [strip_base(h, base_path) for h in browser.wait(BULLETIN_DONE)["links"]]
    if len(links) != first["total"]:
        print(f"  warning: {q!r}: {first['total']} results said, {len(links)} read", file=sys.stderr)
    out.update(results=links, page_bytes=first["page"], ms=first["ms"],
               fetched=[urllib.parse.unquote(urllib.parse.urlsplit(r[0]).path) for r in first["resources"]])
    return out


PAGEFIND_HARNESS = """<!doctype html>
<html lang="ko">
<meta charset="utf-8">
<title>Pagefind eval</title>
<script type="module">
// Search as a results page would: search(q), then data() of the first `shown` results (counted).
// noWorker: Pagefind's worker fetches the same files, but out of the page's Resource Timing.
window.pfSearch = async (q, shown) => {
  const pagefind = await import("./pagefind/pagefind.js");
  await pagefind.options({ noWorker: true });
  await pagefind.init();
  const search = await pagefind.search(q);
  const results = search && search.results ? search.results : [];
  const data = await Promise.all(results.slice(0, shown).map((r) => r.data()));
  window.pfResults = results;
  return {
    total: results.length,
    urls: data.map((d) => d.url),
    resources: performance.getEntriesByType("resource").map((e) => [e.name, e.transferSize, e.encodedBodySize]),
    ms: performance.now(),
  };
};
// The others' URLs, for recall (not counted).
window.pfRest = async (from) => {
  const urls = [];
  const rest = window.pfResults.slice(from);
  for (let i = 0; i < rest.length; i += 50) urls.push(...(await Promise.all(rest.slice(i, i + 50).map((r) => r.data()))).map((d) => d.url));
  return urls;
};
window.pfReady = true;
</script>
</html>
"""

PAGEFIND_INDEX_FILE = re.compile(r"(pagefind-entry\.json|\.pf_meta|\.pf_index|\.pf_fragment|\.pf_filter)$")


def pagefind_prepare(site, pagefind, work, whole_site=False):
    """Pagefind's index of the post pages of `site` (hard links to them, in work/posts), written to
    work/www/pagefind with the harness page beside it; gives (www folder, posts, seconds)."""
    posts_dir = os.path.join(work, "posts")
    www = os.path.join(work, "www")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(www)
    count = 0
    if whole_site:
        posts_dir = site
    else:
        for board in sorted(os.listdir(site)):
            folder = os.path.join(site, board)
            if not os.path.isdir(folder) or board in ("search", "tags", "archive", "css", "js", "_files", "pagefind"):
                continue
            for pid in os.listdir(folder):
                page = os.path.join(folder, pid, "index.html")
                if pid in ("page", "best") or not os.path.isfile(page):
                    continue
                target = os.path.join(posts_dir, board, pid)
                os.makedirs(target, exist_ok=True)
                try:
                    os.link(page, os.path.join(target, "index.html"))
                except OSError:
                    shutil.copyfile(page, os.path.join(target, "index.html"))
                count += 1
    start = time.perf_counter()
    result = subprocess.run(["nice", "-n", "10", pagefind, "--site", posts_dir, "--output-path", os.path.join(www, "pagefind")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"pagefind failed:\n{result.stdout}")
    summary = [line.strip() for line in result.stdout.splitlines() if re.search(r"Indexed|language|Total", line)]
    print("pagefind: " + "; ".join(summary) + f" ({seconds:.1f} s)", file=sys.stderr)
    with open(os.path.join(www, "pagefind-eval.html"), "w", encoding="utf-8") as f:
        f.write(PAGEFIND_HARNESS)
    return www, count, seconds


def pagefind_query(browser, server, q):
    server.take()
    browser.cold()
    browser.driver.get(f"{server.url}pagefind-eval.html")
    browser.wait("return window.pfReady ? true : null")
    first = browser.driver.execute_async_script(
        "const done = arguments[arguments.length - 1]; pfSearch(arguments[0], arguments[1]).then(done, (e) => done({error: String(e)}));", q, PER_PAGE)
    if first.get("error"):
        raise SystemExit(f"pagefind error for {q!r}: {first['error']}")
    out = tally(first["resources"], "/", lambda path: PAGEFIND_INDEX_FILE.search(path) is not None, server.take())
    urls = list(first["urls"])
    if first["total"] > len(urls):
        urls += browser.driver.execute_async_script("const done = arguments[arguments.length - 1]; pfRest(arguments[0]).then(done);", len(urls))
    out.update(results=[u.lstrip("/") for u in urls], page_bytes=0, ms=first["ms"],
               fetched=[urllib.parse.unquote(urllib.parse.urlsplit(r[0]).path) for r in first["resources"]])
    return out


# ---------------------------------------------------------------- scoring, reporting

def percentile(values, p):
    if not values:
        return 0
    values = sorted(values)
    k = (len(values) - 1) * p
    lo, hi = math.floor(k), math.ceil(k)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def evaluate(tool, queries, run, scan=None):
    """Runs every query through `run` (q -> result dict); gives the per-query rows and the totals."""
    rows = []
    for n, query in enumerate(queries, 1):
        result = run(query["q"])
        got = result["results"]
        must = set(query["must"])
        found = must & set(got)
        row = {"q": query["q"], "kind": query.get("kind"), "results": len(got), "must": len(must), "found": len(found),
               "missed": sorted(must - found), "extra": sorted(set(got) - must)[:10], "extra_count": len(set(got) - must),
               "top": got[0] if got else None, "intended": query.get("top")}
        row.update({k: result[k] for k in ("index_bytes", "index_body", "served_index", "requests", "code_bytes", "page_bytes", "fetched")})
        row["ms"] = round(result["ms"])
        if scan is not None:
            strict = {scan.paths[i] for i in scan.contiguous(query["q"])}
            row["contiguous"] = len(strict)
            row["contiguous_found"] = len(strict & set(got))
        rows.append(row)
        top_ok = "" if row["intended"] is None else (" top ok" if row["top"] == row["intended"] else f" TOP {row['top']} (not {row['intended']})")
        print(f"{tool} {n}/{len(queries)} {query['q']!r}: {row['results']} results, {row['found']}/{row['must']} must"
              f"{' MISSED ' + ' '.join(row['missed']) if row['missed'] else ''}{top_ok}, {row['index_bytes'] / 1024:.1f} KB in {row['requests']}",
              file=sys.stderr)
    must = sum(r["must"] for r in rows)
    with_top = [r for r in rows if r["intended"]]
    kb = [r["index_bytes"] / 1024 for r in rows]
    totals = {
        "queries": len(rows),
        "recall": sum(r["found"] for r in rows) / must if must else 1.0,
        "complete": sum(r["found"] == r["must"] for r in rows),
        "top1": sum(r["top"] == r["intended"] for r in with_top) / len(with_top) if with_top else None,
        "with_top": len(with_top),
        "top_ok": sum(r["top"] == r["intended"] for r in with_top),
        "kb_median": statistics.median(kb) if kb else 0,
        "kb_p90": percentile(kb, 0.9),
        "kb_max": max(kb) if kb else 0,
        "requests_median": statistics.median(r["requests"] for r in rows) if rows else 0,
        "code_kb": statistics.median(r["code_bytes"] for r in rows) / 1024 if rows else 0,
        "page_kb": statistics.median(r["page_bytes"] for r in rows) / 1024 if rows else 0,
    }
    if scan is not None:
        strict = sum(r["contiguous"] for r in rows)
        totals["recall_contiguous"] = sum(r["contiguous_found"] for r in rows) / strict if strict else 1.0
    return rows, totals


def kind_table(reports):
    """Recall, top-1 and median index KB of each kind of query, per tool."""
    kinds = list(dict.fromkeys(r["kind"] for rep in reports.values() for r in rep["queries"] if r.get("kind")))
    if not kinds:
        return
    tools = list(reports)
    print("\n| kind | queries | " + " | ".join(f"{t} recall | {t} top-1 | {t} KB" for t in tools) + " |")
    print("|---|---|" + "---|---|---|" * len(tools))
    for kind in kinds:
        cells = []
        for tool in tools:
            rows = [r for r in reports[tool]["queries"] if r.get("kind") == kind]
            must = sum(r["must"] for r in rows)
            tops = [r for r in rows if r["intended"]]
            top = f"{sum(r['top'] == r['intended'] for r in tops)}/{len(tops)}" if tops else "–"
            cells.append(f"{sum(r['found'] for r in rows) / must:.0%} | {top} | {statistics.median(r['index_bytes'] for r in rows) / 1024:.0f}")
        print(f"| {kind} | {len(rows)} | " + " | ".join(cells) + " |")


def table(title, posts, entries):
    print(f"\n{title}\n")
    print("| tool | queries | recall | all must found | recall, contiguous | top-1 | index KB/query, median | p90 | max | requests/query | code KB/query | index bytes/post | all files/post |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for tool, t, index_bytes, bundle_bytes in entries:
        top1 = f"{t['top1']:.1%} ({t['top_ok']}/{t['with_top']})" if t["top1"] is not None else "–"
        contiguous = f"{t['recall_contiguous']:.1%}" if "recall_contiguous" in t else "–"
        print(f"| {tool} | {t['queries']} | {t['recall']:.1%} | {t['complete']}/{t['queries']} | {contiguous} | {top1} | "
              f"{t['kb_median']:.1f} | {t['kb_p90']:.1f} | {t['kb_max']:.1f} | {t['requests_median']:.0f} | {t['code_kb']:.1f} | "
              f"{index_bytes / posts:,.0f} | {bundle_bytes / posts:,.0f} |")


# ---------------------------------------------------------------- main

def ensure_selenium():
    """Re-runs this script with Debian's python3, which has python3-selenium, when this one has not."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3"):
            os.execv("/usr/bin/python3", ["/usr/bin/python3", os.path.abspath(__file__)] + sys.argv[1:])
        raise SystemExit("needs Selenium: apt-get install python3-selenium chromium chromium-driver")


def write_queries(path, queries):
    """One query a line."""
    with open(path, "w", encoding="utf-8") as f:
        f.write("[\n" + ",\n".join(json.dumps(q, ensure_ascii=False) for q in queries) + "\n]\n")


def find_pagefind(given):
    if given:
        return given
    for candidate in (shutil.which("pagefind"), "/tmp/pagefind-venv/bin/pagefind"):
        if candidate and os.path.exists(candidate):
            return candidate
    for venv in ("/tmp/pagefind-venv",):
        for dirpath, _, names in os.walk(os.path.join(venv, "lib")):
            if "pagefind" in names and dirpath.endswith("pagefind_bin"):
                return os.path.join(dirpath, "pagefind")
    raise SystemExit("no pagefind: python3 -m venv /tmp/pagefind-venv && /tmp/pagefind-venv/bin/pip install pagefind-bin, or --pagefind PATH")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", default=os.path.join(HERE, ".."), help="the snapshot (site.yml, Content/, Themes/)")
    ap.add_argument("--site", help="a site built from --source (else it is built into --out)")
    ap.add_argument("--out", help="where to build (default: a temporary folder, removed at the end)")
    ap.add_argument("--binary", default=os.path.join(HERE, "..", ".build", "release", "bulletin"))
    ap.add_argument("--jobs", type=int, default=1, help="threads for the build")
    ap.add_argument("--queries", help="a query file")
    ap.add_argument("--generate", type=int, metavar="N", help="make N queries from the source instead")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-must", type=int, default=8, help="generated queries grow until they find at most this many posts")
    ap.add_argument("--max-words", type=int, default=4, help="and have at most this many words")
    ap.add_argument("--save-queries", help="write the generated queries here")
    ap.add_argument("--check", action="store_true", help="only compare the query file's must lists with the scan")
    ap.add_argument("--fix-must", action="store_true", help="rewrite the query file's must lists from the scan")
    ap.add_argument("--limit", type=int, help="only the first N queries")
    ap.add_argument("--no-pagefind", action="store_true")
    ap.add_argument("--pagefind", help="the pagefind binary (default: on PATH, or in /tmp/pagefind-venv)")
    ap.add_argument("--pagefind-work", help="folder for Pagefind's copy (default: a temporary folder)")
    ap.add_argument("--pagefind-whole-site", action="store_true", help="index every page, not only the posts' (listings and tags are then found too)")
    ap.add_argument("--check-index", action="store_true", help="also compare the built index's postings with the scan (reads every shard)")
    ap.add_argument("--report", help="write every query's measurements here (JSON)")
    ap.add_argument("--title", help="the table's caption")
    args = ap.parse_args()

    if not (args.check or args.fix_must):
        ensure_selenium()
    if not args.queries and not args.generate:
        ap.error("give --queries FILE or --generate N")

    start = time.perf_counter()
    posts = load_source(args.source)
    scan = Scan(posts)
    print(f"scanned {len(posts):,} posts of {args.source} in {time.perf_counter() - start:.1f} s", file=sys.stderr)

    if args.queries:
        with open(args.queries, encoding="utf-8") as f:
            queries = json.load(f)
    else:
        queries = generate(scan, args.generate, args.seed, args.max_must, args.max_words)
        if args.save_queries:
            write_queries(args.save_queries, queries)
    wrong = 0
    for query in queries:
        must = scan.must_paths(query["q"])
        if must != sorted(query["must"]):
            wrong += 1
            print(f"must of {query['q']!r}: the scan finds {must}, the file says {sorted(query['must'])}", file=sys.stderr)
            if args.fix_must:
                query["must"] = must
        if query.get("top") and query["top"] not in must:
            print(f"top of {query['q']!r}: {query['top']} is not among the posts it finds", file=sys.stderr)
            wrong += 1
    if args.fix_must:
        write_queries(args.queries, queries)
        print(f"{wrong} must lists rewritten in {args.queries}", file=sys.stderr)
        return
    if args.check:
        print(f"{len(queries)} queries, {wrong} disagree with the scan", file=sys.stderr)
        sys.exit(1 if wrong else 0)
    if wrong:
        raise SystemExit(f"{wrong} queries disagree with the scan of {args.source}: fix the file (--fix-must)")
    if args.limit:
        queries = queries[: args.limit]

    temporary = []
    try:
        site = args.site
        if not site:
            if args.out:
                site = args.out
            else:  # the site and the build's manifest beside it, in a folder of their own
                temporary.append(tempfile.mkdtemp(prefix="search-eval-"))
                site = os.path.join(temporary[-1], "site")
            build(args.binary, args.source, site, args.jobs)
        with open(os.path.join(site, "search", "meta.json"), encoding="utf-8") as f:
            docs = json.load(f)["docs"]
        if docs != len(posts):
            raise SystemExit(f"{site} has {docs} docs, {args.source} {len(posts)} posts: not built from it?")
        index = Index(site)
        if args.check_index:
            differ = compare_index(scan, index)
            print(f"the built index and the scan differ on {len(differ)} tokens{': ' + ', '.join(differ[:20]) if differ else ''}", file=sys.stderr)
            index.shards.clear()
        bulletin_index = folder_bytes(os.path.join(site, "search"), lambda rel: rel != "index.html")
        bulletin_all = folder_bytes(os.path.join(site, "search")) + os.path.getsize(os.path.join(site, "js", "search.js"))

        browser = Browser()
        server = Server(site)
        entries = []
        reports = {}
        try:
            base_path = "/"
            rows, totals = evaluate("bulletin", queries, lambda q: bulletin_query(browser, server, base_path, q), scan)
            for row in rows:
                if row["intended"] and row["top"] and row["top"] != row["intended"]:
                    row["why"] = {"first": index.explain(row["q"], row["top"]), "intended": index.explain(row["q"], row["intended"])}
            entries.append(("Bulletin", totals, bulletin_index, bulletin_all))
            reports["bulletin"] = {"totals": totals, "queries": rows}
        finally:
            server.close()

        if not args.no_pagefind:
            pagefind = find_pagefind(args.pagefind)
            work = args.pagefind_work or tempfile.mkdtemp(prefix="search-eval-pagefind-")
            if not args.pagefind_work:
                temporary.append(work)
            www, count, seconds = pagefind_prepare(site, pagefind, work, args.pagefind_whole_site)
            if not args.pagefind_whole_site and count != len(posts):
                raise SystemExit(f"{count} post pages found in {site}, {len(posts)} posts")
            pf = os.path.join(www, "pagefind")
            pf_index = folder_bytes(pf, lambda rel: PAGEFIND_INDEX_FILE.search(rel) is not None)
            pf_all = folder_bytes(pf)
            server = Server(www)
            try:
                rows, totals = evaluate("pagefind", queries, lambda q: pagefind_query(browser, server, q), scan)
                totals["index_seconds"] = seconds
                entries.append(("Pagefind", totals, pf_index, pf_all))
                reports["pagefind"] = {"totals": totals, "queries": rows}
            finally:
                server.close()
        browser.close()
    finally:
        for folder in temporary:
            shutil.rmtree(folder, ignore_errors=True)

    source = os.path.abspath(args.source)
    what = args.queries or f"{len(queries)} queries generated with seed {args.seed}"
    table(args.title or f"{len(posts):,} posts ({source}); {what}", len(posts), entries)
    print("\nrecall: must posts found ÷ must posts, over all queries; recall, contiguous: the same for the posts where each "
          "multi-syllable run of the query occurs whole; top-1: queries with an intended post whose first result is it; "
          "index KB/query: index files fetched by a cold results page (20 rows), over the wire; code KB/query: its script "
          "(Pagefind: script and WebAssembly), not the page and its style; index bytes/post: the index "
          "files ÷ posts (Bulletin: search/ but its page; Pagefind: entry, meta, index, fragment files); all files/post: "
          "with the scripts (Pagefind: its whole bundle).")
    kind_table(reports)
    if args.report:
        with open(args.report, "w", encoding="utf-8") as f:
            json.dump(reports, f, ensure_ascii=False, indent=1)
    bad = [(tool, r) for tool, rep in reports.items() for r in rep["queries"] if r["missed"] or (r["intended"] and r["top"] != r["intended"])]
    if bad:
        print("\n| tool | query | kind | missed | first result (intended) |\n|---|---|---|---|---|")
        for tool, r in bad:
            missed = ", ".join(r["missed"][:4]) + (f" (+{len(r['missed']) - 4})" if len(r["missed"]) > 4 else "")
            if r["missed"]:
                missed += f" ({len(r['missed'])}/{r['must']})"
            first = f"{r['top']} ({r['intended']})" if r["intended"] and r["top"] != r["intended"] else ""
            if "why" in r:
                first = f"{r['top']}, score {r['why']['first'][0]} ({r['intended']}, score {r['why']['intended'][0]})"
            print(f"| {tool} | {r['q']} | {r['kind'] or ''} | {missed} | {first} |")
    explained = [r for rep in reports.values() for r in rep["queries"] if "why" in r]
    if explained:
        print("\nBulletin's scores, per requirement (search.js: each requirement's best weight, summed; the index's weight "
              "is 10×title + 8×tags + 8×author + 3×body + 1×comments occurrences, each count at most 5):\n")
        for r in explained:
            print(f"- {r['q']}: first {r['top']} {r['why']['first'][0]} = {r['why']['first'][1]}; "
                  f"intended {r['intended']} {r['why']['intended'][0]} = {r['why']['intended'][1]}")


if __name__ == "__main__":
    main()
