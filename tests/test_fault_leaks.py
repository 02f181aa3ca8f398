"""Nothing printed or written holds a detected value in clear (issue 12, "leaks").

Realistic values (an e-mail address, an IBAN with a valid check, a mobile number, a provider
key, and an e-mail address used as a dict key) are planted in code, data, a notebook and a
README; the real CLI runs in every output format and the audit, and every byte it prints or
writes is searched for the values. The values are built at runtime from pieces, so that this
file itself holds none (the repository checks itself).
"""

from __future__ import annotations

import json
import random
import string

import pytest

from conftest import EMPTY_CONFIG, run_cli


def _iban(bank: str, account: str) -> str:
    bban = bank + account
    digits = "".join(str(int(c, 36)) for c in bban + "DE00")
    return f"DE{98 - int(digits) % 97:02d}{bban}"


def planted() -> dict[str, str]:
    rnd = random.Random(1207)
    alnum = string.ascii_letters + string.digits
    return {
        "email": "anna.schmidt" + "@" + "web.de",
        "key_email": "jonas.keller" + "@" + "posteo.de",  # used as a dict key
        "phone": "+49 171 " + "385" + "6217",
        "iban": _iban("50010517", "5407324932"),
        "key": "sk-proj-" + "".join(rnd.choice(alnum) for _ in range(48)),
    }


def needles(v: dict[str, str]) -> dict[str, str]:
    """What must never appear: each value, and the telling part of each."""
    out = dict(v)
    out["phone_digits"] = "1713856217"
    out["iban_grouped"] = " ".join(v["iban"][i:i + 4] for i in range(0, len(v["iban"]), 4))
    out["key_body"] = v["key"][8:32]
    out["email_local"] = v["email"].split("@")[0]
    out["key_email_local"] = v["key_email"].split("@")[0]
    return out


def leaks(text: str, v: dict[str, str]) -> list[str]:
    return [name for name, needle in needles(v).items() if needle in text]


def write_project(root, v: dict[str, str]) -> None:
    (root / "app.py").write_text(
        "import openai\n"
        f"CONTACTS = {{{v['key_email']!r}: {v['phone']!r}}}\n"
        f"OWNER = {v['email']!r}\n"
        f"PAYOUT_IBAN = {v['iban']!r}\n"
        f"client = openai.OpenAI(api_key={v['key']!r})\n")
    data = root / "data"
    data.mkdir()
    rows = ["name,email,phone,iban"]
    rows.append(f"Anna Schmidt,{v['email']},{v['phone']},{v['iban']}")
    for i in range(6):
        rows.append(f"P{i},user{i}.x{i * 7}@gmx.de,+49 171 {3856220 + i * 13},"
                    f"{_iban('50010517', str(5407324940 + i * 11))}")
    (data / "customers.csv").write_text("\n".join(rows) + "\n")
    (data / "records.json").write_text(json.dumps(
        [{v["key_email"]: {"phone": v["phone"]}, "iban": v["iban"], "email": v["email"]}] * 3))
    nb = {"cells": [
        {"cell_type": "code", "execution_count": 1, "metadata": {},
         "source": [f"owner = {v['email']!r}\n", "print(owner, iban)"],
         "outputs": [{"output_type": "stream", "name": "stdout",
                      "text": [f"{v['email']} {v['iban']}\n"]}]},
        {"cell_type": "code", "execution_count": 2, "metadata": {},
         "source": [f"OPENAI_API_KEY = {v['key']!r}"], "outputs": []}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (root / "explore.ipynb").write_text(json.dumps(nb, indent=1))
    (root / "README.md").write_text(
        "# Demo\n\nSet the key first:\n\n```bash\n"
        f"export OPENAI_API_KEY={v['key']}\n```\n")


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("leaks")
    v = planted()
    write_project(root, v)
    return root, v


FORMATS = ("text", "json", "sarif", "github")


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_planted_value_in_any_output_format(project, fmt):
    root, v = project
    proc = run_cli("check", "--config", str(EMPTY_CONFIG), "--format", fmt, ".", cwd=root)
    assert proc.returncode == 1, proc.stderr
    assert leaks(proc.stdout, v) == [] and leaks(proc.stderr, v) == []


def test_the_planted_values_are_found(project):
    """The grep above means something only if the values were detected."""
    root, v = project
    proc = run_cli("check", "--config", str(EMPTY_CONFIG), "--format", "json", ".", cwd=root)
    doc = json.loads(proc.stdout)
    seen = {(f["path"], f["rule"]) for f in doc["findings"]}
    for where in [("app.py", "AIP104"), ("app.py", "AIP105"), ("data/customers.csv", "AIP101"),
                  ("explore.ipynb", "AIP103"), ("explore.ipynb", "AIP105"), ("README.md", "AIP105")]:
        assert where in seen, where
    bound = {f["details"].get("field"): f for f in doc["findings"] if f["rule"] == "AIP104"}
    # the phone number's finding names the dict key it is bound to: masked, like a value
    assert "bound to 'j***@p***.de'" in bound["j***@p***.de"]["message"]
    assert "OWNER" in bound  # names that are not data are shown as they are


def test_a_pii_dict_key_is_masked_where_it_is_echoed(tmp_path):
    v = planted()
    (tmp_path / "m.py").write_text(
        "import openai\n"
        f"users = {{{v['key_email']!r}: {v['phone']!r}, {v['iban']!r}: {v['email']!r}}}\n"
        f"rec = {{{('email_' + v['key_email'])!r}: 1}}\n"
        "openai.chat.completions.create(model='m', messages=[{'role': 'user', "
        f"'content': rec[{('email_' + v['key_email'])!r}]}}])\n")
    for fmt in FORMATS:
        proc = run_cli("check", "--config", str(EMPTY_CONFIG), "--format", fmt, "m.py", cwd=tmp_path)
        assert proc.returncode == 1, proc.stderr
        assert leaks(proc.stdout + proc.stderr, v) == [], fmt
        if fmt == "json":
            doc = json.loads(proc.stdout)
            assert {f["rule"] for f in doc["findings"]} >= {"AIP104", "AIP302"}
            fields = sorted(f["details"].get("field") or "" for f in doc["findings"]
                            if f["rule"] == "AIP104")
            assert "DE** **** **** **** **** 32" in fields and "j***@p***.de" in fields


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_no_planted_value_in_the_audit(project, tmp_path, fmt):
    root, v = project
    out = tmp_path / f"audit.{fmt}"
    proc = run_cli("audit", "--config", str(EMPTY_CONFIG), "--out", str(out), ".", cwd=root)
    assert proc.returncode in (0, 1), proc.stderr
    assert leaks(proc.stdout + proc.stderr, v) == []
    assert leaks(out.read_text(encoding="utf-8"), v) == []
