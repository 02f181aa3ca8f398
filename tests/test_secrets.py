"""AIP105 hardcoded-secret: no secret in any output, the prefilter never drops a line a
detect-secrets plugin fires on, and the prefiltered scan equals detect-secrets' full scan.

Fixtures (tests/fixtures/rules/AIP105) are checked line by line by test_rule_fixtures.py; this
file checks what is specific to secrets.
"""

from __future__ import annotations

import json
import random
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EMPTY_CONFIG, FIXTURES, ROOT, run_cli, run_json

AIP105 = FIXTURES / "rules" / "AIP105"

# Every key-shaped value planted in the fixtures (fire and quiet): none may ever be printed.
_SHAPE = re.compile(
    r"sk-(?:proj|ant)-[A-Za-z0-9_-]{20,}|sk-[A-Za-z0-9]{48}"
    r"|(?:hf|gsk|r8|pcsk|lsv2_pt|lsv2_sk)_[A-Za-z0-9_]{20,}"
    r"|AIza[0-9A-Za-z_-]{35}|AKIA[0-9A-Z]{16}|\b[0-9a-f]{40}\b"
)


def _planted() -> set[str]:
    found: set[str] = set()
    for path in AIP105.rglob("*"):
        if path.is_file() and path.suffix != ".expect":
            text = path.read_text(encoding="utf-8")
            found.update(_SHAPE.findall(text))
            # context-keyed and keyword values: the quoted value after the telling name
            found.update(re.findall(
                r"(?:COHERE_API_KEY|MISTRAL_API_KEY|PINECONE_API_KEY|password|Client)\W{1,6}"
                r"([A-Za-z0-9!@#%^&*+/=-]{8,64})", text))
    return found


PLANTED = _planted()


def test_planted_secrets_are_collected():
    assert len(PLANTED) >= 20, PLANTED


@pytest.mark.parametrize("fmt", ["json", "text", "sarif", "github"])
def test_no_secret_in_any_output(fmt):
    proc = run_cli("check", "--config", str(EMPTY_CONFIG), "--select", "AIP105", "--format", fmt,
                   str(AIP105))
    if proc.returncode == 2 and "invalid choice" in proc.stderr:
        pytest.skip(f"--format {fmt} is not available yet")
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout + proc.stderr
    assert "AIP105" in out
    leaked = sorted(s for s in PLANTED if s in out)
    assert leaked == [], f"{len(leaked)} secret value(s) printed by --format {fmt}"


def test_findings_carry_only_the_secret_type():
    _, doc = run_json("--config", str(EMPTY_CONFIG), "--select", "AIP105", str(AIP105))
    findings = [f for f in doc["findings"] if f["rule"] == "AIP105"]
    assert findings
    types = set()
    for f in findings:
        assert set(f["details"]) == {"secret_type"}
        types.add(f["details"]["secret_type"])
    for expected in ("OpenAI API key", "Anthropic API key", "Hugging Face token", "Cohere API key",
                     "Mistral API key", "Groq API key", "Replicate API token", "Google API key",
                     "Weights & Biases API key", "Pinecone API key", "LangSmith API key",
                     "AWS Access Key", "Private Key", "Secret Keyword"):
        assert expected in types, f"no {expected} found in the fixtures"


def test_fingerprint_survives_line_moves_and_is_not_the_secret(tmp_path):
    key = "hf_" + "Q7vLmN2pXc9RtYb4KdWs8EfGh3JzAq6UoP"
    body = f'from huggingface_hub import login\n\nlogin(token="{key}")\n'
    f = tmp_path / "train.py"
    f.write_text(body)
    _, doc1 = run_json("--config", str(EMPTY_CONFIG), "--select", "AIP105", str(f), cwd=tmp_path)
    f.write_text("# a comment\n\n\n" + body)
    _, doc2 = run_json("--config", str(EMPTY_CONFIG), "--select", "AIP105", str(f), cwd=tmp_path)
    (a,), (b,) = doc1["findings"], doc2["findings"]
    assert (a["line"], b["line"]) == (3, 6)
    assert a["fingerprint"] == b["fingerprint"]
    assert key not in json.dumps(doc1) and key[3:15] not in json.dumps(doc1)
    assert (a["column"], a["end_column"]) == (14, 14 + len(key))


