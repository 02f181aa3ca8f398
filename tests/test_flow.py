"""The dataflow engine on its own (aiprivlint.flow), with a model written for these tests: no
rule and no library model is involved. Propagation, function summaries, classes, modules linked
through their imports, notebooks as one program, bounds, and the summaries' JSON round trip."""

from __future__ import annotations

import ast
import json

from aiprivlint.checkers.python._flow_run import analyse, analyse_code, imports_of
from aiprivlint.flow.link import Linker
from aiprivlint.flow.model import CallSite, Kind, Model, Outcome, Registry, Use
from aiprivlint.flow.summary import ModuleSummary
from aiprivlint.flow.values import CLEAN, MAX_LABELS, Label, Val, join, lit, obj
from aiprivlint.notebook import code_of, parse_notebook

SECRET = "secret"


def _source(site: CallSite) -> Val:
    return Val(frozenset({Label(SECRET, "s", "lib.source()", site.line)}))


def _sink(site: CallSite) -> Outcome:
    return Outcome(CLEAN, [Use("sink", {"call": site.label}, site.content())])


def _client(site: CallSite) -> Val:
    return Val(obj=obj("test.client"))


def _client_method(site: CallSite) -> Outcome | None:
    if site.name == "send":
        return _sink(site)
    return None


def _password(key, base, recv, is_attr, module, node) -> Val | None:
    if key == "password" and recv != "config":
        return Val(frozenset({Label(SECRET, "password", f"{recv}.password", 0)}))
    return None


def _secret_attr(lb: Label, name: str) -> tuple:
    return () if name == "length" else (lb,)


MODEL = Model(
    "test",
    calls={"lib.source": _source, "lib.sink": _sink, "lib.clean": lambda s: CLEAN,
           "lib.Client": _client},
    methods={"test.client": {"*": _client_method}},
    reads=[_password],
    kinds=[Kind(SECRET, attr=_secret_attr)],
)
REG = Registry([MODEL])
HEADER = "import lib\n"


def events(code: str, rel: str = "m.py"):
    s = analyse_code(HEADER + code, rel, REG)
    return [(e.sink, e.pos.line - 1, sorted(lb.tag for lb in e.value.labels if lb.kind == SECRET))
            for e in s.events]


def sinks(code: str) -> list[int]:
    """The (code) lines of the sink events that carry a secret."""
    return [line for _, line, tags in events(code) if tags]


# --- propagation -------------------------------------------------------------------------------
def test_assignments_strings_and_containers_carry_labels():
    assert sinks("x = lib.source()\ny = f'a {x}'\nz = 'b %s' % y\nw = '{}'.format(z)\n"
                 "v = ','.join([w, 'k'])\nlib.sink(v)") == [6]
    assert sinks("d = {'k': lib.source(), 'o': 1}\nlib.sink(d['k'])\nlib.sink(d['o'])") == [2]
    assert sinks("a, b = lib.source(), 1\nlib.sink(b)\nlib.sink(a)") == [3]


def test_iteration_comprehensions_and_zip_are_pairwise():
    code = ("xs = [lib.source()]\nfor x in xs:\n    lib.sink(x)\n"
            "ys = [y.upper() for y in xs]\nlib.sink(ys)\n"
            "for n, s in zip([1, 2], xs):\n    lib.sink(n)\n    lib.sink(s)")
    assert sinks(code) == [3, 5, 8]


def test_branches_are_joined_and_loops_reach_a_fixed_point():
    assert sinks("x = 1\nif c:\n    x = lib.source()\nlib.sink(x)") == [4]
    # appended at the bottom of the loop, read at its top on the next pass
    code = "msgs = []\nwhile True:\n    lib.sink(msgs)\n    msgs.append(lib.source())"
    assert sinks(code) == [3]


def test_label_kinds_decide_reads_and_sanitisers_cut():
    assert sinks("x = lib.source()\nlib.sink(x.length)\nlib.sink(len(x))\n"
                 "lib.sink(lib.clean(x))\nlib.sink(x.other)") == [5]


def test_reads_create_labels_unless_the_receiver_is_excluded():
    assert sinks("lib.sink(user.password)\nlib.sink(config.password)") == [1]


def test_measures_of_a_value_hold_none_of_its_content():
    code = ("t = lib.source()\nlib.sink(t.shape[1])\nlib.sink(len(t))\nlib.sink(t.dtype)\n"
            "lib.sink(t[1])\n")
    assert sinks(code) == [5]


def _reduce_gone(lb):
    return ()


