#!/usr/bin/env python3
"""Measures the interactive REPL as a person meets it, through a pseudo-terminal.

Run by scripts/bench-repl.sh, which builds the binary and the repository. Three figures:

1. prompt ready: time from starting `hone` to its first prompt (rustyline turning bracketed paste
   on and drawing `> `), in a repository of 10,000 files, with a cold index cache (first start)
   and a warm one;
2. idle RSS at the prompt: right when the prompt appears, and a few seconds later (the map is
   made by a `hone map` child process, whose time and peak RSS are reported too);
3. RSS after a 50-turn scripted session: each answer is markdown with a highlighted code block,
   every fifth turn proposes an edit that is approved with `y`.

The model is a tiny OpenAI-compatible SSE server in this file (127.0.0.1, ephemeral port), so
the figures measure hone, not a network.
"""

import http.server
import json
import os
import pty
import re
import resource
import select
import subprocess
import shutil
import signal
import statistics
import sys
import threading
import time

HONE, REPO, HOME = sys.argv[1], sys.argv[2], sys.argv[3]
PROMPT = re.compile(rb"\x1b\[\?2004h(?:\x1b\[[0-9;?]*[a-zA-Z]|\r)*>(?:\x1b\[[0-9;]*m)* ")

ANSWER = """## Turn {n}

Here is what the change does:

- reads the **configuration** once, at start-up
- keeps the `Index` in memory and *never* rescans
- answers in well under a millisecond

```rust
/// Turn {n}: sums the sizes of the files in the index.
pub fn total_size(index: &Index) -> u64 {{
    index.files().iter().map(|f| f.size).sum::<u64>() // {n}
}}
```

> Note: the numbers above come from a scripted server.
"""


def sse(chunks):
    out = []
    for c in chunks:
        out.append("data: " + json.dumps(c) + "\n\n")
    out.append("data: [DONE]\n\n")
    return "".join(out).encode()


def chunk(delta, finish=None):
    return {"id": "b", "object": "chat.completion.chunk", "model": "m",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


def usage():
    return {"id": "b", "object": "chat.completion.chunk", "model": "m", "choices": [],
            "usage": {"prompt_tokens": 1000, "completion_tokens": 200, "total_tokens": 1200,
                      "prompt_cache_hit_tokens": 900, "prompt_cache_miss_tokens": 100}}


class Model(http.server.BaseHTTPRequestHandler):
    turns = 0
    lock = threading.Lock()

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        last = body["messages"][-1]
        with Model.lock:
            if last["role"] == "user":
                Model.turns += 1
            n = Model.turns
        if "summar" in (last.get("content") or "").lower()[:300]:
            chunks = [chunk({"role": "assistant", "content": "Summary of the session so far."}),
                      chunk({}, "stop"), usage()]
        elif last["role"] == "user" and n % 5 == 0:
            args = json.dumps({"path": f"notes/turn_{n}.md", "content": f"# Turn {n}\n" * 20})
            chunks = [chunk({"role": "assistant", "tool_calls": [
                {"index": 0, "id": f"c{n}", "type": "function",
                 "function": {"name": "write_file", "arguments": args}}]}),
                chunk({}, "tool_calls"), usage()]
        else:
            text = ANSWER.format(n=n)
            pieces = [text[i:i + 24] for i in range(0, len(text), 24)]
            chunks = [chunk({"role": "assistant"})]
            chunks += [chunk({"content": p}) for p in pieces]
            chunks += [chunk({}, "stop"), usage()]
        data = sse(chunks)
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def serve():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Model)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/v1"


def env():
    e = {"HOME": HOME, "XDG_CONFIG_HOME": HOME + "/.config", "XDG_STATE_HOME": HOME + "/.local/state",
         "XDG_CACHE_HOME": HOME + "/.cache", "TERM": "xterm-256color", "PATH": os.environ["PATH"]}
    return e


class Hone:
    def __init__(self, url, extra=()):
        self.start = time.perf_counter()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.chdir(REPO)
            os.execve(HONE, [HONE, "--provider", "llamacpp", "--base-url", url, *extra], env())
        self.buf = b""

    def expect(self, pattern, timeout=30):
        deadline = time.perf_counter() + timeout
        while True:
            m = pattern.search(self.buf)
            if m:
                before, self.buf = self.buf[:m.start()], self.buf[m.end():]
                self.matched = m.group(0)
                return before
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"waited for {pattern.pattern!r}; got {self.buf[-400:]!r}")
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                try:
                    self.buf += os.read(self.fd, 65536)
                except OSError:
                    raise EOFError(self.buf[-400:])

    def send(self, text):
        os.write(self.fd, text.encode())

    def rss(self):
        with open(f"/proc/{self.pid}/status") as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
        return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])

    def quit(self):
        self.send("\x04")
        try:
            while os.read(self.fd, 65536):
                pass
        except OSError:
            pass
        os.waitpid(self.pid, 0)


def prompt_ready(url, runs, cold):
    times = []
    for _ in range(runs):
        if cold:
            shutil.rmtree(HOME + "/.local/state", ignore_errors=True)
            shutil.rmtree(HOME + "/.cache", ignore_errors=True)
        h = Hone(url)
        h.expect(PROMPT)
        times.append((time.perf_counter() - h.start) * 1000)
        h.quit()
    return times


def make_map():
    """Runs `hone map` once (the REPL's map child) and returns its wall time in ms."""
    start = time.perf_counter()
    subprocess.run([HONE, "-C", REPO, "map"], env=env(), stdout=subprocess.DEVNULL, check=True)
    return (time.perf_counter() - start) * 1000


def main():
    url = serve()
    cold = prompt_ready(url, 10, cold=True)
    shutil.rmtree(HOME + "/.local/state", ignore_errors=True)
    shutil.rmtree(HOME + "/.cache", ignore_errors=True)
    map_cold = make_map()
    map_warm = make_map()
    child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"the map child (`hone map`): {map_cold:.0f} ms cold, {map_warm:.0f} ms warm, "
          f"peak RSS {child_peak / 1024:.1f} MiB (outside the REPL process)")
    warm = prompt_ready(url, 20, cold=False)
    print(f"prompt ready, 10,000-file repo, cold index: median {statistics.median(cold):.1f} ms, "
          f"max {max(cold):.1f} ms ({len(cold)} runs)")
    print(f"prompt ready, 10,000-file repo, warm index: median {statistics.median(warm):.1f} ms, "
          f"max {max(warm):.1f} ms ({len(warm)} runs)")

    h = Hone(url)
    h.expect(PROMPT)
    at_prompt, _ = h.rss()
    time.sleep(4)  # the map child finishes
    idle, peak = h.rss()
    print(f"RSS at the prompt: {at_prompt / 1024:.1f} MiB on appearing, "
          f"{idle / 1024:.1f} MiB idle 4 s later (peak so far {peak / 1024:.1f} MiB)")

    either = re.compile(rb"Apply\? \[y\]es[^:]*:(?:\x1b\[[0-9;]*m)* |" + PROMPT.pattern)
    for n in range(1, 51):
        h.send(f"turn {n}: explain total_size\r")
        while True:
            h.expect(either, timeout=60)
            if not h.matched.startswith(b"Apply?"):
                break
            h.send("y")  # one key: the question reads a single key
    rss, peak = h.rss()
    print(f"RSS after a 50-turn session: {rss / 1024:.1f} MiB (peak {peak / 1024:.1f} MiB)")
    h.send("/exit\r")
    h.quit()


if __name__ == "__main__":
    main()