def test_allowlist_pragmas_and_aiprivlint_ignore(tmp_path):
    key = "gsk_" + "Vb3nQ8rT5yW2xK7mP9sD4fG6hJ1kL0zXcA5eR8tY3uI7oP2aS4dF"
    f = tmp_path / "app.py"
    f.write_text(
        f'a = "{key}"  # pragma: allowlist secret\n'
        "# pragma: allowlist nextline secret\n"
        f'b = "{key}"\n'
        f'c = "{key}"  # aiprivlint: ignore[AIP105] revoked test key\n'
        f'd = "{key}"\n'
    )
    _, doc = run_json("--config", str(EMPTY_CONFIG), "--select", "AIP105", str(f), cwd=tmp_path)
    assert [x["line"] for x in doc["findings"]] == [5]


def test_no_detect_secrets_import_without_candidates(tmp_path):
    """`aiprivlint check one.py` on a file with no candidate line never imports detect-secrets."""
    clean = tmp_path / "clean.py"
    clean.write_text("import torch\n\nmodel = torch.nn.Linear(4, 2)\nprint(model)\n")
    dirty = tmp_path / "dirty.py"
    dirty.write_text('PASSWORD = "x"\n')
    code = ("import sys; from aiprivlint.cli import main; "
            "rc = main(['check', '--config', sys.argv[1], '--select', 'AIP105', '-j', '1', '-q', "
            "sys.argv[2]]); "
            "print('IMPORTED' if 'detect_secrets' in sys.modules else 'NOT-IMPORTED', rc)")
    out = subprocess.run([sys.executable, "-c", code, str(EMPTY_CONFIG), str(clean)],
                         capture_output=True, text=True, cwd=tmp_path, check=False).stdout
    assert "NOT-IMPORTED 0" in out
    out = subprocess.run([sys.executable, "-c", code, str(EMPTY_CONFIG), str(dirty)],
                         capture_output=True, text=True, cwd=tmp_path, check=False).stdout
    assert "IMPORTED" in out.split()[-2:]


