"""``aiprivlint server``: a real LSP session with the server in a subprocess, spoken to over its
stdio in framed JSON-RPC (Content-Length headers), as an editor does."""

from __future__ import annotations

import json
import os
import queue
import random
import string
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("pygls")

TIMEOUT = 60


def _token() -> str:
    """A GitHub-token-shaped value, made at run time (no literal secret in this file)."""
    rng = random.Random(14)
    return "ghp_" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(36))


class Client:
    """A minimal LSP client: requests wait for their response, notifications are queued."""

    def __init__(self, cwd: Path, env: dict | None = None) -> None:
        full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
        self.proc = subprocess.Popen([sys.executable, "-m", "aiprivlint", "server"], cwd=cwd,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=full_env)
        self.next_id = 0
        self.inbox: queue.Queue = queue.Queue()
        self.raw: list[bytes] = []  # every message the server sent, for the leak check
        self.notifications: list[dict] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            headers = {}
            while True:
                line = out.readline()
                if not line:
                    self.inbox.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                key, _, value = line.decode("ascii").partition(":")
                headers[key.strip().lower()] = value.strip()
            body = out.read(int(headers["content-length"]))
            self.raw.append(body)
            self.inbox.put(json.loads(body))

    def send(self, doc: dict) -> None:
        body = json.dumps(doc).encode("utf-8")
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method: str, params: dict | None = None) -> None:
        self.send({"jsonrpc": "2.0", "method": method, **({"params": params} if params is not None else {})})

    def _next(self, deadline: float) -> dict:
        try:
            msg = self.inbox.get(timeout=max(deadline - time.monotonic(), 0.01))
        except queue.Empty:
            raise AssertionError("no message from the server in time") from None
        assert msg is not None, "the server closed its output"
        if "id" in msg and "method" in msg:  # a request from the server: answer it
            self.send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
        elif "method" in msg:
            self.notifications.append(msg)
        return msg

    def request(self, method: str, params: dict | None = None) -> object:
        self.next_id += 1
        rid = self.next_id
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params or {}})
        deadline = time.monotonic() + TIMEOUT
        while True:
            msg = self._next(deadline)
            if msg.get("id") == rid and "method" not in msg:
                assert "error" not in msg, msg
                return msg["result"]

    def diagnostics(self, uri: str, until=lambda diags: True) -> list[dict]:
        """The next diagnostics published for ``uri`` that satisfy ``until``."""
        deadline = time.monotonic() + TIMEOUT
        seen = len(self.notifications)
        while True:
            for msg in self.notifications[seen:]:
                seen += 1
                if (msg["method"] == "textDocument/publishDiagnostics"
                        and msg["params"]["uri"] == uri and until(msg["params"]["diagnostics"])):
                    return msg["params"]["diagnostics"]
            self._next(deadline)


def _apply(text: str, edits: list[dict]) -> str:
    """A WorkspaceEdit's text edits applied (ASCII text: UTF-16 units are characters)."""
    lines = text.splitlines(keepends=True)

    def offset(pos: dict) -> int:
        return sum(len(x) for x in lines[:pos["line"]]) + pos["character"]

    for e in sorted(edits, key=lambda e: offset(e["range"]["start"]), reverse=True):
        text = text[:offset(e["range"]["start"])] + e["newText"] + text[offset(e["range"]["end"]):]
    return text


@pytest.fixture
def session(tmp_path):
    clients = []

    def start(root: Path, **kw) -> Client:
        client = Client(root, **kw)
        clients.append(client)
        client.request("initialize", {"processId": os.getpid(), "rootUri": root.as_uri(),
                                      "capabilities": {}})
        client.notify("initialized", {})
        return client

    yield start
    for c in clients:
        if c.proc.poll() is None:
            c.proc.kill()
        c.proc.wait(timeout=10)


def _has(rule: str):
    return lambda diags: any(d["code"] == rule for d in diags)


