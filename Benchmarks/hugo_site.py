#!/usr/bin/env python3
"""Turns a Bulletin snapshot (Benchmarks/generate.py) into the equivalent Hugo site, so that
both tools can be timed on the same content.

    python3 Benchmarks/hugo_site.py SNAPSHOT OUT [--sort-in-template]

The Hugo site has the same pages with the same markup as Bulletin's default theme, built the
way a Hugo user would build them:
- each post is a leaf bundle `content/<board>/<id>/index.md` (front matter and Markdown body)
  with its comments as a page resource `comments.json` and its attachments beside it;
- each board is a section, paginated 20 a page (`.Paginate`), with its 추천글 listing as a
  branch bundle `content/<board>/best/` that paginates the board's posts with enough recommends;
- tags, and the year, month and day archives, are taxonomies (`tags`, `years`, `months`,
  `days`), each with its list of terms and a paginated page per term;
- RSS feeds for the site and each board, and the sitemap (Hugo's own).

Listings use Hugo's cached sorts (`.ByParam`, `.Reverse`), as a Hugo user would write them;
with `--sort-in-template` they sort with the `sort` function instead
(`sort .RegularPages "Params.sort_key" "desc"`), which Hugo does again on every page of a listing.
Comments are written in thread order with their depth, worked out here, so Hugo only loops
over them (Bulletin orders threads itself while rendering). Threads are not split into pages of
200 as Bulletin splits them; that gives Hugo fewer, larger pages.
"""
import json
import os
import re
import shutil
import sys

import yaml

PER_PAGE = 20
BEST_THRESHOLD = 10


