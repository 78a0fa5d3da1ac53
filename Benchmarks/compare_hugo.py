#!/usr/bin/env python3
"""Times Bulletin and Hugo on the same generated boards, in the same run, and prints a table.

    swift build -c release
    python3 Benchmarks/compare_hugo.py [--posts 1000 10000] [--runs 3] [--work DIR] [--out DIR]

For each size it makes a snapshot with Benchmarks/generate.py and its Hugo equivalent with
Benchmarks/hugo_site.py (kept in --work and reused when present), then alternates cold builds:
`bulletin build` and `hugo` (Debian's `hugo`), each into an emptied folder below --out
(default /dev/shm, a memory file system, so that the disk's speed does not count) and Hugo
with an emptied cache folder. Each build is measured with /usr/bin/time: wall time, CPU time
(user + system) and peak memory (maximum resident set size). It prints the medians, the pages
(HTML files) and bytes each wrote, and Hugo's time and memory as multiples of Bulletin's.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def timed(command, cwd=None):
    """Runs `command` under /usr/bin/time; gives (wall s, cpu s, peak MB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        result = subprocess.run(["/usr/bin/time", "-o", report.name, "-f", "%e %U %S %M"] + command, cwd=cwd,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr}")
        wall, user, system, kb = report.read().split()[-4:]
    return float(wall), float(user) + float(system), int(kb) / 1024


def written(folder):
    pages = size = 0
    for dirpath, _, files in os.walk(folder):
        for name in files:
            size += os.path.getsize(os.path.join(dirpath, name))
            pages += name.endswith(".html")
    return pages, size


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
    args = ap.parse_args()
    version = subprocess.run([args.hugo, "version"], capture_output=True, text=True).stdout.split()[1]
    rows = []
    for count in args.posts:
        snapshot = os.path.join(args.work, str(count))
        hugo_site = os.path.join(args.work, f"{count}-hugo")
        if not os.path.exists(os.path.join(snapshot, "site.yml")):
            subprocess.run([sys.executable, os.path.join(HERE, "generate.py"), "--posts", str(count), "--out", snapshot], check=True,
                           stdout=subprocess.DEVNULL)
        if not os.path.exists(os.path.join(hugo_site, "hugo.toml")):
            subprocess.run([sys.executable, os.path.join(HERE, "hugo_site.py"), snapshot, hugo_site], check=True, stdout=subprocess.DEVNULL)
        bulletin_out = os.path.join(args.out, f"bulletin-{count}")
        hugo_out = os.path.join(args.out, f"hugo-{count}")
        hugo_cache = os.path.join(args.out, f"hugo-cache-{count}")
        measured = {"Bulletin": [], "Hugo": []}
        for run in range(args.runs):
            empty(bulletin_out)
            measured["Bulletin"].append(timed([args.binary, "build", "--quiet", "--source", snapshot, "--output", bulletin_out]))
            empty(hugo_out)
            empty(hugo_cache)
            measured["Hugo"].append(timed([args.hugo, "--quiet", "--source", hugo_site, "--destination", hugo_out, "--cacheDir", hugo_cache]))
            print(f"{count} posts, run {run + 1}: Bulletin {measured['Bulletin'][-1][0]:.2f} s, Hugo {measured['Hugo'][-1][0]:.2f} s", file=sys.stderr)
        medians = {}
        for tool, folder in (("Bulletin", bulletin_out), ("Hugo", hugo_out)):
            runs = measured[tool]
            medians[tool] = tuple(statistics.median(r[i] for r in runs) for i in range(3))
            pages, size = written(folder)
            rows.append((count, tool, *medians[tool], pages, size))
        empty(bulletin_out)
        empty(hugo_out)
        empty(hugo_cache)
        b, h = medians["Bulletin"], medians["Hugo"]
        rows.append((count, "Hugo ÷ Bulletin", h[0] / b[0], h[1] / b[1], h[2] / b[2], None, None))

    print(f"\nMedians of {args.runs} cold builds each; Hugo {version}; output in {args.out}.\n")
    print("| posts | tool | wall | CPU | peak memory | pages | bytes |")
    print("|---|---|---|---|---|---|---|")
    for count, tool, wall, cpu, memory, pages, size in rows:
        if pages is None:
            print(f"| {count:,} | **{tool}** | **{wall:.1f}×** | **{cpu:.1f}×** | **{memory:.1f}×** | | |")
        else:
            print(f"| {count:,} | {tool} | {wall:.2f} s | {cpu:.2f} s | {memory:.0f} MB | {pages:,} | {size / 1e6:.0f} MB |")


if __name__ == "__main__":
    main()
