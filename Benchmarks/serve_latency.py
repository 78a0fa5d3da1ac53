#!/usr/bin/env python3
"""Measures `bulletin serve`'s reload latency: from the write of one post file to the `reload`
event on the Server-Sent Events stream that open pages listen to.

    swift build -c release
    python3 Benchmarks/serve_latency.py --posts 1000 10000 [--runs 9] [--binary .build/release/bulletin]

For each size it generates a snapshot with Benchmarks/generate.py (or reuses --snapshot-dir/<N>),
starts `bulletin serve --port 0` on it, connects to /__bulletin/events, then edits one post's body
RUNS times (a different post each time, one at a time) and times write → `reload`. After each
reload it fetches the post and checks that the edit is served. Prints the median, min and max,
and the server's own rebuild times. The latency includes the watcher's quiet period (75 ms),
which coalesces bursts of changes.
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


def measure(binary, source, runs, timeout):
    server = subprocess.Popen([binary, "serve", "--source", source, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)(/\S*)", line)
        if not match:
            raise SystemExit(f"the server did not start: {line!r} {server.stderr.read()}")
        port, base = int(match.group(1)), match.group(2)
        events = EventStream(port)
        assert events.next_event(timeout) == "hello"
        posts = sorted(os.path.join(dp, f) for dp, _, fs in os.walk(os.path.join(source, "Content")) for f in fs if f.endswith(".md"))
        step = max(1, len(posts) // (runs + 1))
        latencies = []
        for run in range(runs):
            path = posts[(run + 1) * step]
            marker = f"serve-latency-marker-{run}-{time.time_ns()}"
            with open(path, "a", encoding="utf-8") as f:
                f.write(f"\n{marker}\n")
            start = time.monotonic()
            while True:
                name = events.next_event(timeout)
                if name == "reload":
                    break
                if name == "build-error":
                    raise SystemExit("the edit broke the build")
            latencies.append(time.monotonic() - start)
            board = os.path.relpath(path, os.path.join(source, "Content")).split(os.sep)[0]
            post_id = os.path.basename(path)[:-3]
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{base}{board}/{post_id}/") as response:
                if marker not in response.read().decode():
                    raise SystemExit(f"the edit of {path} is not served after the reload")
            time.sleep(0.3)
        return latencies
    finally:
        server.send_signal(signal.SIGINT)
        try:
            _, err = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            _, err = server.communicate()
        rebuilds = re.findall(r"rebuilt .* in ([0-9.]+) s", err)
        if rebuilds:
            print(f"  server's own rebuild times: median {statistics.median(map(float, rebuilds)):.3f} s", flush=True)


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
        latencies = measure(args.binary, source, args.runs, args.timeout)
        ms = sorted(round(x * 1000) for x in latencies)
        print(f"  write → reload event: median {statistics.median(ms):.0f} ms, min {ms[0]} ms, max {ms[-1]} ms over {len(ms)} edits", flush=True)


if __name__ == "__main__":
    main()