def test_session_diagnostics_suppression_hover_and_exit(session, tmp_path):
    token = _token()
    disk = tmp_path / "app.py"
    disk.write_text("import os\n\nTOKEN = os.environ['GITHUB_TOKEN']\n")  # clean on disk
    client = session(tmp_path)
    uri = disk.as_uri()
    buffer = f"import os\n\n\ndef connect():\n    token = \"{token}\"\n    return token\n"
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "python", "version": 1, "text": buffer}})

    # the unsaved buffer is what is scanned: the file on disk has no secret
    diags = client.diagnostics(uri, _has("AIP105"))
    secret = next(d for d in diags if d["code"] == "AIP105")
    assert secret["source"] == "aiprivlint"
    assert secret["range"]["start"]["line"] == 4
    assert secret["severity"] == 1  # high: Error
    assert secret["codeDescription"]["href"].endswith("AIP105.toml")

    # hover on the finding's range: the rule's explain text, as `aiprivlint explain` prints it
    hover = client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                   "position": secret["range"]["start"]})
    explain = subprocess.run([sys.executable, "-m", "aiprivlint", "explain", "AIP105"],
                             capture_output=True, text=True, check=True).stdout
    assert hover["contents"]["value"].strip() == explain.strip()
    assert client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                 "position": {"line": 0, "character": 0}}) is None

    # the suppression code action, applied, makes the diagnostic go away
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": secret["range"],
        "context": {"diagnostics": [secret]}})
    titles = [a["title"] for a in actions]
    assert "Suppress AIP105 on this line" in titles and "Suppress AIP105 in this file" in titles
    line_action = actions[titles.index("Suppress AIP105 on this line")]
    edited = _apply(buffer, line_action["edit"]["changes"][uri])
    assert edited.splitlines()[4].endswith("  # aiprivlint: ignore[AIP105]")
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": 2},
        "contentChanges": [{"text": edited}]})
    assert not [d for d in client.diagnostics(uri, lambda d: not _has("AIP105")(d))
                if d["code"] == "AIP105"]

    # the same suppression, written to disk, is what the command line accepts too
    disk.write_text(edited)
    proc = subprocess.run([sys.executable, "-m", "aiprivlint", "check", "--format", "json",
                           "--no-cache", str(disk)], capture_output=True, text=True)
    assert proc.returncode == 0 and json.loads(proc.stdout)["findings"] == [], proc.stdout

    assert client.request("shutdown") is None
    client.notify("exit")
    assert client.proc.wait(timeout=TIMEOUT) == 0
    # no message the server sent quotes the secret
    assert not any(token.encode() in body for body in client.raw)


def test_project_rules_come_from_the_full_scan(session, tmp_path):
    """A flow rule (AIP502: untrusted data into pickle) is decided for the whole project: it is
    republished from the full scan, and a live edit of the buffer does not drop it."""
    (tmp_path / "train.py").write_text(
        "import pickle\n\n\ndef load(path):\n    return pickle.load(open(path, 'rb'))\n")
    client = session(tmp_path)
    uri = (tmp_path / "train.py").as_uri()
    text = (tmp_path / "train.py").read_text()
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "python", "version": 1, "text": text}})
    diags = client.diagnostics(uri, _has("AIP502"))
    assert [d["range"]["start"]["line"] for d in diags if d["code"] == "AIP502"] == [4]
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": 2},
        "contentChanges": [{"range": {"start": {"line": 0, "character": 0},
                                      "end": {"line": 0, "character": 0}},
                            "text": "# loads a checkpoint\n"}]})
    diags = client.diagnostics(uri)
    assert _has("AIP502")(diags)
    client.request("shutdown")
    client.notify("exit")
    assert client.proc.wait(timeout=TIMEOUT) == 0


def test_notebook_suppression_goes_into_the_cell_source(session, tmp_path):
    token = _token()
    nb = {"cells": [{"cell_type": "markdown", "id": "a", "metadata": {}, "source": ["# Demo\n"]},
                    {"cell_type": "code", "execution_count": None, "id": "b", "metadata": {},
                     "outputs": [], "source": ["import os\n", f"key = \"{token}\"\n",
                                               "print(len(key))"]}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "demo.ipynb"
    text = json.dumps(nb, indent=1) + "\n"
    path.write_text(text)
    client = session(tmp_path)
    uri = path.as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "json", "version": 1, "text": text}})
    diag = next(d for d in client.diagnostics(uri, _has("AIP105")) if d["code"] == "AIP105")
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": diag["range"], "context": {"diagnostics": [diag]}})
    by_title = {a["title"]: a for a in actions}
    for title in ("Suppress AIP105 on this line", "Suppress AIP105 in this notebook"):
        edited = _apply(text, by_title[title]["edit"]["changes"][uri])
        json.loads(edited)  # still a notebook
        path.write_text(edited)
        proc = subprocess.run([sys.executable, "-m", "aiprivlint", "check", "--format", "json",
                               "--no-cache", str(path)], capture_output=True, text=True)
        assert json.loads(proc.stdout)["findings"] == [], (title, proc.stdout)
    client.request("shutdown")
    client.notify("exit")
    assert client.proc.wait(timeout=TIMEOUT) == 0


