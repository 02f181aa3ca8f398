"""How long `aiprivlint server` takes to answer an editor, on real repositories.

    python bench/lsp_latency.py --corpus DIR [--corpus DIR ...] [--files 10]

For each corpus: start the server over stdio with the corpus as the workspace root (its cache
goes to a temporary folder: the corpus is not written to), open its N largest Python files
one after another and time didOpen -> publishDiagnostics (the live scan of the buffer), then
an edit of each (didChange -> publishDiagnostics, the 0.25 s debounce included), once the full
scan (a subprocess started at `initialized`, cold: an empty cache) has republished the first
file's diagnostics; that time too. Medians and maxima in seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

SKIP = {".git", ".venv", "venv", "node_modules", "build", "dist", "__pycache__"}


class Client:
    def __init__(self, root: Path, env: dict) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "aiprivlint", "server"], cwd=root,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, env=env)
        self.inbox: queue.Queue = queue.Queue()
        self.ids = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while True:
            length = None
            while True:
                line = self.proc.stdout.readline()
                if not line:
                    return
                if not line.strip():
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            self.inbox.put((time.monotonic(), json.loads(self.proc.stdout.read(length))))

    def send(self, doc: dict) -> None:
        body = json.dumps(doc).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def request(self, method: str, params: dict) -> dict:
        self.ids += 1
        self.send({"jsonrpc": "2.0", "id": self.ids, "method": method, "params": params})
        while True:
            _, msg = self.inbox.get(timeout=600)
            if msg.get("id") == self.ids and "method" not in msg:
                return msg

    def notify(self, method: str, params: dict) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def published(self, uri: str, timeout: float = 600) -> tuple[float, list]:
        deadline = time.monotonic() + timeout
        while True:
            t, msg = self.inbox.get(timeout=max(deadline - time.monotonic(), 0.01))
            if msg.get("method") == "textDocument/publishDiagnostics" and msg["params"]["uri"] == uri:
                return t, msg["params"]["diagnostics"]


def largest_python(root: Path, n: int) -> list[Path]:
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIP]
        files += [Path(dirpath) / f for f in filenames if f.endswith(".py")]
    return sorted(files, key=lambda p: (-p.stat().st_size, str(p)))[:n]


def bench(root: Path, n: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="aiprivlint-lsp-bench-") as cache:
        return _bench(root, n, {**os.environ, "AIPRIVLINT_CACHE_DIR": cache})


def _bench(root: Path, n: int, env: dict) -> dict:
    client = Client(root, env)
    start = time.monotonic()
    client.request("initialize", {"processId": os.getpid(), "rootUri": root.as_uri(),
                                  "capabilities": {}})
    client.notify("initialized", {})
    files = largest_python(root, n)
    # the first file's live diagnostics, then their republication when the full scan is done
    first = files[0].as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": first, "languageId": "python", "version": 1,
        "text": files[0].read_text(encoding="utf-8", errors="replace")}})
    client.published(first)
    full_scan, _ = client.published(first, timeout=1800)
    client.notify("textDocument/didClose", {"textDocument": {"uri": first}})
    client.published(first)
    opens, changes = [], []
    for path in files:
        uri, text = path.as_uri(), path.read_text(encoding="utf-8", errors="replace")
        t0 = time.monotonic()
        client.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "python", "version": 1, "text": text}})
        t1, _ = client.published(uri)
        opens.append(t1 - t0)
        t0 = time.monotonic()
        client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                                 "contentChanges": [{"text": "# edited\n" + text}]})
        t1, _ = client.published(uri)
        changes.append(t1 - t0)
    client.request("shutdown", {})
    client.notify("exit", {})
    client.proc.wait(timeout=60)
    return {"corpus": root.name, "files": len(opens),
            "open_median": statistics.median(opens), "open_max": max(opens),
            "change_median": statistics.median(changes), "change_max": max(changes),
            "full_scan_done_after": full_scan - start}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", action="append", required=True, type=Path)
    ap.add_argument("--files", type=int, default=10)
    args = ap.parse_args()
    for root in args.corpus:
        row = bench(root.resolve(), args.files)
        print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in row.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
