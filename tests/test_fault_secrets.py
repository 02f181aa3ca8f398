"""AIP105 (issue 12): coverage in (provider keys in every text file), noise out (lock files,
hash manifests, embedded binary payloads), YAML findings on the line of the value.

Keys are generated at runtime from pieces, so that this file holds none (the repository checks
itself). Every test also checks that the key never appears in what the CLI prints.
"""

from __future__ import annotations

import base64
import json
import random
import string

import pytest

from conftest import EMPTY_CONFIG, run_cli, run_json

RND = random.Random(4105)
ALNUM = string.ascii_letters + string.digits
OPENAI = "sk-" + "proj-" + "".join(RND.choice(ALNUM) for _ in range(48))
AWS = "AK" + "IA" + "".join(RND.choice(string.ascii_uppercase + string.digits) for _ in range(16))
HF = "hf" + "_" + "".join(RND.choice(ALNUM) for _ in range(34))
KEYS = (OPENAI, AWS, HF)


def _scan(root, *args: str) -> dict:
    proc = run_cli("check", "--config", str(EMPTY_CONFIG), "--select", "AIP105", "--format", "json",
                   *args, cwd=root)
    assert proc.returncode in (0, 1), proc.stderr
    for key in KEYS:  # the key is never printed, in the report or on stderr
        assert key not in proc.stdout and key not in proc.stderr
        assert key[4:20] not in proc.stdout
    return json.loads(proc.stdout)


def _hits(doc: dict) -> list[tuple[str, int, str]]:
    return sorted((f["path"], f["line"], f["details"]["secret_type"]) for f in doc["findings"])