def test_fix_code_actions_apply_the_rules_fixes(session, tmp_path):
    """The fixes of ``check --fix`` are code actions too: a safe one is the preferred quick fix,
    an unsafe one says so in its title; applied, its finding is gone from the buffer's
    diagnostics and the file is what ``check --fix --unsafe-fixes`` makes of it."""
    text = ("from openai import OpenAI\nimport litellm\n\nclient = OpenAI()\n"
            "litellm.set_verbose = True\n\n\ndef answer(q):\n"
            "    return client.chat.completions.create(\n        model=\"gpt-4o-mini\",\n"
            "        messages=[{\"role\": \"user\", \"content\": q}],\n"
            "        store=True,  # keep it for evals\n    )\n")
    disk = tmp_path / "chat.py"
    disk.write_text(text)
    client = session(tmp_path)
    uri = disk.as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "python", "version": 1, "text": text}})
    diags = client.diagnostics(
        uri, lambda ds: sum(d["code"] == "AIP204" for d in ds) == 2)
    by_line = {d["range"]["start"]["line"]: d for d in diags if d["code"] == "AIP204"}
    assert sorted(by_line) == [4, 8]

    def actions(diag):
        return client.request("textDocument/codeAction", {
            "textDocument": {"uri": uri}, "range": diag["range"],
            "context": {"diagnostics": [diag]}})

    store = [a for a in actions(by_line[8]) if "store=False" in a["title"]]
    assert len(store) == 1 and store[0]["isPreferred"] is True, store
    assert store[0]["kind"] == "quickfix" and store[0]["diagnostics"] == [by_line[8]]
    verbose = [a for a in actions(by_line[4]) if a["title"].endswith("(unsafe fix)")]
    assert len(verbose) == 1 and not verbose[0].get("isPreferred"), verbose

    edited = _apply(text, store[0]["edit"]["changes"][uri])
    assert "        store=False,  # keep it for evals\n" in edited
    assert edited.replace("store=False", "store=True") == text  # nothing else changed
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": edited}]})
    after = client.diagnostics(uri, lambda ds: sum(d["code"] == "AIP204" for d in ds) == 1)
    assert [d["range"]["start"]["line"] for d in after if d["code"] == "AIP204"] == [4]

    both = _apply(edited, verbose[0]["edit"]["changes"][uri])
    fixed = tmp_path / "cli"
    fixed.mkdir()
    (fixed / "chat.py").write_text(text)
    subprocess.run([sys.executable, "-m", "aiprivlint", "check", "--fix", "--unsafe-fixes",
                    "--no-cache", "--quiet", "."], cwd=fixed, capture_output=True, text=True)
    assert (fixed / "chat.py").read_text() == both
    client.request("shutdown")
    client.notify("exit")
    assert client.proc.wait(timeout=TIMEOUT) == 0


def test_fix_code_action_in_a_notebook_changes_only_the_cell_source(session, tmp_path):
    """In a notebook the buffer is the .ipynb JSON: the safe fix's edit, applied to it, gives
    the golden file of ``check --fix`` (outputs, metadata and other cells byte for byte)."""
    fixes = Path(__file__).parent / "fixtures" / "fixes"
    text = (fixes / "before" / "notebook_chat.ipynb").read_text(encoding="utf-8")
    path = tmp_path / "chat.ipynb"
    path.write_text(text, encoding="utf-8")
    client = session(tmp_path)
    uri = path.as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "json", "version": 1, "text": text}})
    diag = next(d for d in client.diagnostics(uri, _has("AIP204")) if d["code"] == "AIP204")
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": diag["range"], "context": {"diagnostics": [diag]}})
    preferred = [a for a in actions if a.get("isPreferred")]
    assert len(preferred) == 1 and "store=False" in preferred[0]["title"], actions
    edited = _apply(text, preferred[0]["edit"]["changes"][uri])
    assert edited == (fixes / "after_safe" / "notebook_chat.ipynb").read_text(encoding="utf-8")
    client.request("shutdown")
    client.notify("exit")
    assert client.proc.wait(timeout=TIMEOUT) == 0


def test_server_without_pygls_says_how_to_install_it(tmp_path):
    """Without pygls: exit 2 and the install command (pygls hidden by a module that fails)."""
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "pygls.py").write_text("raise ImportError('hidden for this test')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(shadow), *filter(None, [os.environ.get("PYTHONPATH")])])}
    proc = subprocess.run([sys.executable, "-m", "aiprivlint", "server"], capture_output=True,
                          text=True, env=env, stdin=subprocess.DEVNULL, timeout=TIMEOUT)
    assert proc.returncode == 2
    assert "pip install 'aiprivlint[lsp]'" in proc.stderr
