#!/usr/bin/env python3
"""Writes a deterministic, realistic board snapshot in Bulletin's content format.

    python3 Benchmarks/generate.py --posts 10000 --out /tmp/snap10k [--boards 4] [--seed 1]
        [--base-url https://example.org/mirror/]

Korean titles and bodies with a long tail of lengths, comment threads with nested replies
(a long tail up to hundreds per post), Korean and English tags, notices, deleted posts,
some posts in sub-folders, and a few image attachments. The same arguments always give the
same files.
"""
import argparse
import os
import random
import zlib
import struct

SYLLABLES = "가나다라마바사아자차카타파하게시판글댓추천조회익명오늘내일점심저녁게임코드질문답변서울부산날씨회사출근퇴근주말여행사진음악영화책커피라면치킨고양이강아지"
WORDS = [
    "게시판", "오늘", "점심", "퇴근", "주말", "게임", "업데이트", "질문", "답변", "추천", "후기", "사진", "날씨", "출근길",
    "라면", "치킨", "커피", "고양이", "강아지", "영화", "드라마", "음악", "여행", "서울", "부산", "회사", "팀장", "코드",
    "버그", "배포", "서버", "스위프트", "파이썬", "키보드", "모니터", "의자", "운동", "다이어트", "장마", "에어컨",
]
PARTICLES = ["은", "는", "이", "가", "을", "를", "에서", "으로", "도", "만", "까지", "처럼", ""]
ENDINGS = ["했음", "했는데", "인 듯", "하네요", "ㅋㅋ", "입니다.", "같아요.", "아님?", "좋다", "별로임", "함."]
TAGS = ["게임", "일상", "질문", "점심", "Swift", "swift", "Python", "AI", "여행", "영화", "음악", "회사", "스팀", "후기", "사진", "공지"]
AUTHORS = ["익명"] * 12 + ["고블린", "dev_kim", "mint_choco", "냥집사", "관리인", "커피중독"]


def sentence(rng, words=None):
    n = words or rng.randint(4, 14)
    parts = []
    for _ in range(n):
        w = rng.choice(WORDS) if rng.random() < 0.8 else "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        parts.append(w + rng.choice(PARTICLES))
    return " ".join(parts) + " " + rng.choice(ENDINGS)


def paragraph(rng):
    return " ".join(sentence(rng) for _ in range(rng.randint(1, 5)))


def body_length(rng):
    # a long tail: most posts are short, a few are long articles
    r = rng.random()
    if r < 0.6:
        return rng.randint(1, 3)
    if r < 0.9:
        return rng.randint(3, 8)
    if r < 0.99:
        return rng.randint(8, 25)
    return rng.randint(25, 80)


def comment_count(rng):
    r = rng.random()
    if r < 0.35:
        return 0
    if r < 0.8:
        return rng.randint(1, 6)
    if r < 0.97:
        return rng.randint(6, 30)
    return rng.randint(30, 300)


def png(width, height, seed):
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            row += bytes(((x * 3 + seed) % 256, (y * 2 + seed * 7) % 256, (x + y + seed * 13) % 256))
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def iso(t):
    # t: seconds since 2024-01-01T00:00:00+09:00
    import datetime
    base = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=9)))
    return (base + datetime.timedelta(seconds=t)).isoformat()


def quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--posts", type=int, default=1000)
    ap.add_argument("--boards", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--base-url", default="/")
    ap.add_argument("--theme", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Themes"))
    args = ap.parse_args()
    rng = random.Random(args.seed)
    out = args.out
    os.makedirs(os.path.join(out, "Content"), exist_ok=True)
    with open(os.path.join(out, "site.yml"), "w", encoding="utf-8") as f:
        f.write(f"title: 생성된 게시판 {args.posts}\nbase_url: {args.base_url}\ntimezone: Asia/Seoul\nper_page: 20\nbest_threshold: 10\n")
    themes = os.path.join(out, "Themes")
    if not os.path.exists(themes):
        os.symlink(os.path.abspath(args.theme), themes)
    boards = [f"board{b + 1}" for b in range(args.boards)]
    for b, slug in enumerate(boards):
        os.makedirs(os.path.join(out, "Content", slug), exist_ok=True)
        with open(os.path.join(out, "Content", slug, "_board.yml"), "w", encoding="utf-8") as f:
            f.write(f"title: 게시판 {b + 1}\ndescription: {sentence(rng, 5)}\nsort: {'activity' if b % 2 == 0 else 'date'}\nweight: {b}\n")
    span = 365 * 86400
    comments_total = 0
    for i in range(args.posts):
        slug = boards[i % len(boards)]
        pid = 100000 + i
        t = int(span * i / max(1, args.posts)) + rng.randint(0, 3600)
        folder = os.path.join(out, "Content", slug)
        if i % 10 == 7:
            folder = os.path.join(folder, f"{(t // (30 * 86400)) + 1:02d}")
            os.makedirs(folder, exist_ok=True)
        title = sentence(rng, rng.randint(2, 7))
        tags = sorted(set(rng.sample(TAGS, rng.randint(0, 3))))
        n = comment_count(rng)
        lines = ["---", f"title: {quote(title)}", f"date: {iso(t)}"]
        author = rng.choice(AUTHORS)
        if author != "익명" or rng.random() < 0.5:
            lines.append(f"author: {quote(author)}")
        lines.append(f"views: {rng.randint(10, 2000)}")
        lines.append(f"recommends: {min(60, int(rng.paretovariate(1.3)) - 1)}")
        if tags:
            lines.append("tags: [" + ", ".join(quote(tg) for tg in tags) + "]")
        if i % 997 == 5:
            lines.append("notice: true")
        if i % 211 == 3:
            lines.append("deleted: true")
        lines.append("---")
        paragraphs = [paragraph(rng) for _ in range(body_length(rng))]
        if i % 13 == 0:
            paragraphs.insert(1, "참고: https://example.com/ref/" + str(pid) + " 여기 봐")
        if i % 17 == 0:
            paragraphs.append("- " + sentence(rng, 3) + "\n- " + sentence(rng, 3))
        if i % 500 == 1:
            os.makedirs(os.path.join(folder, str(pid)), exist_ok=True)
            with open(os.path.join(folder, str(pid), "image.png"), "wb") as f:
                f.write(png(64, 40, i))
            paragraphs.append(f"![첨부 이미지]({pid}/image.png)")
        with open(os.path.join(folder, f"{pid}.md"), "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n" + "\n\n".join(paragraphs) + "\n")
        if n:
            ct = t
            out_lines = []
            for c in range(1, n + 1):
                ct += rng.randint(30, 3600)
                out_lines.append(f"- id: {c}")
                if c > 1 and rng.random() < 0.45:
                    out_lines.append(f"  reply_to: {rng.randint(max(1, c - 5), c - 1)}")
                a = rng.choice(AUTHORS)
                if a != "익명":
                    out_lines.append(f"  author: {quote(a)}")
                out_lines.append(f"  date: {iso(ct)}")
                if rng.random() < 0.02:
                    out_lines.append("  deleted: true")
                else:
                    out_lines.append(f"  body: {quote(sentence(rng))}")
                if rng.random() < 0.2:
                    out_lines.append(f"  recommends: {rng.randint(1, 9)}")
            comments_total += n
            with open(os.path.join(folder, f"{pid}.comments.yml"), "w", encoding="utf-8") as f:
                f.write("\n".join(out_lines) + "\n")
    print(f"wrote {args.posts} posts, {comments_total} comments in {len(boards)} boards to {out}")


if __name__ == "__main__":
    main()