def test_provider_keys_in_any_text_file_are_found(tmp_path):
    files = {
        "README.md": f"# Demo\n\nRun:\n\n```bash\nexport OPENAI_API_KEY={OPENAI}\npython app.py\n```\n",
        "notes.txt": f"the aws key for the bucket\n{AWS}\n",
        "run.sh": f"#!/bin/sh\nexport HF_TOKEN={HF}\nhuggingface-cli upload x\n",
        "Dockerfile": f"FROM python:3.12\nENV OPENAI_API_KEY={OPENAI}\n",
        "Makefile": f"train:\n\tHF_TOKEN={HF} python train.py\n",
        "deploy/k8s.tpl": f"key: {AWS}\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    doc = _scan(tmp_path, ".")
    assert _hits(doc) == [("Dockerfile", 2, "OpenAI API key"), ("Makefile", 2, "Hugging Face token"),
                          ("README.md", 6, "OpenAI API key"), ("deploy/k8s.tpl", 1, "AWS Access Key"),
                          ("notes.txt", 2, "AWS Access Key"), ("run.sh", 2, "Hugging Face token")]
    readme = next(f for f in doc["findings"] if f["path"] == "README.md")
    assert readme["column"] == len("export OPENAI_API_KEY=") + 1
    assert readme["end_column"] - readme["column"] == len(OPENAI)


def test_text_files_get_key_shapes_only_no_keyword_or_entropy_noise(tmp_path):
    (tmp_path / "README.md").write_text(
        "Set `pass" + 'word = "Zx81qPw7Lm20vB"` and the sha `3f786850e387550fdab836ed7e6dc881de23001b`;\n'
        "curl https://user:hunter2x99@example.org\n")
    (tmp_path / "LICENSE").write_text("MIT License\n\nCopyright (c) 2026\n")
    doc = _scan(tmp_path, ".")
    assert doc["findings"] == [] and doc["errors"] == []


def test_binary_and_unknown_files_are_skipped_without_errors(tmp_path):
    (tmp_path / "weights").write_bytes(b"\x00\x01" + AWS.encode() + b"\x00" * 64)
    (tmp_path / "model.safetensors").write_bytes(AWS.encode() + b"\xff\xfe")
    (tmp_path / "latin1.dat").write_bytes("caf\xe9 ".encode("latin-1") + AWS.encode())
    doc = _scan(tmp_path, ".")
    assert doc["findings"] == [] and doc["errors"] == []
    # the binaries are not even counted as scanned; the latin-1 file was read and left alone
    assert doc["summary"]["files_scanned"] == 1


def _sri() -> str:
    return "sha512-" + base64.b64encode(bytes(RND.getrandbits(8) for _ in range(64))).decode()


def _hex(n: int) -> str:
    return "".join(RND.choice("0123456789abcdef") for _ in range(n))


LOCKFILES = {
    "pnpm-lock.yaml": lambda: (f"packages:\n  /left-pad@1.3.0:\n    resolution: {{integrity: {_sri()}}}\n"
                               f"    token: {AWS}\n"),
    "package-lock.json": lambda: json.dumps({"packages": {"node_modules/a": {
        "integrity": _sri(), "resolved": f"https://r.example/{AWS}.tgz"}}}, indent=2),
    "yarn.lock": lambda: f'a@^1.0.0:\n  version "1.0.0"\n  integrity {_sri()}\n  "{AWS}"\n',
    "poetry.lock": lambda: (f'[[package]]\nname = "a"\nfiles = [{{file = "a.whl", hash = "sha256:{_hex(64)}"}}]\n'
                            f'api_key = "{AWS}"\n'),
    "uv.lock": lambda: f'[[package]]\nname = "a"\nsdist = {{ hash = "sha256:{_hex(64)}" }}\n# {AWS}\n',
    "Cargo.lock": lambda: f'[[package]]\nname = "a"\nchecksum = "{_hex(64)}"\n# {AWS}\n',
    "go.sum": lambda: f"github.com/a/b v1.0.0 h1:{base64.b64encode(bytes(32)).decode()}\n// {AWS}\n",
}


def test_lock_files_and_hash_manifests_are_quiet(tmp_path):
    for name, make in LOCKFILES.items():
        (tmp_path / name).write_text(make())
    (tmp_path / "requirements.txt").write_text(
        f"numpy==2.1.0 \\\n    --hash=sha256:{_hex(64)} \\\n    --hash=sha256:{_hex(64)}\n")
    (tmp_path / "hashes.yaml").write_text(f"deps:\n  a:\n    integrity: {_sri()}\n")
    doc = _scan(tmp_path, ".")
    assert doc["findings"] == [] and doc["errors"] == []
    # the control: the same key in a file that is not a lock file is found
    (tmp_path / "notes.txt").write_text(f"{AWS}\n")
    assert _hits(_scan(tmp_path, ".")) == [("notes.txt", 1, "AWS Access Key")]


def _png_with(run: str) -> str:
    """A base64 payload (an 'image') that holds an AKIA-shaped run, as such images do by chance."""
    return "iVBORw0KGgoAAAANSUhEUgAA" + "".join(RND.choice(ALNUM) for _ in range(40)) + run + "Qm9vAAAA=="


def test_embedded_binary_payloads_are_never_scanned(tmp_path):
    uri = f"data:image/png;base64,{_png_with(AWS)}"
    (tmp_path / "doc.md").write_text(f"# Plot\n\n![loss]({uri})\n\n<img src=\"{uri}\"/>\n")
    nb = {"cells": [
        {"cell_type": "markdown", "metadata": {}, "source": [f"![loss]({uri})"]},
        {"cell_type": "code", "execution_count": 1, "metadata": {}, "source": ["plot()"],
         "outputs": [{"output_type": "display_data", "metadata": {},
                      "data": {"image/png": _png_with(AWS) + "\n", "text/plain": ["<Figure>"],
                               "text/html": [f"<img src=\"{uri}\"/>"]}}]}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "nb.ipynb").write_text(json.dumps(nb, indent=1))
    assert _scan(tmp_path, ".")["findings"] == []
    # the control: the same key written out in the Markdown file is found
    (tmp_path / "doc.md").write_text(f"# Plot\n\n![loss]({uri})\n\naws: {AWS}\n")
    assert _hits(_scan(tmp_path, ".")) == [("doc.md", 5, "AWS Access Key")]


@pytest.mark.parametrize("yaml_text, line, column", [
    # a block scalar: the value is on line 5, not on the key's line 2
    ('a: 1\nscript: |\n  echo start\n  echo more\n  export KEY="{k}"\n', 5, 15),
    # a folded scalar
    ("a: 1\nnested:\n  desc: >\n    hello\n    {k}\n", 5, 5),
    # a double-quoted string over two lines
    ('a: 1\nmulti: "first\n  {k}"\n', 3, 3),
    # a plain one-line value stays where it is
    ("a: 1\ntoken: {k}\n", 2, 8),
])
def test_yaml_finding_is_on_the_line_of_the_value(tmp_path, yaml_text, line, column):
    (tmp_path / "cfg.yaml").write_text(yaml_text.format(k=OPENAI))
    doc = _scan(tmp_path, "cfg.yaml")
    assert [(f["line"], f["column"], f["end_column"] - f["column"]) for f in doc["findings"]] == [
        (line, column, len(OPENAI))]


def test_yaml_entropy_value_in_a_block_scalar_is_anchored_on_its_line(tmp_path):
    value = "".join(RND.choice(ALNUM) for _ in range(40))
    (tmp_path / "cfg.yaml").write_text(f'a: 1\nblock: |\n  one\n  two\n  api_key = "{value}"\n')
    doc = _scan(tmp_path, "cfg.yaml")
    assert [(f["line"], f["column"]) for f in doc["findings"]] == [(5, 14)]
    assert value not in json.dumps(doc)


def test_text_scan_respects_exclude_and_suppressions(tmp_path):
    (tmp_path / "run.sh").write_text(f"export HF_TOKEN={HF}  # aiprivlint" + f": ignore[AIP105]\n")
    _, doc = run_json("--config", str(EMPTY_CONFIG), "--select", "AIP105", str(tmp_path / "run.sh"))
    assert doc["findings"] == [] and doc["summary"]["suppressed"] == 1


def test_a_private_key_block_without_key_material_is_documentation(tmp_path):
    """``-----BEGIN ... PRIVATE KEY-----`` with ``[...]`` inside is how documentation shows where a
    key goes; a block with base64 lines is a key."""
    begin, end = "-----BEGIN " + "OPENSSH PRIVATE KEY-----", "-----END " + "OPENSSH PRIVATE KEY-----"
    body = "\n".join("".join(RND.choice(ALNUM + "+/") for _ in range(64)) for _ in range(4))
    (tmp_path / "docs.md").write_text(f"```yaml\nkey: |+\n  {begin}\n  [...]\n  {end}\n```\n")
    (tmp_path / "leak.md").write_text(f"```\n{begin}\n{body}\n{end}\n```\n")
    doc = _scan(tmp_path, ".")
    assert _hits(doc) == [("leak.md", 2, "Private Key")]
    assert body.splitlines()[0][:24] not in json.dumps(doc)
