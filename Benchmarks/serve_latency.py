#!/usr/bin/env python3
"""Measures `bulletin serve`'s reload latency: from the write of one post file to the `reload`
event on the Server-Sent Events stream that open pages listen to.

    swift build -c release --static-swift-stdlib
    python3 Benchmarks/serve_latency.py --posts 1000 10000 [--runs 9] [--binary .build/release/bulletin]

For each size it generates a snapshot with Benchmarks/generate.py (or reuses --snapshot-dir/<N>),
starts `bulletin serve --port 0` on it, connects to /__bulletin/events, then edits one post's body
RUNS times in each of three ways (its body, its title, a new comment; a different post each
time, one at a time). It times write → `reload` event, then fetches the post as the reloading
page would and times write → edited page served, checking that the edit is in it. Prints the
median, min and max of each, and the server's own rebuild times. The latency includes the
watcher's quiet period (10 ms), which coalesces bursts of changes.
"""
import argparse
import os
import re
import select
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


class EventStream:
    """A raw HTTP/1.1 connection to /__bulletin/events that yields event names."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.sendall(b"GET /__bulletin/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
        self.buffer = b""

    def next_event(self, timeout):
        deadline = time.monotonic() + timeout
        while True:
            # Chunked framing lines are ignored: only "event:" lines matter here.
            match = re.search(rb"event: ([a-z-]+)\n", self.buffer)
            if match:
                self.buffer = self.buffer[match.end():]
                return match.group(1).decode()
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no event")
            ready, _, _ = select.select([self.sock], [], [], left)
            if ready:
                data = self.sock.recv(65536)
                if not data:
                    raise EOFError("event stream closed")
                self.buffer += data


def edit(kind, path, marker):
    """Edits one post the way a user would: its body, its title, or a new comment."""
    if kind == "body":
        with open(path, "a", encoding="utf-8") as f:
            f.write(f"\n{marker}\n")
    elif kind == "title":
        with open(path, encoding="utf-8") as f:
            text = f.read()
        text = re.sub(r"^title: .*$", f"title: \"{marker}\"", text, count=1, flags=re.M)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        comments = path[:-3] + ".comments.yml"
        existing = os.path.exists(comments) and os.path.getsize(comments) > 0
        with open(comments, "a", encoding="utf-8") as f:
            f.write(("\n" if existing else "") + f"- id: {marker}\n  author: \"측정\"\n  date: 2024-06-01T12:00:00+09:00\n  body: \"{marker}\"\n")


def measure(binary, source, runs, timeout):
    server = subprocess.Popen([binary, "serve", "--source", source, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    results = {}
    try:
        line = server.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)(/\S*)", line)
        if not match:
            raise SystemExit(f"the server did not start: {line!r} {server.stderr.read()}")
        port, base = int(match.group(1)), match.group(2)
        events = EventStream(port)
        assert events.next_event(timeout) == "hello"
        posts = sorted(os.path.join(dp, f) for dp, _, fs in os.walk(os.path.join(source, "Content")) for f in fs if f.endswith(".md"))
        step = max(1, len(posts) // (3 * runs + 1))
        n = 0
        for run in range(runs):
            for kind in ("body", "title", "comments"):
                n += 1
                path = posts[n * step]
                marker = f"latency{kind}{run}x{time.time_ns()}"
                start = time.monotonic()
                edit(kind, path, marker)
                while True:
                    name = events.next_event(timeout)
                    if name == "reload":
                        break
                    if name == "build-error":
                        raise SystemExit(f"the {kind} edit of {path} broke the build")
                event = time.monotonic() - start
                board = os.path.relpath(path, os.path.join(source, "Content")).split(os.sep)[0]
                post_id = os.path.basename(path)[:-3]
                # What the reloading page does next: fetch the post again.
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{base}{board}/{post_id}/") as response:
                    body = response.read().decode()
                shown = time.monotonic() - start
                if marker not in body:
                    raise SystemExit(f"the {kind} edit of {path} is not served after the reload")
                results.setdefault(kind, []).append((event, shown))
                time.sleep(0.2)
        return results
    finally:
        server.send_signal(signal.SIGINT)
        try:
            _, err = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            _, err = server.communicate()
        rebuilds = [float(x) for x in re.findall(r"rebuilt .* in ([0-9.]+) s", err)]
        if rebuilds:
            print(f"  server's own rebuild times: median {statistics.median(rebuilds) * 1000:.0f} ms over {len(rebuilds)}", flush=True)
        first = re.search(r"^built .*$", err, re.M)
        if first:
            print(f"  first build: {first.group(0)}", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--posts", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--binary", default=os.path.join(HERE, "..", ".build", "release", "bulletin"))
    ap.add_argument("--snapshot-dir", help="keep generated snapshots here (as <dir>/<posts>) and reuse them")
    ap.add_argument("--timeout", type=float, default=600)
    args = ap.parse_args()
    work = args.snapshot_dir or tempfile.mkdtemp(prefix="bulletin-serve-latency-")
    for count in args.posts:
        source = os.path.join(work, str(count))
        if not os.path.exists(os.path.join(source, "site.yml")):
            subprocess.run([sys.executable, os.path.join(HERE, "generate.py"), "--posts", str(count), "--out", source], check=True, stdout=subprocess.DEVNULL)
        print(f"{count} posts:", flush=True)
        results = measure(args.binary, source, args.runs, args.timeout)
        for kind, pairs in results.items():
            event = sorted(round(e * 1000) for e, _ in pairs)
            shown = sorted(round(s * 1000) for _, s in pairs)
            print(f"  {kind:8} write → reload event: median {statistics.median(event):.0f} ms (min {event[0]}, max {event[-1]}); "
                  f"write → page served: median {statistics.median(shown):.0f} ms (min {shown[0]}, max {shown[-1]}) over {len(pairs)} edits", flush=True)


if __name__ == "__main__":
    main()