NUMBERS = Registry([Model("numbers", calls=MODEL.calls, kinds=[Kind(SECRET, reduce=_reduce_gone)])])


def test_a_function_annotated_to_return_a_number_returns_a_scalar():
    # the secret kind says a scalar taken from it holds none of it (as int(x) does)
    code = ("def count(text) -> int:\n    return text.count(' ') + lib.source()\n"
            "def echo(text) -> str:\n    return text\n"
            "lib.sink(count(lib.source()))\nlib.sink(echo(lib.source()))\n"
            "lib.sink(int(lib.source()))\n")
    s = analyse_code(HEADER + code, "m.py", NUMBERS)
    hits = [e.pos.line - 1 for e in s.events if any(lb.kind == SECRET for lb in e.value.labels)]
    assert hits == [6]


def test_unknown_calls_do_not_propagate():
    assert sinks("x = lib.source()\nlib.sink(unknown_function(x))\nlib.sink(x)") == [3]


# --- functions and classes ------------------------------------------------------------------------
def test_a_helper_returning_its_parameter_carries_the_callers_label():
    assert sinks("def f(a):\n    return f'<{a}>'\nlib.sink(f(lib.source()))\nlib.sink(f('x'))") == [3]


def test_a_helper_that_sinks_its_parameter_reports_the_caller():
    s = analyse_code(HEADER + "def log(a):\n    lib.sink(a)\nlog('x')\nlog(lib.source())", "m.py", REG)
    hits = [e for e in s.events if any(lb.kind == SECRET for lb in e.value.labels)]
    assert [(e.pos.line - 1, e.via[0][0], e.call.line - 1) for e in hits] == [(2, "log", 4)]


def test_functions_defined_inside_functions_are_analysed_though_never_called_here():
    # a handler made by a factory (a method or a function) and registered or returned elsewhere
    code = ("def make(app):\n    secret = lib.source()\n    def handler(req):\n"
            "        lib.sink(secret)\n    return handler\n"
            "class Factory:\n    def build(self):\n        def inner(x):\n"
            "            lib.sink(lib.source())\n        return inner\n")
    assert sinks(code) == [4, 9]


def _wire(site: CallSite) -> Outcome:
    return Outcome(CLEAN, roles=[(v, {"kind": "wired"}) for v in site.args
                                 if v.obj is not None and v.obj.type == "func"])


def _wired_param(p) -> Val | None:
    if p.role and p.role.get("kind") == "wired":
        return Val(frozenset({Label(SECRET, p.name, f"parameter '{p.name}'", 0)}))
    return None


WIRING = Registry([MODEL, Model("wiring", calls={"lib.wire": _wire}, params=[_wired_param])])


def test_a_function_wired_by_a_later_function_is_analysed_again_in_its_role():
    # ``handler`` is analysed (no role) before ``setup``, which no code here calls, wires it:
    # it is analysed again, its parameter now what the framework passes
    code = ("def handler(x):\n    lib.sink(x)\n"
            "def setup():\n    lib.wire(handler)\n")
    s = analyse_code(HEADER + code, "m.py", WIRING)
    assert [(e.pos.line - 1, sorted(lb.tag for lb in e.value.labels if lb.kind == SECRET))
            for e in s.events] == [(2, ["x"])]  # one event: the first analysis's is gone


def test_recursion_terminates():
    assert sinks("def f(a):\n    return f(a)\nlib.sink(f(lib.source()))") == []


def test_objects_fields_and_methods():
    code = ("class Bot:\n    def __init__(self):\n        self.client = lib.Client()\n"
            "    def reply(self, text):\n        self.client.send(text)\n"
            "Bot().reply(lib.source())")
    assert sinks(code) == [5]


def test_an_attribute_store_is_held_under_that_attribute():
    # what is stored at obj.k is read back at obj.k, not at obj.other; obj used whole carries it
    code = ("cfg = make()\ncfg.prompt = lib.source()\nlib.sink(cfg.prompt)\nlib.sink(cfg.top_k)\n"
            "lib.sink(cfg)\n"
            "class Rag:\n    def edit(self):\n        self.config.prompt = lib.source()\n"
            "    def filter(self):\n        lib.sink(self.config.reranker.key)\n"
            "        lib.sink(self.config)\n")
    assert sinks(code) == [3, 5, 11]


# --- modules of a project ------------------------------------------------------------------------
def project(files: dict[str, str]):
    mods = {rel: analyse_code(code, rel, REG) for rel, code in files.items()}
    return [(e.module, e.pos.line, sorted(lb.tag for lb in e.value.labels if lb.kind == SECRET),
             e.info.get("caller", ""), e.call.line if e.call else 0)
            for e in Linker(REG, mods).events() if any(lb.kind == SECRET for lb in e.value.labels)]


