"""The on-disk cache: same findings warm and cold, changes picked up, CACHEDIR.TAG, --no-cache,
and project rules stay correct when only some files are re-read."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from conftest import EMPTY_CONFIG, FIXTURES, run_cli, run_json

from aiprivlint.cache import FORMAT


CACHE_ON = {"AIPRIVLINT_NO_CACHE": ""}


def _json(cwd, *args):
    return run_json("--config", str(EMPTY_CONFIG), *args, cwd=cwd, env=CACHE_ON)[1]


def test_warm_run_equals_cold_run_and_picks_up_changes(tmp_path):
    shutil.copytree(FIXTURES / "rules" / "AIP502", tmp_path / "repo")
    cold = _json(tmp_path, "repo")
    cache = tmp_path / ".aiprivlint_cache"
    assert (cache / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert (cache / ".gitignore").read_text().strip().endswith("*")
    warm = _json(tmp_path, "repo")
    assert warm == cold
    target = tmp_path / "repo" / "quiet" / "safe_loading.py"
    # a load decided in the file itself (a pickle load is decided per project)
    target.write_text(target.read_text() + "\nimport yaml\nx = yaml.load(open('c.yml'))\n")
    changed = _json(tmp_path, "repo")
    assert len(changed["findings"]) == len(cold["findings"]) + 1


def test_no_cache_writes_nothing_and_corrupt_cache_is_ignored(tmp_path):
    (tmp_path / "m.py").write_text("import pickle\nx = pickle.loads(b)\n")
    run_cli("check", "--config", str(EMPTY_CONFIG), "--no-cache", ".", cwd=tmp_path, env=CACHE_ON)
    assert not (tmp_path / ".aiprivlint_cache").exists()
    first = _json(tmp_path, ".")
    for f in (tmp_path / ".aiprivlint_cache").glob("results-*.json"):
        f.write_text("{not json")
    assert _json(tmp_path, ".") == first


def test_cache_is_json_not_pickle(tmp_path):
    (tmp_path / "m.py").write_text("import pickle\nx = pickle.loads(b)\n")
    _json(tmp_path, ".")
    files = list((tmp_path / ".aiprivlint_cache").glob("results-*.json"))
    assert files and json.loads(files[0].read_text())["format"] == FORMAT


def test_project_rule_stays_correct_when_only_the_data_file_changes(tmp_path):
    shutil.copytree(FIXTURES / "rules" / "AIP201" / "fire" / "support_bot", tmp_path / "bot")
    before = _json(tmp_path, "bot")
    assert any(f["rule"] == "AIP201" for f in before["findings"])
    # the personal data is removed: only the CSV is re-read, train.py comes from the cache
    (tmp_path / "bot" / "data" / "tickets.csv").write_text(
        "ticket_id,message\n1001,My order arrived broken\n1002,Where is my refund?\n")
    after = _json(tmp_path, "bot")
    assert not any(f["rule"] == "AIP201" for f in after["findings"])


def test_cache_keys_each_file_by_its_stat_and_the_hash_of_what_was_scanned(tmp_path):
    """The workers stamp each result (stat before the scan, hash of the bytes read); the
    entry must match the file on disk, or every warm run would re-hash or re-scan it."""
    for i in range(30):  # enough files for a process pool
        (tmp_path / f"m{i}.py").write_text(f"import pickle\nx{i} = pickle.loads(b)\n")
    (tmp_path / "data.bin").write_bytes(b"\0\1" * 10)  # read by no checker: never hashed
    _json(tmp_path, ".")
    doc = json.loads(next((tmp_path / ".aiprivlint_cache").glob("results-*.json")).read_text())
    entries = doc["files"]
    assert len(entries) >= 30
    for key, entry in entries.items():
        path = Path(key)  # keys are absolute paths
        st = path.stat()
        assert (entry["size"], entry["mtime"]) == (st.st_size, st.st_mtime_ns), key
        if path.suffix == ".bin":
            assert entry["sha256"] is None, key  # stat only (see test_fault_cache.py)
        else:
            assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest(), key


def test_summaries_made_on_demand_are_cached(tmp_path):
    """A helper module no flow starts in is analysed in phase 2 only when a flow crosses it;
    its summary then goes in the cache, and the warm run reports the same cross-module flow."""
    repo = tmp_path / "repo"
    _chat_repo(repo, "log.info('reply: %s', text)")
    cold = _json(tmp_path, "repo", "--select", "AIP203")
    assert [f["path"] for f in cold["findings"]], cold
    flows = json.loads(next((tmp_path / ".aiprivlint_cache").glob("flows-*.json")).read_text())
    helper = json.loads(next(e for k, e in flows["flows"].items() if k.endswith("audit.py")))
    assert "lite" in helper and "summary" in helper
    warm = _json(tmp_path, "repo", "--select", "AIP203")
    assert warm["findings"] == cold["findings"]


def test_a_warm_run_serves_every_file_from_the_cache(tmp_path):
    """Every entry this version writes is one it reads back: findings in code and in notebook
    cells, facts, flow summaries (a warm run that rescans files is slow and says nothing)."""
    from aiprivlint.config import Config
    from aiprivlint.engine import Engine
    from aiprivlint.registry import load_rules

    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "rules" / "AIP502", repo / "aip502")
    shutil.copytree(FIXTURES / "rules" / "AIP203", repo / "aip203")
    rules = load_rules()

    def run() -> Engine:
        engine = Engine(Config(root=repo), rules, frozenset(rules), jobs=1, cwd=repo,
                        cache_dir=tmp_path / "cache")
        engine.run([str(repo)])
        return engine

    cold = run()
    assert cold.cache_hits == 0 and not cold.phase2_reused
    warm = run()
    assert warm.phase2_reused  # nothing changed: the cross-module phase is not run again
    scanned = sum(1 for p in repo.rglob("*") if p.is_file())
    assert warm.cache_hits == scanned


def _chat_repo(repo: Path, helper_body: str) -> None:
    (repo / "svc").mkdir(parents=True, exist_ok=True)
    (repo / "svc" / "__init__.py").write_text("")
    (repo / "svc" / "audit.py").write_text(
        "import logging\n\nlog = logging.getLogger(__name__)\n\n\ndef record(text):\n"
        f"    {helper_body}\n")
    (repo / "svc" / "app.py").write_text(
        "from fastapi import FastAPI\nfrom openai import OpenAI\n\nfrom .audit import record\n\n"
        "app = FastAPI()\nclient = OpenAI()\n\n\n@app.post('/chat')\ndef chat(body: dict):\n"
        "    r = client.chat.completions.create(model='gpt-4o', messages=[\n"
        "        {'role': 'user', 'content': body['message']}])\n"
        "    record(r.choices[0].message.content)\n    return {'ok': True}\n")


def test_phase_two_is_reused_only_while_nothing_it_reads_changed(tmp_path):
    """A warm run where no file changed reuses the last run's cross-module findings (phase 2 is
    stored under the contents of every file and the project layout); a change in a helper
    module another module calls is seen at once, and undoing it brings the finding back."""
    repo = tmp_path / "repo"
    _chat_repo(repo, "log.info('reply: %s', text)")
    cold = _json(tmp_path, "repo", "--select", "AIP203")
    assert len(cold["findings"]) == 1
    doc = json.loads(next((tmp_path / ".aiprivlint_cache").glob("results-*.json")).read_text())
    assert doc["phase2"]["findings"]  # stored
    assert _json(tmp_path, "repo", "--select", "AIP203") == cold
    _chat_repo(repo, "log.info('reply of %d characters', len(text))")
    assert _json(tmp_path, "repo", "--select", "AIP203")["findings"] == []
    _chat_repo(repo, "log.info('reply: %s', text)")
    assert _json(tmp_path, "repo", "--select", "AIP203")["findings"] == cold["findings"]
    # another layout (the same files scanned from their folder) is another phase 2
    assert _json(repo, ".", "--select", "AIP203")["findings"][0]["path"] == "svc/audit.py"


def test_a_damaged_phase_two_record_is_a_miss(tmp_path):
    repo = tmp_path / "repo"
    _chat_repo(repo, "log.info('reply: %s', text)")
    cold = _json(tmp_path, "repo", "--select", "AIP203")
    path = next((tmp_path / ".aiprivlint_cache").glob("results-*.json"))
    doc = json.loads(path.read_text())
    for damage in ({"key": doc["phase2"]["key"], "findings": [{"rule": "AIP999"}], "facts": [],
                    "errors": []}, {"key": doc["phase2"]["key"]}, "garbage"):
        doc["phase2"] = damage
        path.write_text(json.dumps(doc))
        warm = _json(tmp_path, "repo", "--select", "AIP203")
        assert warm["findings"] == cold["findings"] and warm["errors"] == []


def test_a_file_name_the_scrubber_would_mask_keeps_its_facts_warm(tmp_path):
    """Stored facts are redacted, but not their file: a notebook named like a credential (long,
    letters and digits) lost its training facts to its project on the warm run."""
    nb = {"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                     "source": ["from tensorflow import keras\n", "model = keras.Sequential()\n",
                                "model.fit(x, y, epochs=3)\n"]}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "Comparison_CNN_vs_TF_v1_x_Example_for_CIFAR_10.ipynb").write_text(json.dumps(nb))
    cold = _json(tmp_path, ".")
    assert cold["project"][0]["training_entry_points"]
    assert _json(tmp_path, ".")["project"] == cold["project"]
