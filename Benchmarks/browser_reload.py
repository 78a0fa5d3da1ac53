#!/usr/bin/env python3
"""Measures what a user sees: the time from the write of a post file to the reloaded page in
a real browser (headless Chromium) showing the edit.

    swift build -c release --static-swift-stdlib
    pip install websocket-client
    python3 Benchmarks/browser_reload.py --snapshot /tmp/snap10k [--runs 7] [--binary .build/release/bulletin]

It starts `bulletin serve --port 0` on the snapshot (make one with Benchmarks/generate.py),
opens one post in headless Chromium with the DevTools protocol on, and RUNS times appends a
marker line to that post's file. Each time it waits for the page's `DOMContentLoaded` after
the reload that the injected script starts, reads the page's text, checks that the marker is
in it, and times write → that event. Prints the median, min and max.
"""
import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
import urllib.request

import websocket

HERE = os.path.dirname(os.path.abspath(__file__))


class DevTools:
    def __init__(self, url):
        self.ws = websocket.create_connection(url, timeout=60)
        self.next_id = 0

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                return message.get("result", {})

    def drain(self):
        """Drops the events received so far."""
        self.ws.settimeout(0.05)
        try:
            while True:
                self.ws.recv()
        except websocket.WebSocketTimeoutException:
            pass

    def wait_for(self, event, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.ws.settimeout(max(0.01, deadline - time.monotonic()))
            message = json.loads(self.ws.recv())
            if message.get("method") == event:
                return message
        raise TimeoutError(event)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--snapshot", required=True)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--binary", default=os.path.join(HERE, "..", ".build", "release", "bulletin"))
    ap.add_argument("--browser", default=shutil.which("chromium") or "chromium")
    args = ap.parse_args()

    server = subprocess.Popen([args.binary, "serve", "--source", args.snapshot, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    profile = tempfile.mkdtemp(prefix="bulletin-browser-")
    browser = None
    try:
        match = re.search(r"http://127\.0\.0\.1:(\d+)(/\S*)", server.stdout.readline())
        if not match:
            raise SystemExit("the server did not start")
        port, base = int(match.group(1)), match.group(2)
        posts = sorted(os.path.join(dp, f) for dp, _, fs in os.walk(os.path.join(args.snapshot, "Content")) for f in fs if f.endswith(".md"))
        path = posts[len(posts) // 2]
        board = os.path.relpath(path, os.path.join(args.snapshot, "Content")).split(os.sep)[0]
        page = f"http://127.0.0.1:{port}{base}{board}/{os.path.basename(path)[:-3]}/"
        browser = subprocess.Popen(
            [args.browser, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}", "--remote-debugging-port=0", page],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        endpoint = None
        for line in browser.stderr:
            found = re.search(r"DevTools listening on (ws://\S+)", line)
            if found:
                endpoint = found.group(1)
                break
        http = endpoint.replace("ws://", "http://").split("/devtools/")[0]
        target = None
        for _ in range(100):
            targets = json.load(urllib.request.urlopen(http + "/json/list"))
            target = next((t for t in targets if t.get("type") == "page" and t.get("url", "").startswith(page)), None)
            if target:
                break
            time.sleep(0.1)
        tools = DevTools(target["webSocketDebuggerUrl"])
        tools.call("Page.enable")
        tools.call("Runtime.enable")
        # Let the page load and its event stream connect.
        time.sleep(2)
        times = []
        for run in range(args.runs):
            marker = f"browser{run}x{time.time_ns()}"
            tools.drain()
            start = time.monotonic()
            with open(path, "a", encoding="utf-8") as f:
                f.write(f"\n{marker}\n")
            tools.wait_for("Page.domContentEventFired", 30)
            elapsed = time.monotonic() - start
            text = tools.call("Runtime.evaluate", expression="document.body.innerText")["result"]["value"]
            if marker not in text:
                raise SystemExit(f"run {run}: the reloaded page does not show the edit")
            times.append(elapsed)
            time.sleep(1)
        ms = sorted(round(t * 1000) for t in times)
        print(f"{len(posts)} posts: write → reloaded page showing the edit (DOMContentLoaded): median {statistics.median(ms):.0f} ms, min {ms[0]}, max {ms[-1]} over {len(ms)} edits")
    finally:
        if browser:
            browser.kill()
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