def test_a_helper_in_another_module_that_sinks_its_argument():
    got = project({"pkg/__init__.py": "",
                   "pkg/util.py": "import lib\ndef log(a):\n    lib.sink(a)\n",
                   "pkg/app.py": "import lib\nfrom .util import log\nlog(lib.source())\n",
                   "main.py": "import lib\nfrom pkg.util import log\nlog(lib.source())\n"})
    # one event a caller, each at the helper's sink: an absolute and a relative import
    assert got == [("pkg/util.py", 3, ["s"], "main.py", 3), ("pkg/util.py", 3, ["s"], "pkg/app.py", 3)]


def test_a_tuple_returned_by_another_modules_function_is_unpacked_by_position():
    got = project({"text.py": "import lib\ndef cut(a):\n    return a[:10], a.count(' ')\n"
                              "def pair():\n    return 3, lib.source()\n",
                   "app.py": "import lib\nfrom text import cut, pair\n"
                             "short, spaces = cut(lib.source())\nlib.sink(spaces)\nlib.sink(short)\n"
                             "n, s = pair()\nlib.sink(n)\nlib.sink(s)\n"})
    assert [(m, line) for m, line, *_ in got] == [("app.py", 5), ("app.py", 8)]


def test_values_and_objects_cross_modules():
    got = project({"llm.py": "import lib\nclient = lib.Client()\ndef secret():\n    return lib.source()\n",
                   "app.py": "import lib\nfrom llm import client, secret\n"
                             "client.send(secret())\nclient.send('hello')\n"})
    assert got == [("app.py", 3, ["s"], "", 0)]


def test_a_record_from_another_module_keeps_its_fields_through_helpers_and_methods():
    """A record built in one module and returned through helpers of another: its fields are
    read as in one module, and a string method of a field keeps what the field holds."""
    lib_py = ("import lib\nfrom dataclasses import dataclass\n@dataclass\nclass Reply:\n"
              "    text: str = ''\n    model: str = 'm'\n"
              "def ask():\n    return Reply(text=lib.source(), model='small')\n")
    helpers = "from llm import ask\ndef pick(kind):\n    if kind:\n        return ask()\n    raise ValueError(kind)\n"
    app = ("import lib\nfrom helpers import pick\nr = pick(1)\nlib.sink(r.text.strip())\n"
           "lib.sink(r.model.strip())\nlib.sink(r.text.lower().split())\n")
    got = project({"llm.py": lib_py, "helpers.py": helpers, "app.py": app})
    assert [(m, line) for m, line, *_ in got] == [("app.py", 4), ("app.py", 6)]


def test_a_value_through_a_chain_of_helpers_in_five_modules():
    """Each module wraps the last one's helper (a provider, a client, a router, a fallback, an
    actor): the value is followed to the end, and a reference first met near the depth bound
    is not remembered as empty for the calls that meet it nearer the top."""
    files = {"m0.py": "import lib\ndef f0(q):\n    return lib.source()\n"}
    for i in range(1, 5):
        files[f"m{i}.py"] = f"from m{i - 1} import f{i - 1}\ndef f{i}(q):\n    return f{i - 1}(q).strip()\n"
    files["app.py"] = ("import lib\nfrom m4 import f4\nfrom m1 import f1\n"
                       "lib.sink(f4('x').lower())\nlib.sink(f1('y'))\n")
    got = project(files)
    assert [(m, line) for m, line, *_ in got] == [("app.py", 4), ("app.py", 5)]


def test_an_instance_holds_what_its_init_stores_in_a_module_and_across_modules():
    cls = ("import lib\nclass Reply:\n    def __init__(self, text=None, model=''):\n"
           "        self.text = text\n        self.model = model\n        self.n = 0\n")
    use = ("r = Reply(text=lib.source(), model='small')\nlib.sink(r.text.strip())\n"
           "lib.sink(r.model)\nlib.sink(r.n)\n")
    got = project({"llm.py": cls + "def ask():\n    return Reply(lib.source(), 'small')\n" + use,
                   "app.py": "import lib\nfrom llm import ask\nr = ask()\nlib.sink(r.text)\nlib.sink(r.model)\n"})
    assert [(m, line) for m, line, *_ in got] == [("app.py", 4), ("llm.py", 10)]


