#!/usr/bin/env bash
# Load check of `bulletin serve`: wrk (Debian's `wrk`) with 64 connections on two threads for
# 10 seconds, against the home page, a post, the tag list, the feed and the style sheet of a
# generated snapshot.
# Fails when wrk reports a socket error or a response that is not 2xx/3xx, or fewer than
# 10,000 requests.
#
#     swift build -c release --static-swift-stdlib && bash Benchmarks/serve_load.sh [POSTS] [BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
posts=${1:-1000}
binary=${2:-.build/release/bulletin}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)"; exit 1; }
work=$(mktemp -d)
trap 'kill -INT $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
python3 Benchmarks/generate.py --posts "$posts" --out "$work/site" >/dev/null
"$binary" serve --source "$work/site" --port 0 >"$work/out" 2>"$work/err" &
server=$!
for _ in $(seq 600); do grep -q "serving at" "$work/out" && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$work/out")
page=$(curl -s "$url" | grep -o 'href="/[a-z0-9_-]*/[0-9][0-9]*/"' | head -1 | cut -d'"' -f2)
cat >"$work/paths.lua" <<LUA
local paths = {"/", "$page", "/tags/", "/feed.xml", "/css/bulletin.css"}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
LUA
echo "wrk on $url (paths: / $page /tags/ /feed.xml /css/bulletin.css)"
wrk -t2 -c64 -d10s --latency -s "$work/paths.lua" "${url%/}" | tee "$work/wrk"
requests=$(awk '/requests in/ {print $1}' "$work/wrk")
if grep -q "Socket errors" "$work/wrk"; then echo "FAIL: socket errors"; exit 1; fi
if grep -q "Non-2xx or 3xx responses" "$work/wrk"; then echo "FAIL: responses that are not 2xx/3xx"; exit 1; fi
if [ "$requests" -lt 10000 ]; then echo "FAIL: only $requests requests"; exit 1; fi
echo "ok: $requests requests over 64 connections, no socket error"
