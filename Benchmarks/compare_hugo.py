#!/usr/bin/env python3
"""Times Bulletin and Hugo on the same generated boards, in the same run, and prints a table.

    swift build -c release --static-swift-stdlib
    python3 Benchmarks/compare_hugo.py [--posts 1000 10000] [--runs 3] [--work DIR] [--out DIR]

For each size it makes a snapshot with Benchmarks/generate.py and its Hugo equivalent with
Benchmarks/hugo_site.py (kept in --work and reused when present), then alternates cold builds:
`bulletin build` and `hugo` (Debian's `hugo`), each into an emptied folder below --out
(default /dev/shm, a memory file system, so that the disk's speed does not count) and Hugo
with an emptied cache folder; Bulletin's with `--clean`, so that it does not use the manifest
of its last build. Each build is measured with /usr/bin/time: wall time, CPU time
(user + system) and peak memory (maximum resident set size). It prints the medians, the pages
(HTML files) and bytes each wrote, and Hugo's time and memory as multiples of Bulletin's.

Hugo's site has no search, so Bulletin is compared on the same pages: on a view of the snapshot
(`<count>-no-search/`: its site.yml with `search: false`, its Content/ and Themes/ linked)
that writes no search index. The snapshot as generated, with search, is timed too, and the
table gives what the index adds ("Bulletin with search").

Up to --sort-in-template-up-to posts (default 10,000) it also times Hugo on a second version
of the site whose listing templates sort with `sort` instead of Hugo's cached `.ByParam`
(`hugo_site.py --sort-in-template`): what a Hugo user gets who does not know the difference.

Then it times Bulletin's rebuilds of the last cold build's output: with no change (which must
write no file), and after one post's body is edited (the post's file gets a line more, then
its old text back at the end), and prints the medians with the files each wrote. Rebuilds are
timed without /usr/bin/time around them (only their wall time is reported), whose own start
would be a noticeable part of a 40 ms rebuild.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def without_search(snapshot):
    """A view of `snapshot` that writes no search index: its site.yml with `search: false`, the rest linked."""
    view = snapshot.rstrip("/") + "-no-search"
    os.makedirs(view, exist_ok=True)
    with open(os.path.join(snapshot, "site.yml"), encoding="utf-8") as f:
        settings = [line for line in f.read().splitlines() if not line.startswith("search:")]
    with open(os.path.join(view, "site.yml"), "w", encoding="utf-8") as f:
        f.write("\n".join(settings + ["search: false"]) + "\n")
    for name in ("Content", "Themes"):
        link = os.path.join(view, name)
        if not os.path.islink(link):
            os.symlink(os.path.join(os.path.abspath(snapshot), name), link)
    return view


def timed(command, cwd=None):
    """Runs `command` under /usr/bin/time; gives (wall s, cpu s, peak MB). The wall time is
    taken here, to the microsecond (`time` gives hundredths of a second)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        start = time.perf_counter()
        result = subprocess.run(["/usr/bin/time", "-o", report.name, "-f", "%e %U %S %M"] + command, cwd=cwd,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wall = time.perf_counter() - start
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr}")
        _, user, system, kb = report.read().split()[-4:]
    return wall, float(user) + float(system), int(kb) / 1024


def wall(command):
    """Runs `command` directly (no /usr/bin/time in between: it adds a process start, as much
    as a tenth of a 40 ms rebuild); gives (wall s, its standard output)."""
    start = time.perf_counter()
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr}")
    return seconds, result.stdout


def files_written(stdout):
    """The files a build says it wrote: 'wrote N, removed M', or 0 for 'nothing written'."""
    if "nothing written" in stdout:
        return 0
    return int(stdout.split("wrote ")[1].split(",")[0])


