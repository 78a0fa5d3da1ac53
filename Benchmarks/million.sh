#!/bin/bash
# The million-post run of the README: a cold build (page cache dropped first when allowed), a
# rebuild with no change, one post edited, the edit undone, and a fresh copy of the same
# Bulletin. Each line of timing comes from /usr/bin/time.
#
#   python3 Benchmarks/generate.py --posts 1000000 --out /tmp/snaps/1000000
#   Benchmarks/million.sh [SNAPSHOT] [OUTPUT] [BINARY]
set -u
S=${1:-/tmp/snaps/1000000}
O=${2:-/tmp/out1m}
B=${3:-$(dirname "$0")/../.build/release/bulletin}
t() { echo "== $1"; shift; /usr/bin/time -f "TIME %e s wall, %U s user, %S s system, %M KB peak" "$@" 2>&1; }
rm -rf "$O" "$(dirname "$O")/.$(basename "$O").bulletin-manifest"
sync; (echo 3 > /proc/sys/vm/drop_caches) 2>/dev/null
t "cold build" "$B" build --quiet --source "$S" --output "$O"
t "no change" "$B" build --source "$S" --output "$O"
t "no change, again" "$B" build --source "$S" --output "$O"
POST=$(find "$S/Content" -name '*.md' | sort | head -1)
cp "$POST" /tmp/million-post.bak
python3 - "$POST" <<'PY'
import sys
p = sys.argv[1]
text = open(p, encoding="utf-8").read()
head, body = text.split("\n---\n", 1)
open(p, "w", encoding="utf-8").write(head + "\n---\n" + body.replace(" ", " 고친 ", 1))
PY
t "one post edited ($POST)" "$B" build --source "$S" --output "$O"
cp /tmp/million-post.bak "$POST"
t "edit undone" "$B" build --source "$S" --output "$O"
cp "$B" /tmp/million-bulletin-copy
t "a fresh copy of the same Bulletin" /tmp/million-bulletin-copy build --source "$S" --output "$O"
du -sh "$O"
