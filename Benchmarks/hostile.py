#!/usr/bin/env python3
"""Builds each hostile snapshot of issue 'Untrusted boards' and reports what Bulletin did with it.

    python3 Benchmarks/hostile.py [--bulletin .build/release/bulletin] [--work /tmp/bulletin-hostile]

For each case it writes a small site whose one post carries the hostile size, runs
`bulletin build` under /usr/bin/time, and prints the exit status, wall time, peak memory
(max RSS) and the first diagnostic line. Nothing here is a test: the tests assert the
behaviour (Tests/bulletinTests/HostileSizeTests.swift); this measures it.
"""
import argparse
import os
import shutil
import subprocess

HEAD = "---\ntitle: 보통 제목\ndate: 2024-06-21T10:00:00+09:00\n"


def site(root, post, comments=None, extra=None):
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(os.path.join(root, "Content", "free"))
    with open(os.path.join(root, "site.yml"), "w") as f:
        f.write("title: 시험\n")
    os.symlink(os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "Themes")), os.path.join(root, "Themes"))
    with open(os.path.join(root, "Content", "free", "1.md"), "w", encoding="utf-8") as f:
        f.write(post)
    if comments is not None:
        with open(os.path.join(root, "Content", "free", "1.comments.yml"), "w", encoding="utf-8") as f:
            f.write(comments)


def comment(i, reply_to=None):
    r = f"  reply_to: {reply_to}\n" if reply_to else ""
    return f"- id: {i}\n{r}  date: 2024-06-21T11:00:00+09:00\n  body: 댓글 {i} 입니다\n"


CASES = {
    "50 MB body": lambda: (HEAD + "---\n" + ("가나다라 마바사 아자차카 타파하. " * 40 + "\n\n") * 27000, None),
    "1,000,000 front-matter keys": lambda: ("---\ntitle: 키\ndate: 2024-06-21T10:00:00+09:00\n"
                                            + "".join(f"k{i}: v\n" for i in range(1_000_000)) + "---\n본문\n", None),
    "YAML alias bomb": lambda: (HEAD + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 9) if p else ', '.join(['x'] * 9)}]\n"
        for p, c in zip([None, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], 'abcdefghi')) + "---\n본문\n", None),
    "100,000 comments": lambda: (HEAD + "---\n본문\n", "".join(comment(i, (i - 1) if i % 3 == 0 else None) for i in range(1, 100_001))),
    "10,000-level reply chain": lambda: (HEAD + "---\n본문\n", "".join(comment(i, i - 1 if i > 1 else None) for i in range(1, 10_001))),
    "1 MB title": lambda: ("---\ntitle: \"" + "긴" * 350_000 + "\"\ndate: 2024-06-21T10:00:00+09:00\n---\n본문\n", None),
    "10,000-deep nested list": lambda: (HEAD + "deep: " + "[" * 10_000 + "]" * 10_000 + "\n---\n본문\n", None),
    "blockquotes nested 100,000 deep": lambda: (HEAD + "---\n" + ">" * 100_000 + " 깊다\n", None),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bulletin", default=".build/release/bulletin")
    ap.add_argument("--work", default="/tmp/bulletin-hostile")
    args = ap.parse_args()
    binary = os.path.abspath(args.bulletin)
    print(f"| case | input | exit | wall s | peak MB | first diagnostic |")
    print(f"|---|---|---|---|---|---|")
    for name, make in CASES.items():
        root = os.path.join(args.work, name.replace(" ", "_").replace(",", ""))
        post, comments = make()
        site(root, post, comments)
        size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(os.path.join(root, "Content")) for f in fs)
        timing = os.path.join(root, "time.txt")
        result = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", timing, binary, "build", "--quiet", "--source", root],
                                capture_output=True, text=True)
        wall, rss = open(timing).read().split()[-2:]
        first = next((l for l in result.stderr.splitlines() if ": error: " in l or ": warning: " in l), "")
        first = first.replace(root + "/", "")
        if len(first) > 110:
            first = first[:110] + "…"
        print(f"| {name} | {size / 1e6:.1f} MB | {result.returncode} | {wall} | {int(rss) / 1024:.0f} | {first} |")


if __name__ == "__main__":
    main()