def test_detect_secrets_runs_without_importing_requests(tmp_path):
    """Scanning a key (a .py file and a notebook cell) imports detect-secrets but not requests,
    which only its verification code uses; an ``import requests`` afterwards is the real module,
    and detect-secrets' own name for it reads from that module."""
    key = "hf_" + "bUfmXWIXiyR9HofHEn38JTwhsMrGTRpk0A"
    (tmp_path / "app.py").write_text(f'TOKEN = "{key}"\n')
    nb = {"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                     "source": [f'token = "{key}"\n']}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "nb.ipynb").write_text(json.dumps(nb))
    code = ("import sys; from aiprivlint.cli import main; "
            "rc = main(['check', '--config', sys.argv[1], '--select', 'AIP105', '-j', '1', '-q', "
            "'--exit-zero', 'app.py', 'nb.ipynb']); "
            "before = 'requests' in sys.modules; "
            "import requests, detect_secrets.plugins.base as base; "
            "print(rc, 'detect_secrets' in sys.modules, before, "
            "base.requests.exceptions.RequestException is requests.exceptions.RequestException, "
            "type(requests.Session).__name__)")
    out = subprocess.run([sys.executable, "-c", code, str(EMPTY_CONFIG)], capture_output=True,
                         text=True, cwd=tmp_path, check=False)
    assert out.stdout.split()[-5:] == ["0", "True", "False", "True", "type"], out.stderr
    _, doc = run_json("--config", str(EMPTY_CONFIG), "--select", "AIP105", "app.py", "nb.ipynb",
                      cwd=tmp_path)
    assert sorted(f["path"] for f in doc["findings"]) == ["app.py", "nb.ipynb"]


# --- the prefilter is a superset of every detect-secrets plugin ---------------------------------


def test_tables_agree_with_detect_secrets():
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.plugins.keyword import DENYLIST
    from detect_secrets.util import filetype

    from aiprivlint.secrets import prefilter, scanner

    assert prefilter.KEYWORD_DENYLIST == DENYLIST
    shipped = {cls.__name__ for cls in get_mapping_from_secret_type_to_class().values()
               if cls.__module__.startswith("detect_secrets.")}
    assert shipped == set(scanner.STANDARD_PLUGINS)
    known = {ext for ext in scanner.KNOWN_EXTENSIONS if filetype.determine_file_type("x" + ext)
             != filetype.FileType.OTHER}
    assert known == scanner.KNOWN_EXTENSIONS
    for ext in (".json", ".ipynb", ".env", ".local", ".txt"):
        assert filetype.determine_file_type("x" + ext) == filetype.FileType.OTHER


try:  # Python 3.11+
    from re import _parser as _sre_parse
    from re import _constants as _sre_c
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _sre_c
    import sre_parse as _sre_parse

_ANY = string.ascii_letters + string.digits + string.punctuation + " \tñÑKſ"
_NOISE = ["", " ", "x = ", "  ", "# ", "(", '"', "'", "[", "key ", "=", ":", ",", "foo", "AKIA",
          "password", "token=", "aws ", "\t", "https://", "@", "'abc'", "0" * 8, "-"]


def _gen(parsed, rng: random.Random, groups: dict) -> str:
    """A random string that (look-arounds aside) matches a parsed regular expression."""
    out = []
    for op, av in parsed:
        if op is _sre_c.LITERAL:
            out.append(chr(av))
        elif op is _sre_c.NOT_LITERAL:
            out.append(rng.choice([c for c in _ANY if ord(c) != av]))
        elif op is _sre_c.ANY:
            out.append(rng.choice(_ANY))
        elif op is _sre_c.IN:
            out.append(_gen_class(av, rng))
        elif op in (_sre_c.MAX_REPEAT, _sre_c.MIN_REPEAT):
            lo, hi, sub = av
            n = rng.randint(lo, min(hi, lo + rng.choice((0, 1, 2, 6))))
            out.extend(_gen(sub, rng, groups) for _ in range(n))
        elif op is _sre_c.SUBPATTERN:
            text = _gen(av[-1], rng, groups)
            if av[0] is not None:
                groups[av[0]] = text
            out.append(text)
        elif op is _sre_c.BRANCH:
            out.append(_gen(rng.choice(av[1]), rng, groups))
        elif op is _sre_c.GROUPREF:
            out.append(groups.get(av, ""))
    return "".join(out)


_CATEGORY = {"CATEGORY_DIGIT": r"\d", "CATEGORY_NOT_DIGIT": r"\D", "CATEGORY_SPACE": r"\s",
             "CATEGORY_NOT_SPACE": r"\S", "CATEGORY_WORD": r"\w", "CATEGORY_NOT_WORD": r"\W"}
_POOLS: dict[int, list[str]] = {}


def _gen_class(items, rng: random.Random) -> str:
    pool = _POOLS.get(id(items))
    if pool is None:
        negate = any(op is _sre_c.NEGATE for op, _ in items)
        chars: list[str] = []
        for op, av in items:
            if op is _sre_c.LITERAL:
                chars.append(chr(av))
            elif op is _sre_c.RANGE:
                chars.extend(chr(c) for c in range(av[0], av[1] + 1))
            elif op is _sre_c.CATEGORY:
                rx = re.compile(_CATEGORY.get(str(av), r"\w"))
                chars.extend(c for c in _ANY if rx.fullmatch(c))
        pool = [c for c in _ANY if c not in chars] if negate else chars
        _POOLS[id(items)] = pool = pool or ["x"]
    return rng.choice(pool)


def _plugin_patterns(plugin) -> list[re.Pattern]:
    from detect_secrets.plugins import keyword

    if type(plugin).__name__ == "KeywordDetector":
        return [rx for rx in vars(keyword).values() if isinstance(rx, re.Pattern)]
    if hasattr(plugin, "denylist"):
        return list(plugin.denylist)
    return [plugin.regex]


def _run(rng: random.Random, n: int, alphabet: str) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _jwt(rng: random.Random) -> str:
    import base64

    def part(obj: str) -> str:
        return base64.urlsafe_b64encode(obj.encode()).decode().rstrip("=")

    body = part('{"sub":"%d","name":"%s"}' % (rng.randint(0, 10**6), _run(rng, 6, string.ascii_letters)))
    head = part('{"alg":"HS256","typ":"JWT"}')
    return f"{head}.{body}.{_run(rng, 43, string.ascii_letters + '-_')}"


_PARSED: dict = {}


def _samples(rx: re.Pattern, rng: random.Random, n: int) -> list[str]:
    parsed = _PARSED.get(rx)
    if parsed is None:
        parsed = _PARSED[rx] = _sre_parse.parse(rx.pattern, rx.flags)
    out = []
    for _ in range(n):
        core = _gen(parsed, rng, {})
        if rx.flags & re.IGNORECASE and rng.random() < 0.5:
            core = "".join(c.swapcase() if rng.random() < 0.3 else c for c in core)
        out.append(rng.choice(_NOISE) + core + rng.choice(_NOISE))
    return out


@pytest.fixture(scope="module")
def every_plugin():
    from detect_secrets.settings import transient_settings

    from aiprivlint.secrets import plugins, scanner

    plugins.register()
    names = scanner.STANDARD_PLUGINS + scanner.OUR_PLUGINS
    with transient_settings({"plugins_used": [{"name": n} for n in names]}):
        from detect_secrets.settings import get_plugins

        yield {type(p).__name__: p for p in get_plugins()}


@pytest.mark.parametrize("filename", ["x.py", "x.yaml", "x.go", "x.c", "x.cpp"])
def test_prefilter_is_a_superset_of_every_plugin(every_plugin, filename):
    """Lines generated from each plugin's own regular expressions (with noise around them): every
    line a plugin reports something on is matched by that plugin's prefilter fragment."""
    from detect_secrets.util.code_snippet import get_code_snippet

    from aiprivlint.secrets.prefilter import compile_prefilter

    rng = random.Random(filename)
    generic = ("KeywordDetector", "Base64HighEntropyString", "HexHighEntropyString")
    fired: dict[str, int] = {}
    for target, plugin in every_plugin.items():
        lines = [line for rx in _plugin_patterns(plugin) for line in _samples(rx, rng, 40)]
        if target == "JwtTokenDetector":  # its regex needs base64 JSON to count
            lines += [rng.choice(_NOISE) + _jwt(rng) + rng.choice(_NOISE) for _ in range(20)]
        for line in lines:
            snippet = get_code_snippet([line], 1)
            for name in {target, *generic}:
                if every_plugin[name].analyze_line(filename=filename, line=line, line_number=1,
                                                   context=snippet):
                    fired[name] = fired.get(name, 0) + 1
                    assert compile_prefilter(((name, None),)).search(line), \
                        f"the prefilter misses {name} on a {filename} line"
    never = sorted(set(every_plugin) - set(fired))
    assert never == [], f"no generated line fired {never}: the test proves nothing for them"


def test_candidate_lines_finds_every_matching_line():
    from aiprivlint.secrets.prefilter import candidate_lines
    from aiprivlint.secrets.scanner import CONFIG

    from aiprivlint.secrets.prefilter import STANDARD_FRAGMENTS

    rng = random.Random(7)
    pool = [line for frags in STANDARD_FRAGMENTS.values() for frag in frags
            for line in _samples(re.compile(frag.pattern), rng, 20)]
    lines = [rng.choice(pool) if rng.random() < 0.3 else "x = 1" for _ in range(3000)]
    expected = [i for i, line in enumerate(lines, 1) if CONFIG.prefilter.search(line)]
    assert len(expected) > 100
    assert expected
    assert candidate_lines("\n".join(lines) + "\n", CONFIG.prefilter) == expected


def test_prefiltered_scan_equals_full_scan_on_the_fixtures(tmp_path):
    """The equivalence bench on the fixtures, with every plugin and detect-secrets' own filters."""
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "secrets_equivalence.py"), str(AIP105),
                           "--plugins", "all", "--filters", "detect-secrets"],
                          capture_output=True, text=True, check=False, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "findings equal: yes" in proc.stdout
    assert not any(s in proc.stdout for s in PLANTED)


