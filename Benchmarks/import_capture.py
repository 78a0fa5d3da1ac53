#!/usr/bin/env python3
"""A JSON Lines capture of a generated snapshot, to time `bulletin import`.

    python3 Benchmarks/import_capture.py SNAPSHOT/Content capture.jsonl [--seen 9000] [--new 1000]

Takes the first --seen posts of the snapshot (by board, then file name) as seen again by a later
capture: views up by ten, every tenth title changed, one new comment each; and adds --new posts
to the first board. The capture says when it was taken (2025-01-15 12:00 KST) and covers nothing,
so no post is marked deleted. Deterministic: the same snapshot gives the same file.
"""
import argparse
import json
import os
import re


def front_matter(text):
    """The post's top-level front-matter keys, as raw strings, and its body."""
    head, body = text.split("\n---\n", 1)
    keys = {}
    for line in head.split("\n")[1:]:
        if ":" in line and not line.startswith((" ", "-")):
            key, value = line.split(":", 1)
            keys[key.strip()] = value.strip().strip("\"'")
    return keys, body


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("content")
    ap.add_argument("out")
    ap.add_argument("--seen", type=int, default=9000)
    ap.add_argument("--new", type=int, default=1000)
    args = ap.parse_args()
    posts = []
    boards = sorted(b for b in os.listdir(args.content) if os.path.isdir(os.path.join(args.content, b)))
    for board in boards:
        for name in sorted(os.listdir(os.path.join(args.content, board))):
            if name.endswith(".md"):
                posts.append((board, name[:-3]))
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(json.dumps({"capture": {"captured": "2025-01-15T12:00:00+09:00"}}, ensure_ascii=False) + "\n")
        for i, (board, pid) in enumerate(posts[: args.seen]):
            with open(os.path.join(args.content, board, pid + ".md"), encoding="utf-8") as post:
                keys, body = front_matter(post.read())
            title = keys.get("title", "제목") + (" (수정)" if i % 10 == 0 else "")
            views = int(re.sub(r"\D", "", keys.get("views", "0")) or 0) + 10
            f.write(json.dumps({
                "id": pid, "board": board, "title": title, "author": keys.get("author", "익명"),
                "date": keys.get("date", "2024-01-01T00:00:00+09:00"), "views": views, "body": body,
                "comments": [{"id": f"import-{i}", "date": "2025-01-15T11:00:00+09:00", "body": f"새로 달린 댓글 {i}"}],
            }, ensure_ascii=False) + "\n")
        for i in range(args.new):
            f.write(json.dumps({
                "id": 900000 + i, "board": boards[0], "title": f"새 글 {i}", "date": "2025-01-15T10:00:00+09:00", "body": f"새 글 본문 {i}",
            }, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
