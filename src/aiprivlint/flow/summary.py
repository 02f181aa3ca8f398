"""What the analysis of one module produces, as plain data (it goes in the cache).

* :class:`Event` — a value reaching a sink: which sink, what it carries, where (:class:`Pos`),
  in which function, through which helpers (``via``), and, when it was reported through a call
  of a helper, where that call is (``call``).
* :class:`FuncSummary` — a function's return value and the events its parameters reach.
* :class:`ModuleSummary` — the module's events, functions, classes, exported values, the calls
  it makes into other modules (``ext_calls``), its facts and its imports.

``to_json`` / ``from_json`` round-trip every piece exactly (tests/test_flow.py checks it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .values import CLEAN, Const, Label, Obj, Val


@dataclass(frozen=True)
class Pos:
    line: int
    col: int
    end_line: int
    end_col: int
    cell: int | None = None  # notebook cell index
    mline: int = 0  # the module line (notebook code as one module), for contexts

    def to_json(self) -> list:
        return [self.line, self.col, self.end_line, self.end_col, self.cell, self.mline]

    @classmethod
    def from_json(cls, raw: list) -> "Pos":
        return cls(*raw)


@dataclass
class Event:
    sink: str
    info: dict
    value: Val
    args: dict  # name -> Val
    pos: Pos
    context: str  # the source line (fingerprints); never printed
    func: str = ""  # qualified name of the enclosing function in its module ("" at top level)
    via: tuple = ()  # ((helper name, call line), ...) from the outermost call inwards
    call: Pos | None = None  # the call of the helper through which it was reported
    call_context: str = ""
    home: str = ""  # the function the sink itself is in (func changes as the event is passed up)
    module: str = ""  # set when linked: the module's path

    def key(self) -> tuple:
        return (self.sink, self.pos.line, self.pos.col, self.func, self.via,
                self.call.line if self.call else 0, self.value.labels,
                tuple(sorted((k, v.labels, v.consts) for k, v in self.args.items())))

    @property
    def labels(self) -> frozenset:
        return self.value.labels

    def to_json(self) -> dict:
        return {"sink": self.sink, "info": self.info, "value": val_json(self.value),
                "args": {k: val_json(v) for k, v in self.args.items()}, "pos": self.pos.to_json(),
                "context": self.context, "func": self.func, "via": [list(v) for v in self.via],
                "call": self.call.to_json() if self.call else None,
                "call_context": self.call_context, "home": self.home}

    @classmethod
    def from_json(cls, raw: dict) -> "Event":
        return cls(raw["sink"], raw["info"], val_from(raw["value"]),
                   {k: val_from(v) for k, v in raw["args"].items()}, Pos.from_json(raw["pos"]),
                   raw["context"], raw["func"], tuple(tuple(v) for v in raw["via"]),
                   Pos.from_json(raw["call"]) if raw["call"] else None, raw["call_context"],
                   raw.get("home", ""))


@dataclass
class FuncSummary:
    qual: str
    params: list
    ret: Val
    events: list  # [Event] whose value holds this function's parameters
    role: dict | None = None
    entry: bool = False
    cls: str = ""
    line: int = 0

    def to_json(self) -> dict:
        return {"qual": self.qual, "params": self.params, "ret": val_json(self.ret),
                "events": [e.to_json() for e in self.events], "role": self.role,
                "entry": self.entry, "cls": self.cls, "line": self.line}

    @classmethod
    def from_json(cls, raw: dict) -> "FuncSummary":
        return cls(raw["qual"], raw["params"], val_from(raw["ret"]),
                   [Event.from_json(e) for e in raw["events"]], raw["role"], raw["entry"],
                   raw["cls"], raw["line"])


@dataclass
class ModuleSummary:
    rel: str
    events: list = field(default_factory=list)
    funcs: dict = field(default_factory=dict)  # qual -> FuncSummary
    exports: dict = field(default_factory=dict)  # top-level name -> Val
    classes: dict = field(default_factory=dict)  # qual -> {bases, methods, fields}
    ext_calls: list = field(default_factory=list)  # [dict] (see Analysis._ext_call)
    facts: list = field(default_factory=list)  # [(kind, line, data)]
    aliases: list = field(default_factory=list)  # [(local, qualified)]
    relative: list = field(default_factory=list)  # [(local, ".mod.name")]
    meta: dict = field(default_factory=dict)  # notebook, library, tutorial, script, imports

    def to_json(self) -> dict:
        return {
            "rel": self.rel, "events": [e.to_json() for e in self.events],
            "funcs": {k: f.to_json() for k, f in self.funcs.items()},
            "exports": {k: val_json(v) for k, v in self.exports.items()},
            "classes": {k: {"bases": c["bases"], "methods": c["methods"],
                            "fields": {f: val_json(v) for f, v in c["fields"].items()},
                            "given": c.get("given", [])}
                        for k, c in self.classes.items()},
            "ext_calls": [_call_json(c) for c in self.ext_calls],
            "facts": [[k, line, data] for k, line, data in self.facts],
            "aliases": [list(a) for a in self.aliases],
            "relative": [list(a) for a in self.relative],
            "meta": self.meta,
        }

    @classmethod
    def from_json(cls, raw: dict) -> "ModuleSummary":
        return cls(
            raw["rel"], [Event.from_json(e) for e in raw["events"]],
            {k: FuncSummary.from_json(f) for k, f in raw["funcs"].items()},
            {k: val_from(v) for k, v in raw["exports"].items()},
            {k: {"bases": c["bases"], "methods": c["methods"],
                 "fields": {f: val_from(v) for f, v in c["fields"].items()},
                 "given": [tuple(g) for g in c.get("given", [])]}
             for k, c in raw["classes"].items()},
            [_call_from(c) for c in raw["ext_calls"]],
            [(k, line, data) for k, line, data in raw["facts"]],
            [tuple(a) for a in raw["aliases"]], [tuple(a) for a in raw["relative"]],
            raw.get("meta", {}))


def _call_json(c: dict) -> dict:
    out = dict(c)
    out["args"] = [val_json(v) for v in c["args"]]
    out["kwargs"] = {k: val_json(v) for k, v in c["kwargs"].items()}
    out["pos"] = c["pos"].to_json()
    return out


def _call_from(raw: dict) -> dict:
    out = dict(raw)
    out["args"] = [val_from(v) for v in raw["args"]]
    out["kwargs"] = {k: val_from(v) for k, v in raw["kwargs"].items()}
    out["pos"] = Pos.from_json(raw["pos"])
    out["path"] = list(raw["path"])
    return out


# --- values ----------------------------------------------------------------------------------
def _scalar(v: Any) -> Any:
    if isinstance(v, float) and (math.isinf(v) or math.isnan(v)):
        return {"f": repr(v)}
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    if isinstance(v, bytes):
        return {"b": v.decode("latin-1")}
    return {"r": type(v).__name__}  # Ellipsis, complex ...: kept only as their kind


def _scalar_from(j: Any) -> Any:
    if isinstance(j, dict):
        if "f" in j:
            return float(j["f"])
        if "b" in j:
            return j["b"].encode("latin-1")
        return ...
    return j


def _attr_json(v: Any) -> Any:
    if isinstance(v, tuple):
        return {"t": [_attr_json(x) for x in v]}
    return _scalar(v)


def _attr_from(j: Any) -> Any:
    if isinstance(j, dict) and "t" in j:
        return tuple(_attr_from(x) for x in j["t"])
    return _scalar_from(j)


def val_json(v: Val) -> Any:
    if v == CLEAN:
        return 0
    out: dict = {}
    if v.labels:
        out["l"] = sorted((lb.to_json() for lb in v.labels), key=repr)
    if v.consts is not None:
        out["c"] = [[_scalar(c.value), c.kind, c.origin, c.line] for c in v.consts]
    if v.obj is not None:
        out["o"] = [v.obj.type, [[k, _attr_json(x)] for k, x in v.obj.attrs], list(v.obj.path)]
    if v.elems is not None:
        out["e"] = [val_json(e) for e in v.elems]
    if v.item is not None:
        out["i"] = val_json(v.item)
    if v.keys is not None:
        out["k"] = [[k, val_json(x)] for k, x in v.keys]
    return out


def val_from(j: Any) -> Val:
    if j == 0:
        return CLEAN
    labels = frozenset(Label.from_json(x) for x in j.get("l", ()))
    consts = None
    if "c" in j:
        consts = tuple(Const(_scalar_from(c[0]), c[1], c[2], c[3]) for c in j["c"])
    o = None
    if "o" in j:
        t, attrs, path = j["o"]
        o = Obj(t, tuple((k, _attr_from(x)) for k, x in attrs), tuple(path))
    elems = tuple(val_from(e) for e in j["e"]) if "e" in j else None
    item = val_from(j["i"]) if "i" in j else None
    keys = tuple((k, val_from(x)) for k, x in j["k"]) if "k" in j else None
    return Val(labels, consts, o, elems, item, keys)