def test_fold_matches_like_ignorecase():
    """The folded text matches a lower-case pattern exactly where re.IGNORECASE would."""
    from aiprivlint.secrets.prefilter import fold

    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    folded = fold(every)
    assert len(folded) == len(every)
    for letter in string.ascii_lowercase + "ñ":
        ignorecase = {m.start() for m in re.finditer("(?i)" + letter, every)}
        assert ignorecase == {m.start() for m in re.finditer(letter, folded)}, letter


def _wrap(kind: str, key: str, value: str) -> tuple[str, str]:
    """A small file of ``kind`` that holds ``value`` under ``key``: (file name, text)."""
    if kind == "yaml":
        return "config.yaml", f"model:\n  name: llama\n  {key}: {value}\nother: 1\n"
    if kind == "ini":
        return "settings.ini", f"[default]\nname = x\n{key} = {value}\n"
    if kind == "toml":
        return "pyproject.toml", f'[tool.app]\nname = "x"\n{key} = "{value}"\n'
    if kind == "env":
        return ".env", f"NAME=x\n{key.upper()}={value}\n"
    if kind == "json":
        return "config.json", json.dumps({"name": "x", key: value}, indent=2) + "\n"
    if kind == "notebook":
        cell = {"cell_type": "code", "metadata": {}, "execution_count": 1, "source": [f"{key} = {value!r}\n"],
                "outputs": [{"output_type": "stream", "name": "stdout", "text": [value + "\n"]}]}
        return "nb.ipynb", json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5},
                                      indent=1) + "\n"
    return "app.py", f"import os\n\n{key} = {value!r}\nprint({key})\n"