def rebuilds(args, snapshot, output):
    """Medians of Bulletin's no-change and one-edit rebuilds of `output`: (wall, files) each."""
    build = [args.binary, "build", "--source", snapshot, "--output", output]
    posts = sorted(os.path.join(dirpath, name) for dirpath, _, names in os.walk(os.path.join(snapshot, "Content"))
                   for name in names if name.endswith(".md"))
    post = posts[len(posts) // 2]
    with open(post, encoding="utf-8") as f:
        original = f.read()
    same, edited = [], []
    try:
        for run in range(args.runs):
            seconds, said = wall(build)
            same.append((seconds, files_written(said)))
            with open(post, "a", encoding="utf-8") as f:
                f.write(f"\n고친 줄 {run}\n")
            seconds, said = wall(build)
            edited.append((seconds, files_written(said)))
    finally:
        with open(post, "w", encoding="utf-8") as f:
            f.write(original)
    return tuple(statistics.median(r[i] for r in runs) for runs in (same, edited) for i in range(2))


def written(folder):
    pages = size = 0
    for dirpath, _, files in os.walk(folder):
        for name in files:
            size += os.path.getsize(os.path.join(dirpath, name))
            pages += name.endswith(".html")
    return pages, size


def warm(folder):
    """Reads every file below `folder`, so that it is in the page cache."""
    for dirpath, _, files in os.walk(folder):
        for name in files:
            with open(os.path.join(dirpath, name), "rb") as f:
                while f.read(1 << 20):
                    pass


def empty(folder):
    shutil.rmtree(folder, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--posts", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "bulletin-vs-hugo"))
    ap.add_argument("--out", default="/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir())
    ap.add_argument("--binary", default=os.path.join(HERE, "..", ".build", "release", "bulletin"))
    ap.add_argument("--hugo", default=shutil.which("hugo") or "hugo")
    ap.add_argument("--sort-in-template-up-to", type=int, default=10000)
    args = ap.parse_args()
    version = subprocess.run([args.hugo, "version"], capture_output=True, text=True).stdout.split()[1]
    rows = []
    again = []
    for count in args.posts:
        snapshot = os.path.join(args.work, str(count))
        hugo_site = os.path.join(args.work, f"{count}-hugo")
        if not os.path.exists(os.path.join(snapshot, "site.yml")):
            subprocess.run([sys.executable, os.path.join(HERE, "generate.py"), "--posts", str(count), "--out", snapshot], check=True,
                           stdout=subprocess.DEVNULL)
        if not os.path.exists(os.path.join(hugo_site, "hugo.toml")):
            subprocess.run([sys.executable, os.path.join(HERE, "hugo_site.py"), snapshot, hugo_site], check=True, stdout=subprocess.DEVNULL)
        sorting_site = os.path.join(args.work, f"{count}-hugo-sort-in-template") if count <= args.sort_in_template_up_to else None
        if sorting_site and not os.path.exists(os.path.join(sorting_site, "hugo.toml")):
            subprocess.run([sys.executable, os.path.join(HERE, "hugo_site.py"), snapshot, sorting_site, "--sort-in-template"], check=True,
                           stdout=subprocess.DEVNULL)
        searching_snapshot, snapshot = snapshot, without_search(snapshot)
        # Both tools start with their input in the page cache, whatever ran before.
        for folder in (searching_snapshot, hugo_site) + ((sorting_site,) if sorting_site else ()):
            warm(folder)
        bulletin_out = os.path.join(args.out, f"bulletin-{count}")
        hugo_out = os.path.join(args.out, f"hugo-{count}")
        hugo_cache = os.path.join(args.out, f"hugo-cache-{count}")
        measured = {"Bulletin": [], "Bulletin with search": [], "Hugo": [], "Hugo, sort in templates": []}
        for run in range(args.runs):
            empty(bulletin_out)
            measured["Bulletin with search"].append(
                timed([args.binary, "build", "--quiet", "--clean", "--source", searching_snapshot, "--output", bulletin_out]))
            empty(bulletin_out)
            measured["Bulletin"].append(timed([args.binary, "build", "--quiet", "--clean", "--source", snapshot, "--output", bulletin_out]))
            empty(hugo_out)
            empty(hugo_cache)
            measured["Hugo"].append(timed([args.hugo, "--quiet", "--source", hugo_site, "--destination", hugo_out, "--cacheDir", hugo_cache]))
            print(f"{count} posts, run {run + 1}: Bulletin {measured['Bulletin'][-1][0]:.2f} s, Hugo {measured['Hugo'][-1][0]:.2f} s", file=sys.stderr)
            if sorting_site:
                empty(hugo_out)
                empty(hugo_cache)
                measured["Hugo, sort in templates"].append(
                    timed([args.hugo, "--quiet", "--source", sorting_site, "--destination", hugo_out, "--cacheDir", hugo_cache]))
                print(f"  Hugo with sort in templates {measured['Hugo, sort in templates'][-1][0]:.2f} s", file=sys.stderr)
        medians = {}
        for tool, folder in (("Bulletin", bulletin_out), ("Hugo", hugo_out), ("Hugo, sort in templates", hugo_out), ("Bulletin with search", None)):
            runs = measured[tool]
            if not runs:
                continue
            medians[tool] = tuple(statistics.median(r[i] for r in runs) for i in range(3))
            if folder is None:
                continue
            pages, size = written(folder)
            rows.append((count, tool, *medians[tool], pages, size))
        again.append((count, measured["Bulletin"], rebuilds(args, snapshot, bulletin_out)))
        empty(bulletin_out)
        manifest = os.path.join(args.out, f".bulletin-{count}.bulletin-manifest")
        if os.path.exists(manifest):
            os.remove(manifest)
        empty(hugo_out)
        empty(hugo_cache)
        b = medians["Bulletin"]
        for tool in ("Hugo", "Hugo, sort in templates"):
            if tool in medians:
                h = medians[tool]
                rows.append((count, f"{tool} ÷ Bulletin", h[0] / b[0], h[1] / b[1], h[2] / b[2], None, None))
        s = medians["Bulletin with search"]
        rows.append((count, "Bulletin with search ÷ Bulletin", s[0] / b[0], s[1] / b[1], s[2] / b[2], None, None))

    print(f"\nMedians of {args.runs} cold builds each; Hugo {version}; output in {args.out}.\n")
    print("| posts | tool | wall | CPU | peak memory | pages | bytes |")
    print("|---|---|---|---|---|---|---|")
    for count, tool, wall, cpu, memory, pages, size in rows:
        if pages is None:
            # Two decimals: the search index's cost is judged against a limit of 1.2×.
            print(f"| {count:,} | **{tool}** | **{wall:.2f}×** | **{cpu:.2f}×** | **{memory:.2f}×** | | |")
        else:
            print(f"| {count:,} | {tool} | {wall:.2f} s | {cpu:.2f} s | {memory:.0f} MB | {pages:,} | {size / 1e6:.0f} MB |")

    print(f"\nBulletin rebuilding its last output (medians of {args.runs}):\n")
    print("| posts | cold build | no change | ÷ cold | files written | one post edited | files written |")
    print("|---|---|---|---|---|---|---|")
    for count, cold, (same, same_files, edited, edited_files) in again:
        cold_wall = statistics.median(r[0] for r in cold)
        print(f"| {count:,} | {cold_wall:.3f} s | {same:.3f} s | {same / cold_wall:.1%} | {same_files:.0f} | {edited:.2f} s | {edited_files:.0f} |")


if __name__ == "__main__":
    main()