def test_a_cycle_of_imports_resolves_to_nothing():
    got = project({"a.py": "from b import x\ny = x\n", "b.py": "from a import y\nx = y\n",
                   "c.py": "import lib\nfrom a import y\nlib.sink(y)\n"})
    assert got == []


# --- notebooks -----------------------------------------------------------------------------------
def test_a_notebook_is_one_program_whose_cells_run_in_order():
    nb = json.dumps({"cells": [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": ["import lib\n", "x = lib.source()"]},
        {"cell_type": "markdown", "metadata": {}, "source": ["# later"]},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": ["lib.sink(x)"]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1)
    code = code_of(parse_notebook(nb))
    tree = ast.parse(code.code)
    s = analyse(tree, code.code, "n.ipynb", None, code, imports_of(tree), REG, {})
    (ev,) = [e for e in s.events if e.value.labels]
    assert ev.pos.cell == 2
    assert nb.splitlines()[ev.pos.line - 1].strip().startswith('"lib.sink(x)"')


# --- bounds and data ------------------------------------------------------------------------------
def test_bounds_hold_on_hostile_code():
    deep = "x = " + "[" * 90 + "lib.source()" + "]" * 90 + "\nlib.sink(x)"
    assert sinks(deep) == []  # deeper than followed: dropped, not crashed
    many = "\n".join(f"v{i} = user{i}.password" for i in range(40))
    many += "\nlib.sink(" + " + ".join(f"v{i}" for i in range(40)) + ")"
    (_, _, tags), = [e for e in events(many) if e[2]]
    assert len(tags) <= MAX_LABELS
    assert join(*(lit(i) for i in range(100))).consts is None  # too many constants: unknown


def test_summaries_round_trip_through_json_and_are_deterministic():
    code = HEADER + ("import os\nclass A:\n    def f(self, p):\n        lib.sink(p)\n"
                     "        return {'k': p, 'n': 1.5, 'inf': float('inf')}\n"
                     "A().f(lib.source())\nfor a, b in zip([1], [2]):\n    pass\n")
    one = analyse_code(code, "m.py", REG)
    doc = json.loads(json.dumps(one.to_json()))
    two = ModuleSummary.from_json(doc)
    assert two.to_json() == one.to_json()
    assert analyse_code(code, "m.py", REG).to_json() == one.to_json()


def test_imports_read_off_the_text_cover_what_ast_finds():
    """A module no rule parses gets its imports from ``scan_imports`` (phase 2 needs them to
    find the helpers a flow crosses): never fewer than the parse finds, on this project's own
    code and every fixture, and the awkward forms (parentheses with comments, continuations,
    relative and star imports, imports inside functions)."""
    from pathlib import Path

    from aiprivlint.checkers.python._flow_run import scan_imports

    def relative(tree):
        out = set()
        for n in ast.walk(tree):
            if isinstance(n, ast.ImportFrom) and n.level:
                out.update("." * n.level + (f"{n.module}." if n.module else "") + a.name
                           for a in n.names if a.name != "*")
        return out

    code = ("import a.b as c, d\nfrom .x import (y,  # why\n   z as w)\nfrom .. import q\n"
            "from e.f import *\nfrom g import h, \\\n   i\ndef f():\n    import os.path\n")
    assert scan_imports(code) == sorted(imports_of(ast.parse(code)) | relative(ast.parse(code)))
    root = Path(__file__).resolve().parent.parent
    files = sorted([*root.glob("src/aiprivlint/**/*.py"), *root.glob("tests/fixtures/**/*.py")])
    assert len(files) > 100
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
            tree = ast.parse(text)
        except (SyntaxError, UnicodeDecodeError):  # the bad-input fixtures
            continue
        missing = (imports_of(tree) | relative(tree)) - set(scan_imports(text))
        assert not missing, (path, missing)


def test_bounded_values_do_not_depend_on_hash_order():
    """``limit`` keeps the same labels whatever order a set iterates in: Python randomises
    string hashes per process, and a pool worker must keep what the main process keeps."""
    import subprocess
    import sys

    code = ("from aiprivlint.flow.values import Label, limit\n"
            "labels = [Label('param', f'p{i}', 'x', i, (f'n{i}',)) for i in range(40)]\n"
            "labels += [Label('ext', f'import:m{i}.f', 'x', i) for i in range(40)]\n"
            "labels += [Label('personal', f'email{i}', 'x', i) for i in range(40)]\n"
            "print(sorted(lb.sort_key() for lb in limit(labels)))\n")
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**__import__("os").environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2", "3", "4")}
    assert len(outs) == 1
