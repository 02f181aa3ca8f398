"""Issue 12, part B: the on-disk cache never crashes a run, never stores a clear value, never
serves a stale result, and never hashes what it does not read. Every test runs the real CLI with
the cache on, on files generated here, and works on the cache files that run wrote."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from aiprivlint.cache import FORMAT
from conftest import EMPTY_CONFIG, run_cli

CACHE_ON = {"AIPRIVLINT_NO_CACHE": ""}
HOUR_AGO = time.time() - 3600


def _run(cwd: Path, *args: str, config: Path = EMPTY_CONFIG) -> tuple[int, dict]:
    proc = run_cli("check", "--format", "json", "--config", str(config), *args, ".",
                   cwd=cwd, env=CACHE_ON, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def _cache_file(root: Path) -> Path:
    files = list((root / ".aiprivlint_cache").glob("results-*.json"))
    assert len(files) == 1, files
    return files[0]


def _entries(root: Path) -> dict:
    return json.loads(_cache_file(root).read_text())["files"]


def _entry(entries: dict, name: str) -> dict:
    return next(e for k, e in entries.items() if Path(k).name == name)


def _repo(root: Path, n: int = 10, old: bool = True) -> None:
    """n modules with one finding each (an unpickling), mtimes an hour old unless ``old`` is
    False (so the stat alone proves them unchanged)."""
    for i in range(n):
        f = root / f"m{i}.py"
        f.write_text(f"import yaml\n\n\ndef load_{i}(f):\n    return yaml.load(f)\n")
        if old:
            os.utime(f, (HOUR_AGO, HOUR_AGO))


# --- 1. a malformed entry is a miss ---------------------------------------------------------


def _first_finding(entry: dict) -> dict:
    return entry["result"]["findings"][0]


ENTRY_DAMAGE = {
    "m0.py": lambda e: [1],
    "m1.py": lambda e: (e["result"].pop("findings"), e)[1],  # a key missing
    "m2.py": lambda e: (_first_finding(e).update(rule="AIP999"), e)[1],  # unknown rule id
    "m3.py": lambda e: (_first_finding(e).update(severity=99), e)[1],  # no such severity
    "m4.py": lambda e: (_first_finding(e).update(line="5"), e)[1],  # wrong type
    "m5.py": lambda e: (e["result"].update(findings={"rule": "AIP501"}), e)[1],
    "m6.py": lambda e: (e.update(size="big"), e)[1],
    "m7.py": lambda e: (e["result"].update(flow={"events": 5}), e)[1],  # what phase 2 reads
    "m8.py": lambda e: (e.pop("sha256"), e)[1],
    "m9.py": lambda e: (e["result"].update(supp=[["1", 2]]), e)[1],
}


def test_each_kind_of_damaged_entry_is_rescanned_and_overwritten(tmp_path):
    _repo(tmp_path)
    rc, cold = _run(tmp_path)
    assert rc == 1 and len(cold["findings"]) == 10
    entries = _entries(tmp_path)
    assert all(_entry(entries, n)["result"]["findings"] for n in ENTRY_DAMAGE)
    for key in list(entries):
        name = Path(key).name
        entries[key] = ENTRY_DAMAGE[name](entries[key])
    doc = json.loads(_cache_file(tmp_path).read_text())
    doc["files"] = entries
    _cache_file(tmp_path).write_text(json.dumps(doc))

    assert _run(tmp_path) == (rc, cold)  # every damaged entry recomputed, same report
    repaired = _entries(tmp_path)
    for name in ENTRY_DAMAGE:  # and overwritten with a good entry
        entry = _entry(repaired, name)
        assert isinstance(entry, dict) and isinstance(entry["sha256"], str), name
        assert _first_finding(entry)["rule"] == cold["findings"][0]["rule"], name


FILE_DAMAGE = {
    "a-list": lambda raw: b"[1]",
    "truncated": lambda raw: raw[: len(raw) // 2],
    "garbage-bytes": lambda raw: bytes(range(256)) * 8,
    "files-not-a-mapping": lambda raw: json.dumps({"format": json.loads(raw)["format"],
                                                   "files": [1]}).encode(),
    "nested-200k-deep": lambda raw: b"[" * 200_000,
}


def test_a_damaged_cache_file_is_a_miss(tmp_path):
    _repo(tmp_path, n=3)
    cold = _run(tmp_path)
    cache = _cache_file(tmp_path)
    good = cache.read_bytes()
    for name, damage in FILE_DAMAGE.items():
        cache.write_bytes(damage(good))
        assert _run(tmp_path) == cold, name
        assert len(_entries(tmp_path)) == 3, name  # rewritten whole


# --- 2. nothing in the cache that would not be printed --------------------------------------


def _iban(country: str, bban: str) -> str:
    """A valid IBAN (ISO 13616 check digits), made here so no value sits in the source."""
    n = int("".join(str(int(ch, 36)) for ch in bban + country + "00"))
    return f"{country}{98 - n % 97:02d}{bban}"


def test_cache_holds_no_clear_value(tmp_path):
    email = "anna.schmidt" + "@" + "web.de"
    iban = _iban("DE", "100100101234567890")
    token = "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5"
    phone = "+49 30 " + "90182736"
    (tmp_path / "app.py").write_text(  # a served endpoint: its dataflow summary is cached
        "import logging\nimport pickle\n\nimport requests\nfrom fastapi import FastAPI\n\n"
        "app = FastAPI()\nlog = logging.getLogger(__name__)\n"
        f'CONTACT = "{email}"\nACCOUNT = "{iban}"\nTOKEN = "{token}"\n\n\n'
        '@app.post("/send")\ndef send(body: dict):\n'
        f'    log.info("mail %s {email} {iban} {phone}", body["email"])\n'
        f'    requests.post("https://api.segment.io/v1/track", json={{"email": body["email"], '
        f'"iban": "{iban}"}})\n'
        f'    return pickle.loads(b"{email} {phone}")\n\n\n'
        f'model = pickle.load(open("/srv/{email}/{token}.pkl", "rb"))\n')
    (tmp_path / "data").mkdir()
    rows = ["name,email,iban,phone"] + [
        f"Person {i},user{i}.mueller{'@'}gmx.de,{_iban('DE', f'1001001012345678{i:02d}')},"
        f"+49 30 9018{i:04d}" for i in range(30)] + [f"Anna,{email},{iban},{phone}"]
    (tmp_path / "data" / "people.csv").write_text("\n".join(rows) + "\n")
    (tmp_path / "nb.ipynb").write_text(json.dumps({
        "cells": [{"cell_type": "code", "source": ["print(1)"], "metadata": {},
                   "execution_count": 1, "outputs": [
                       {"output_type": "stream", "name": "stdout", "text": [f"{email} {iban}\n"]}]}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    (tmp_path / ".env").write_text(f"GITHUB_TOKEN={token}\n")
    rc, cold = _run(tmp_path)
    rules = {f["rule"] for f in cold["findings"]}
    assert {"AIP101", "AIP103", "AIP104", "AIP105", "AIP502"} <= rules, rules  # values found
    assert _entry(_entries(tmp_path), "app.py")["result"]["flow"] is True
    flows = json.loads(next((tmp_path / ".aiprivlint_cache").glob("flows-*.json")).read_text())
    flow = json.loads(_entry(flows["flows"], "app.py"))  # each summary: its JSON text
    assert flow and "lite" not in flow  # a dataflow summary, with source lines and constants
    assert _run(tmp_path) == (rc, cold)  # warm: same report, same fingerprints
    clear = [email, iban, token, phone, phone.replace(" ", ""), "user7.mueller", iban[4:]]
    stored = [p for p in (tmp_path / ".aiprivlint_cache").rglob("*") if p.is_file()]
    assert stored
    for path in stored:
        text = path.read_bytes().decode("utf-8", "replace")
        text += json.dumps(json.loads(text)) if path.suffix == ".json" else ""  # \u escapes
        for value in clear:
            assert value not in text, (path.name, value)


# --- 3. the stat is trusted only when it proves the file unchanged --------------------------


def test_same_size_and_mtime_new_content_is_not_served_stale(tmp_path):
    """The file's mtime is not older than the moment its entry was taken (a clock ahead of
    this one, a checkout on a network share): the stat cannot prove the file unchanged, so
    the warm run compares the content hash."""
    f = tmp_path / "m.py"
    f.write_text("import pickle\n\nx = pickle.loads(b)\n")
    ahead = time.time_ns() + 30 * 1_000_000_000
    os.utime(f, ns=(ahead, ahead))
    rc, cold = _run(tmp_path)
    assert rc == 1 and cold["findings"]
    assert _run(tmp_path) == (rc, cold)  # unchanged: the hash matches, served from the cache
    st = f.stat()
    f.write_text("import pickle\n\nx = pickle.dumps(b)\n")  # same size, no finding
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (f.stat().st_size, f.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    rc, warm = _run(tmp_path)
    assert rc == 0 and warm["findings"] == []


def test_a_rewrite_within_the_racy_window_of_the_entry_is_rescanned(tmp_path):
    """A coarse file system (whole-second mtimes): the rewrite lands in the same tick as the
    file's old mtime. The entry was taken less than RACY_NS after that tick, so the hash
    decides. (Simulated: the entry's moment is moved to just after the tick.)"""
    f = tmp_path / "m.py"
    f.write_text("import pickle\n\nx = pickle.dumps(b)\n")
    tick = (int(time.time()) - 600) * 1_000_000_000  # whole seconds, long ago
    os.utime(f, ns=(tick, tick))
    assert _run(tmp_path)[1]["findings"] == []
    doc = json.loads(_cache_file(tmp_path).read_text())
    (entry,) = doc["files"].values()
    assert entry["mtime"] == tick and entry["seen"] > tick + 2_000_000_000  # not racy as run
    entry["seen"] = tick + 500_000_000  # as if scanned half a second into the tick
    _cache_file(tmp_path).write_text(json.dumps(doc))
    f.write_text("import pickle\n\nx = pickle.loads(b)\n")
    os.utime(f, ns=(tick, tick))
    assert _run(tmp_path)[1]["findings"]


# --- 4. what is not read is not hashed ------------------------------------------------------


def test_skipped_files_are_never_hashed_but_their_changes_are_seen(tmp_path):
    huge = tmp_path / "weights.py"
    with huge.open("wb") as fh:  # 3 GiB, sparse: costs no disk, and seconds to hash
        fh.truncate(3 << 30)
    binary = tmp_path / "blob.md"
    binary.write_bytes(b"\0" * 64 + b"x" * 64)
    ahead = time.time_ns() + 30 * 1_000_000_000  # newer than the entry: a racy stat
    os.utime(binary, ns=(ahead, ahead))
    (tmp_path / "data").mkdir()  # a data file over max-file-size: streamed, sampled, not hashed
    rows = [f"P{i},user{i}.mueller{'@'}gmx.de" for i in range(40)]
    (tmp_path / "data" / "people.csv").write_text("name,email\n" + "\n".join(rows) + "\n")
    config = tmp_path / "small.toml"
    config.write_text(EMPTY_CONFIG.read_text() + "max-file-size = 1000\n")
    _repo(tmp_path, n=1, old=False)
    t0 = time.monotonic()
    rc, cold = _run(tmp_path, config=config)
    assert time.monotonic() - t0 < 30
    assert {(e["path"], e["kind"]) for e in cold["errors"]} == {
        ("weights.py", "too-large"), ("blob.md", "binary")}
    assert ("data/people.csv", "AIP101") in {(f["path"], f["rule"]) for f in cold["findings"]}
    entries = _entries(tmp_path)
    assert _entry(entries, "weights.py")["sha256"] is None
    assert _entry(entries, "blob.md")["sha256"] is None
    assert _entry(entries, "people.csv")["sha256"] is None
    assert _entry(entries, "m0.py")["sha256"]
    assert _run(tmp_path, config=config) == (rc, cold)
    # the binary file becomes text of the same size and mtime: no hash to compare, so the
    # racy stat sends it to a rescan (a sniff), never to the stale "binary" result
    st = binary.stat()
    binary.write_text("# notes\n" + "y" * 120)
    os.utime(binary, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert binary.stat().st_size == st.st_size
    _, warm = _run(tmp_path, config=config)
    assert ("blob.md", "binary") not in {(e["path"], e["kind"]) for e in warm["errors"]}


def test_a_malformed_summary_made_on_demand_is_a_miss_too():
    """Phase 2 stores the summary it made of a module phase 1 left out beside its imports
    (``{"lite": [...], "summary": {...}}``, in the flows file); a damaged one is a miss like any
    other, not an internal error when phase 2 reads it."""
    from aiprivlint.cache import BadEntry, _summary_of

    assert _summary_of({"lite": ["os"]}) is None
    for flow in ({"lite": ["os"], "summary": {"events": 5}}, {"lite": ["os"], "other": 1},
                 None, [1, 2], {"events": 5}):
        try:
            _summary_of(flow)
        except BadEntry:
            continue
        raise AssertionError(f"accepted {flow}")


CHAT_APP = """import logging
from fastapi import FastAPI
from openai import OpenAI

app = FastAPI()
client = OpenAI()
log = logging.getLogger(__name__)


@app.post('/chat')
def chat(body: dict):
    r = client.chat.completions.create(model='m', messages=[
        {'role': 'user', 'content': body['message']}])
    log.info('reply: %s', r.choices[0].message.content)
    return {}
"""


def test_a_damaged_or_missing_flows_file_is_a_miss_when_phase_two_runs(tmp_path):
    """The summaries live in a file of their own, read only when phase 2 runs; damaged, cut
    short or gone, the modules concerned are scanned again and the report is the same."""
    (tmp_path / "app.py").write_text(CHAT_APP)
    rc, cold = _run(tmp_path)
    assert any(f["rule"] == "AIP203" for f in cold["findings"]), cold
    flows = next((tmp_path / ".aiprivlint_cache").glob("flows-*.json"))
    (key,) = json.loads(flows.read_text())["flows"]
    for damage in (json.dumps({"format": FORMAT, "flows": {key: '{"events": 5}'}}),
                   json.dumps({"format": FORMAT, "flows": {key: {"events": []}}}),
                   '{"format": ' + str(FORMAT) + ', "flows": {"x": 1}', "garbage", None):
        if damage is None:
            flows.unlink()
        else:
            flows.write_text(damage)
        doc = json.loads(_cache_file(tmp_path).read_text())
        doc["phase2"] = None  # phase 2 must run: it reads the summaries
        _cache_file(tmp_path).write_text(json.dumps(doc))
        assert _run(tmp_path) == (rc, cold)