@pytest.mark.parametrize("kind", ["yaml", "ini", "toml", "env", "json", "notebook", "python"])
def test_prefiltered_scan_equals_full_scan_on_generated_files(every_plugin, tmp_path, monkeypatch, kind):
    """Files of every kind, holding values generated from the plugins' regexes: the prefiltered
    scan (with the gates that skip whole files) finds exactly what the full scan finds."""
    from aiprivlint.checkers.secrets import notebook_lines
    from aiprivlint.secrets import scanner
    from aiprivlint.secrets.scanner import Profile

    monkeypatch.chdir(tmp_path)
    everything = Profile("all", tuple((n, None) for n in scanner.STANDARD_PLUGINS + scanner.OUR_PLUGINS),
                         scanner.DEFAULT_FILTERS[:1])  # only the allow-list filter: keep every hit
    rng = random.Random(kind)
    keys = ["api_key", "password", "token", "aws_secret_key", "cohere_api_key", "wandb_api_key",
            "mistral_key", "pinecone_api_key", "secret", "sl_api_key", "cl_password", "value"]
    found = 0
    for name, plugin in sorted(every_plugin.items()):
        for rx in _plugin_patterns(plugin):
            for value in _samples(rx, rng, 3):
                value = value.replace("\n", " ").replace("\r", " ")
                filename, text = _wrap(kind, rng.choice(keys), value)
                Path(filename).write_text(text, encoding="utf-8")
                if kind == "notebook":
                    lines, _ = notebook_lines(text)
                    full = scanner.scan_lines(lines, filename, everything, prefilter=False)
                    gate = everything.prefilter.may_fire_on(text, notebook=True)
                    fast = scanner.scan_lines(lines, filename, everything) if gate else []
                else:
                    full = scanner.scan_file_text(text, filename, everything, prefilter=False,
                                                  all_passes=True)
                    fast = scanner.scan_file_text(text, filename, everything, all_passes=True)
                key = lambda h: (h.line, h.secret_type, h.secret)  # noqa: E731
                assert sorted(map(key, fast)) == sorted(map(key, full)), f"{kind}: {name}"
                found += bool(full)
    assert found > 30


def test_aiprivlint_filters_run_on_every_reported_secret():
    """detect-secrets picks filters by the arguments they name: ours must be among those it runs
    on each reported secret, or on each line or file it scans (a filter whose arguments match no
    stage would silently never run)."""
    from detect_secrets.core.scan import get_filters_with_parameter

    from aiprivlint.secrets import scanner

    with scanner.settings(scanner.CODE):
        per_secret = {f.path for f in get_filters_with_parameter("secret")}
        per_line = {f.path for f in get_filters_with_parameter("line")}
        per_file = {f.path for f in get_filters_with_parameter("filename")}
    ours = {p for p in scanner.DEFAULT_FILTERS if p.startswith("aiprivlint.")}
    assert ours and ours <= per_secret | per_line | per_file
    assert "aiprivlint.secrets.filters.is_placeholder" in per_secret


def test_lock_files_and_hash_pins_are_no_secrets(tmp_path):
    """pnpm/uv/bun lock files and hash-pinned requirements hold checksums, never credentials."""
    from conftest import run_json

    integrity = "sha512-Zk3n9Qx2Lm8Pr7Tv5Wy1Ab4Cd6Ef0Gh3Ij9Kl2Mn5Op8Qr1St4Uv7Wx0Yz3Ab6Cd9Ef2Gh5Ij8Kl1Mn4Op7Qr0St=="
    (tmp_path / "pnpm-lock.yaml").write_text(
        "packages:\n  /left-pad@1.3.0:\n    resolution: {integrity: " + integrity + "}\n")
    (tmp_path / "uv.lock").write_text('[[package]]\nname = "x"\nhash = "sha256:' + "9f" * 32 + '"\n')
    (tmp_path / "requirements.txt").write_text(
        "torch==2.3.0 --hash=sha256:" + "3c" * 32 + "\n")
    (tmp_path / "config.yaml").write_text('api_token: "Vq7XbN2pLw9zRt4KmC8sHd3JfY6aGu1E"\n')
    _, doc = run_json("--config", str(EMPTY_CONFIG), "--select", "AIP105", ".", cwd=tmp_path)
    assert [f["path"] for f in doc["findings"]] == ["config.yaml"]