def front_matter(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    _, head, body = text.split("---\n", 2)
    return yaml.safe_load(head), body


def thread_order(comments):
    children, roots = {}, []
    for c in comments:
        parent = c.get("reply_to")
        (children.setdefault(parent, []) if parent is not None else roots).append(c)
    out, stack = [], [(c, 0) for c in reversed(roots)]
    while stack:
        c, depth = stack.pop()
        out.append((c, depth))
        for child in reversed(children.get(c["id"], [])):
            stack.append((child, depth + 1))
    return out


def iso(value):
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


LAYOUTS = {
    "_default/baseof.html": """<!doctype html>
<html lang="ko">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ block "title" . }}{{ .Title }} - {{ site.Title }}{{ end }}</title>
<link rel="canonical" href="{{ .Permalink }}">
<link rel="stylesheet" href="{{ "css/bulletin.css" | relURL }}">
</head>
<body class="page-{{ .Kind }}">
<a class="skip-link" href="#main">본문 바로가기</a>
<header class="site-header">
<div class="wrap site-header-inner">
<a class="site-title" href="{{ "/" | relURL }}">{{ site.Title }}</a>
<nav class="site-nav" aria-label="게시판">
<ul>
{{- $current := .Section }}
{{- range site.Sections.ByWeight }}
<li><a href="{{ .RelPermalink }}"{{ if eq .Section $current }} aria-current="page"{{ end }}>{{ .Title }}</a></li>
{{- end }}
</ul>
</nav>
<nav class="site-tools" aria-label="둘러보기">
<ul>
<li><a href="{{ "tags/" | relURL }}">태그</a></li>
<li><a href="{{ "years/" | relURL }}">보관함</a></li>
</ul>
</nav>
</div>
</header>
<main id="main" class="wrap">
{{ block "main" . }}{{ end }}
</main>
<footer class="site-footer"><div class="wrap"><a href="{{ "index.xml" | relURL }}">RSS</a></div></footer>
</body>
</html>
""",
    "partials/listing.html": """<table class="listing">
<thead>
<tr>
<th scope="col" class="col-date">날짜</th>
<th scope="col" class="col-title">제목</th>
<th scope="col" class="col-author">작성자</th>
<th scope="col" class="col-activity">최근 활동</th>
<th scope="col" class="col-views">조회</th>
<th scope="col" class="col-rec">추천</th>
</tr>
</thead>
<tbody>
{{- range .Pages }}
<tr class="row{{ if .Params.notice }} is-notice{{ end }}{{ if .Params.deleted }} is-deleted{{ end }}">
<td class="col-date"><time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">{{ .Date.Format "06.01.02" }}</time></td>
<td class="col-title">{{ if .Params.notice }}<span class="badge badge-notice">공지</span> {{ end }}<a class="row-link" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ with .Params.comment_count }} <span class="comment-count" title="댓글 {{ . }}개">[{{ . }}]</span>{{ end }}{{ if .Params.deleted }} <span class="deleted-mark">(삭제됨)</span>{{ end }}</td>
<td class="col-author">{{ .Params.author }}</td>
<td class="col-activity"><time datetime="{{ .Lastmod.Format "2006-01-02T15:04:05-07:00" }}">{{ .Lastmod.Format "06.01.02 15:04:05" }}</time></td>
<td class="col-views">{{ .Params.views }}</td>
<td class="col-rec">{{ with .Params.recommends }}{{ . }}{{ end }}</td>
</tr>
{{- end }}
</tbody>
</table>
{{ template "_internal/pagination.html" .Context }}
""",
    "_default/list.html": """{{ define "main" }}
<h1>{{ .Title }}</h1>
<nav class="tabs"><a href="{{ .RelPermalink }}" aria-current="page">전체글</a> <a href="{{ .RelPermalink }}best/">추천글</a></nav>
{{ $paginator := .Paginate (.RegularPages.ByParam "sort_key").Reverse }}
{{ partial "listing.html" (dict "Pages" $paginator.Pages "Context" .) }}
{{ end }}
""",
    "_default/best.html": """{{ define "main" }}
<h1>{{ .Parent.Title }} 추천글</h1>
<nav class="tabs"><a href="{{ .Parent.RelPermalink }}">전체글</a> <a href="{{ .RelPermalink }}" aria-current="page">추천글</a></nav>
{{ $paginator := .Paginate (where (.Parent.RegularPages.ByParam "sort_key").Reverse "Params.recommends" "ge" """ + str(BEST_THRESHOLD) + """) }}
{{ partial "listing.html" (dict "Pages" $paginator.Pages "Context" .) }}
{{ end }}
""",
    "_default/single.html": """{{ define "main" }}
<article class="post">
<header class="post-header">
<p class="post-board"><a href="{{ .Parent.RelPermalink }}">{{ .Parent.Title }}</a></p>
<h1 class="post-title">{{ .Title }}</h1>
<dl class="post-meta">
<dt>작성자</dt><dd>{{ .Params.author }}</dd>
<dt>작성일</dt><dd><time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">{{ .Date.Format "06.01.02 15:04:05" }}</time></dd>
<dt>조회</dt><dd>{{ .Params.views }}</dd>
<dt>추천</dt><dd>{{ .Params.recommends }}</dd>
</dl>
</header>
<div class="post-body">
{{ .Content }}
</div>
{{ with .Params.tags }}<ul class="post-tags">{{ range . }}<li><a href="{{ (printf "tags/%s/" (. | urlize)) | relURL }}">#{{ . }}</a></li>{{ end }}</ul>{{ end }}
<nav class="post-nav">
{{ with .PrevInSection }}<a rel="next" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .NextInSection }}<a rel="prev" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
</nav>
</article>
{{ with .Resources.GetMatch "comments.json" }}
{{ $comments := . | transform.Unmarshal }}
<section class="comments">
<h2>댓글 {{ len $comments }}</h2>
<ol class="comment-list">
{{- range $comments }}
<li class="comment depth-{{ .depth }}{{ if .deleted }} is-deleted{{ end }}" id="c-{{ .id }}">
<p class="comment-meta"><span class="comment-author">{{ .author }}</span> <time datetime="{{ .date }}">{{ .date }}</time>{{ with .reply_to_author }} <span class="reply-to">↳ {{ . }}</span>{{ end }}</p>
<div class="comment-body">{{ .body | markdownify }}</div>
</li>
{{- end }}
</ol>
</section>
{{ end }}
{{ end }}
""",
    "_default/terms.html": """{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul class="tag-cloud">
{{- range .Data.Terms.Alphabetical }}
<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> <span class="count">{{ .Count }}</span></li>
{{- end }}
</ul>
{{ end }}
""",
    "_default/term.html": """{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ $paginator := .Paginate .Pages.ByDate.Reverse }}
{{ partial "listing.html" (dict "Pages" $paginator.Pages "Context" .) }}
{{ end }}
""",
    "index.html": """{{ define "main" }}
{{- range site.Sections.ByWeight }}
<section class="home-board">
<h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
{{ partial "listing-rows.html" (first 10 (where (.RegularPages.ByParam "sort_key").Reverse "Params.notice" "!=" true)) }}
</section>
{{- end }}
{{ end }}
""",
    "partials/listing-rows.html": """<ul class="home-rows">
{{- range . }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <span class="author">{{ .Params.author }}</span></li>
{{- end }}
</ul>
""",
}


def main():
    arguments = [a for a in sys.argv[1:] if a != "--sort-in-template"]
    if len(arguments) != 2:
        raise SystemExit(__doc__)
    source, out = arguments
    if "--sort-in-template" in sys.argv:
        for name, text in LAYOUTS.items():
            LAYOUTS[name] = re.sub(r'\(([\w.]+)\.ByParam "sort_key"\)\.Reverse', r'(sort \1 "Params.sort_key" "desc")', text)
    if os.path.exists(out):
        shutil.rmtree(out)
    content = os.path.join(source, "Content")
    with open(os.path.join(source, "site.yml"), encoding="utf-8") as f:
        site = yaml.safe_load(f)
    os.makedirs(os.path.join(out, "content"))
    with open(os.path.join(out, "hugo.toml"), "w", encoding="utf-8") as f:
        f.write(f"""baseURL = "/"
languageCode = "ko"
title = {json.dumps(site["title"])}
timeZone = "Asia/Seoul"
paginate = {PER_PAGE}
[taxonomies]
tag = "tags"
year = "years"
month = "months"
day = "days"
[outputs]
home = ["HTML", "RSS"]
section = ["HTML", "RSS"]
taxonomy = ["HTML"]
term = ["HTML"]
page = ["HTML"]
[markup.goldmark.renderer]
unsafe = false
""")
    for relative, text in LAYOUTS.items():
        path = os.path.join(out, "layouts", relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    css = os.path.join(source, "Themes", "default", "static", "css", "bulletin.css")
    os.makedirs(os.path.join(out, "static", "css"))
    shutil.copy(css, os.path.join(out, "static", "css", "bulletin.css"))

    posts = 0
    for board in sorted(os.listdir(content)):
        folder = os.path.join(content, board)
        if not os.path.isdir(folder):
            continue
        with open(os.path.join(folder, "_board.yml"), encoding="utf-8") as f:
            settings = yaml.safe_load(f)
        section = os.path.join(out, "content", board)
        os.makedirs(os.path.join(section, "best"))
        activity = settings.get("sort") == "activity"
        with open(os.path.join(section, "_index.md"), "w", encoding="utf-8") as f:
            f.write(json.dumps({"title": settings["title"], "description": settings.get("description", ""), "weight": settings.get("weight", 0) + 1},
                               ensure_ascii=False) + "\n")
        with open(os.path.join(section, "best", "_index.md"), "w", encoding="utf-8") as f:
            f.write(json.dumps({"title": settings["title"] + " 추천글", "layout": "best"}, ensure_ascii=False) + "\n")
        for dirpath, _, files in os.walk(folder):
            for name in sorted(files):
                if not name.endswith(".md"):
                    continue
                meta, body = front_matter(os.path.join(dirpath, name))
                pid = name[:-3]
                bundle = os.path.join(section, pid)
                os.makedirs(bundle)
                comments = []
                comment_file = os.path.join(dirpath, pid + ".comments.yml")
                if os.path.exists(comment_file):
                    with open(comment_file, encoding="utf-8") as f:
                        comments = yaml.safe_load(f) or []
                authors = {c["id"]: c.get("author", "익명") for c in comments}
                ordered = []
                for c, depth in thread_order(comments):
                    ordered.append({
                        "id": c["id"], "author": c.get("author", "익명"), "date": iso(c["date"]), "body": c.get("body", ""),
                        "deleted": bool(c.get("deleted")), "depth": min(depth, 5), "reply_to_author": authors.get(c.get("reply_to")),
                    })
                date = meta["date"]
                updated = max([date] + [c["date"] for c in comments])
                fm = {
                    "title": meta["title"], "date": iso(date), "lastmod": iso(updated), "author": meta.get("author", "익명"),
                    "views": meta.get("views", 0), "recommends": meta.get("recommends", 0), "comment_count": len(comments),
                    "notice": bool(meta.get("notice")), "deleted": bool(meta.get("deleted")), "tags": meta.get("tags", []),
                    "years": [date.strftime("%Y")], "months": [date.strftime("%Y-%m")], "days": [date.strftime("%Y-%m-%d")],
                    "sort_key": iso(updated if activity else date),
                }
                with open(os.path.join(bundle, "index.md"), "w", encoding="utf-8") as f:
                    f.write(json.dumps(fm, ensure_ascii=False) + "\n\n" + body)
                if ordered:
                    with open(os.path.join(bundle, "comments.json"), "w", encoding="utf-8") as f:
                        json.dump(ordered, f, ensure_ascii=False)
                attachments = os.path.join(dirpath, pid)
                if os.path.isdir(attachments):
                    shutil.copytree(attachments, os.path.join(bundle, pid))
                posts += 1
    print(f"wrote the Hugo site of {posts} posts to {out}")


if __name__ == "__main__":
    main()
