#!/usr/bin/env python3
"""Alternates builds of one snapshot by one or more Bulletin binaries and prints medians.

    python3 Benchmarks/alternate.py --source /tmp/bulletin-vs-hugo/10000-no-search [--runs 9] \\
        [--binary .build/release/bulletin] [--binary /tmp/other-bulletin] [--out /dev/shm]

Each run, for each binary in turn: a cold build (`--clean` into an emptied folder below --out),
then three rebuilds of that output with no change. It prints each binary's median cold build,
median no-change rebuild, and their ratio. Builds of different binaries alternate, so that a
change of the machine's speed (it is shared) falls on all of them alike: to compare two
versions, build both and pass both. The wall time is taken around the process, as a user or a
CI job sees it.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def timed(command):
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", required=True, help="the snapshot (a folder with site.yml)")
    ap.add_argument("--binary", action="append", help="a bulletin executable (repeat to compare)")
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--out", default="/dev/shm" if os.path.isdir("/dev/shm") else "/tmp")
    args = ap.parse_args()
    binaries = args.binary or [os.path.join(HERE, "..", ".build", "release", "bulletin")]
    cold = [[] for _ in binaries]
    same = [[] for _ in binaries]
    for _ in range(args.runs):
        for i, binary in enumerate(binaries):
            output = os.path.join(args.out, f"alternate-{i}")
            shutil.rmtree(output, ignore_errors=True)
            cold[i].append(timed([binary, "build", "--quiet", "--clean", "--source", args.source, "--output", output]))
            for _ in range(3):
                same[i].append(timed([binary, "build", "--quiet", "--source", args.source, "--output", output]))
    for i, binary in enumerate(binaries):
        c, n = statistics.median(cold[i]), statistics.median(same[i])
        print(f"{binary}: cold {c * 1000:.0f} ms, no change {n * 1000:.1f} ms, {100 * n / c:.2f} % of cold")
        output = os.path.join(args.out, f"alternate-{i}")
        shutil.rmtree(output, ignore_errors=True)
        manifest = os.path.join(args.out, f".alternate-{i}.bulletin-manifest")
        if os.path.exists(manifest):
            os.remove(manifest)


if __name__ == "__main__":
    main()