def test_placeholder_and_identifier_filters():
    from aiprivlint.secrets.filters import is_placeholder

    class Keyword:
        secret_type = "Secret Keyword"

    class Mistral:
        secret_type = "Mistral API key"
        aiprivlint_plugin = True
        mixed_case = True

    for value in ("EMPTY", "sk-no-key-required", "YOUR_API_KEY", "postgres", "changeme", "my_api_key",
                  "keys/server.pem", "YOUR Claude API KEY", "xxxxxxxxxxxxxxxxxxxx", "abc"):
        assert is_placeholder(value, Keyword()), value
    assert not is_placeholder("Tr0ub4dor&3x", Keyword())
    assert is_placeholder("Mistral3ForConditionalGeneration", Mistral())
    assert is_placeholder("5e4c01057a10732d34784af2a97bee9d", Mistral())  # a hex digest
    assert not is_placeholder("1GFCaVpdq1eEJNGJYqu6Rwk7EoZjUbUW", Mistral())


def test_cache_never_holds_a_secret(tmp_path):
    import shutil

    for f in (AIP105 / "fire").iterdir():
        if f.suffix != ".expect":
            shutil.copy(f, tmp_path / f.name)
    cache = tmp_path / "cache"
    proc = run_cli("check", "--config", str(EMPTY_CONFIG), "--select", "AIP105", "-q", ".", cwd=tmp_path,
                   env={"AIPRIVLINT_NO_CACHE": "", "AIPRIVLINT_CACHE_DIR": str(cache)})
    assert proc.returncode == 1, proc.stderr
    cached = "".join(p.read_text(errors="replace") for p in cache.rglob("*") if p.is_file())
    assert "AIP105" in cached
    assert [s for s in PLANTED if s in cached] == []


# --- Kubernetes Secret manifests (secrets/manifests.py) ---------------------------------------

def _b64(s: str) -> str:
    import base64

    return base64.b64encode(s.encode()).decode()


def test_secret_data_is_decoded_in_place_and_nothing_else_changes():
    from aiprivlint.secrets.manifests import read_manifests

    binary = "AAECAwQFBgc="  # bytes 0-7: no text, stays as written
    text = "\n".join([
        "apiVersion: v1",
        "kind: Secret",
        "data:",
        f"  BROKER_URL: {_b64('redis://cache:6379/0')}",
        f"  TOKEN: \"{_b64('change-me')}\"  # replaced at deploy time",
        f"  KEYRING: {binary}",
        "stringData:",
        f"  PLAIN: {_b64('not data: left alone')}",
        "---",
        "kind: ConfigMap",
        "data:",
        f"  NAME: {_b64('model-a')}",
        "",
    ])
    out = read_manifests(text).split("\n")
    assert len(out) == len(text.split("\n"))
    assert out[3] == '  BROKER_URL: "redis://cache:6379/0"'
    assert out[4] == '  TOKEN: "change-me"  # replaced at deploy time'
    assert out[5] == f"  KEYRING: {binary}"
    assert out[7] == text.split("\n")[7]  # stringData is plain text already
    assert out[11] == text.split("\n")[11]  # a ConfigMap's data is not base64


def test_a_file_without_a_secret_is_returned_as_is():
    from aiprivlint.secrets.manifests import read_manifests

    text = f"kind: Deployment\ndata:\n  X: {_b64('y')}\n"
    assert read_manifests(text) is text


def test_a_custom_resource_definition_is_a_schema_and_is_blanked():
    from aiprivlint.secrets.manifests import read_manifests

    text = "\n".join([
        "apiVersion: apiextensions.k8s.io/v1",
        "kind: CustomResourceDefinition",
        "spec:",
        "  versions:",
        "    - schema:",
        "        openAPIV3Schema:",
        "          properties:",
        "            secretKeyRef: {description: 'the key of a secret holding the token'}",
        "---",
        "apiVersion: v1",
        "kind: Secret",
        "stringData:",
        "  token: kept-as-written",
        "",
    ])
    out = read_manifests(text).split("\n")
    assert len(out) == len(text.split("\n"))
    assert out[:8] == [""] * 8 and out[8] == "---"
    assert out[9:] == text.split("\n")[9:]
