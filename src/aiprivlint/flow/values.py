"""The abstract values of the dataflow engine: labels, constants, objects and values.

A :class:`Val` is what the engine knows about the value of an expression:

* ``labels`` — where its *content* may come from: a frozenset of :class:`Label` (a personal
  field read, a request body, model output, a confidence score ...). Label kinds are open: the
  library models and the rules name them; the engine only knows two of its own, ``param`` (a
  parameter of the function being summarised) and ``ext`` (the value of something defined in
  another module, resolved when the project is linked).
* ``consts`` — the constant values it can take (``None``: unknown). Each is a :class:`Const`
  with where it was written (a literal, a module constant, an argparse default ...).
* ``obj`` — a typed object (:class:`Obj`): an API client, a logger, a tokenizer, an instance of
  a class of the project, a reference to an imported name ...
* ``elems`` — per-position values of a tuple (``probs, idx = torch.topk(...)``);
* ``item`` — what iterating over it yields (``zip(labels, probs)``, a list of records);
* ``keys`` — per-key values of a dict built from string keys (``{"label": l, "score": s}``).

Values are immutable and hashable; every join is bounded (labels and constants per value,
nesting of structure) so the analysis terminates and stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Iterable

MAX_LABELS = 16  # labels kept per value
MAX_CONSTS = 16  # constant candidates kept per value (more: unknown)
MAX_NEST = 4  # nesting of elems / item / keys


@dataclass(frozen=True, slots=True)
class Label:
    """Where content comes from. ``kind`` names the concept (``personal``, ``model-output``,
    ``score`` ...), ``tag`` refines it (the field name, ``vec``/``one`` ...), ``origin`` says
    how it was produced, in words or code (never a value), ``line`` where (module line, 0 when
    not known), ``data`` anything else a rule needs (hashable, JSON-able)."""

    kind: str
    tag: str = ""
    origin: str = ""
    line: int = 0
    data: tuple = ()

    def sort_key(self) -> tuple:
        return (self.kind, self.tag, self.origin, self.line, repr(self.data))

    def to_json(self) -> list:
        return [self.kind, self.tag, self.origin, self.line, _tuple_json(self.data)]

    @classmethod
    def from_json(cls, raw: list) -> "Label":
        return cls(raw[0], raw[1], raw[2], raw[3], _json_tuple(raw[4]))


def _tuple_json(t: Any) -> Any:
    if isinstance(t, tuple):
        return {"t": [_tuple_json(x) for x in t]}
    return t


def _json_tuple(j: Any) -> Any:
    if isinstance(j, dict) and "t" in j:
        return tuple(_json_tuple(x) for x in j["t"])
    if isinstance(j, list):
        return tuple(_json_tuple(x) for x in j)
    return j


# engine label kinds
PARAM = "param"  # tag: the parameter's index (as text); data: (name, key) key = field read from it
EXT = "ext"  # tag: what it refers to (see link.py); data: its arguments


def param_label(index: int, name: str, key: str = "") -> Label:
    return Label(PARAM, str(index), name, 0, (key,) if key else ())


def is_symbolic(lb: Label) -> bool:
    return lb.kind == PARAM or lb.kind == EXT


@dataclass(frozen=True, slots=True)
class Const:
    """One constant value an expression can take, and where it was written."""

    value: Any
    kind: str = "literal"  # literal | local | constant | argparse | absl | click | class-default
    origin: str = ""  # "argparse default of --epsilon at line 40"; "" for a literal at the use
    line: int = 0

    def describe(self) -> str:
        return self.origin or "literal"


@dataclass(frozen=True, slots=True)
class Obj:
    """A typed object. ``type`` is a name from a library model (``llm.client``, ``log.logger``)
    or one of the engine's: ``ref`` (an imported name: ``attrs = (("q", "torch.load"),)``),
    ``func`` / ``class`` (a function or class of the module: ``(("q", qualname),)``),
    ``inst`` (an instance of a class of the module). ``path`` holds the attributes taken from
    it so far (``client.chat.completions`` -> ``("chat", "completions")``)."""

    type: str
    attrs: tuple = ()  # ((name, value), ...), sorted
    path: tuple = ()

    def get(self, name: str, default: Any = None) -> Any:
        for k, v in self.attrs:
            if k == name:
                return v
        return default

    def with_path(self, *more: str) -> "Obj":
        return Obj(self.type, self.attrs, self.path + more)

    def with_attrs(self, **kw: Any) -> "Obj":
        d = dict(self.attrs)
        d.update(kw)
        return Obj(self.type, tuple(sorted(d.items(), key=lambda kv: kv[0])), self.path)


def obj(type_: str, **attrs: Any) -> Obj:
    return Obj(type_, tuple(sorted(attrs.items(), key=lambda kv: kv[0])))


EMPTY: frozenset = frozenset()


@dataclass(frozen=True, slots=True)
class Val:
    labels: frozenset = EMPTY
    consts: tuple | None = None  # None: unknown; (): no constant (a value that is not one)
    obj: Obj | None = None
    elems: tuple | None = None  # tuple of Val
    item: "Val | None" = None
    keys: tuple | None = None  # ((key, Val), ...)

    # --- constants -----------------------------------------------------------------------
    def const(self) -> Any:
        """The single constant value, or None (also when it is unknown or several)."""
        if self.consts and len(self.consts) == 1:
            return self.consts[0].value
        return None

    def text(self) -> str | None:
        v = self.const()
        return v if isinstance(v, str) else None

    @property
    def known(self) -> bool:
        return bool(self.consts)

    def key(self, name: str) -> "Val | None":
        if self.keys is None:
            return None
        for k, v in self.keys:
            if k == name:
                return v
        return None


CLEAN = Val()


def lit(value: Any, kind: str = "literal", origin: str = "", line: int = 0) -> Val:
    return Val(consts=(Const(value, kind, origin, line),))


def limit(labels: Iterable[Label]) -> frozenset:
    labels = labels if isinstance(labels, frozenset) else frozenset(labels)
    if len(labels) <= MAX_LABELS:
        return labels
    # keep the symbolic ones (they stand for whole sets) and the first concrete ones in order
    sym = sorted((lb for lb in labels if is_symbolic(lb)), key=Label.sort_key)
    rest = sorted((lb for lb in labels if not is_symbolic(lb)), key=Label.sort_key)
    return frozenset(sym[:MAX_LABELS] + rest[:max(0, MAX_LABELS - len(sym[:MAX_LABELS]))])


def join_consts(a: tuple | None, b: tuple | None) -> tuple | None:
    if a is None or b is None:
        return None
    if not a:
        return b
    if not b:
        return a
    out = list(a)
    for c in b:
        if c not in out:
            out.append(c)
    return tuple(out) if len(out) <= MAX_CONSTS else None


def join(*vals: Val) -> Val:
    """The value that may be any of ``vals`` (branches, loop iterations, several returns)."""
    if len(vals) == 2:  # the common case, and most often one value twice
        a, b = vals
        if a is b or b is None:
            return CLEAN if a is None else a
        if a is None:
            return b
    vals = tuple(v for v in vals if v is not None)
    if not vals:
        return CLEAN
    if len(vals) == 1:
        return vals[0]
    first = vals[0]
    if all(v is first for v in vals):
        return first
    labels: set = set()
    consts: tuple | None = ()
    objs = []
    for v in vals:
        labels |= v.labels
        consts = join_consts(consts, v.consts) if consts is not None else None
        if v.obj is not None and v.obj not in objs:
            objs.append(v.obj)
    o = objs[0] if objs else None
    elems = _join_elems([v.elems for v in vals])
    items = [v.item for v in vals if v.item is not None]
    item = join(*items) if items else None
    keys = _join_keys([v.keys for v in vals])
    # "no constant" joined with a constant: unknown (the value may be something else)
    if any(v.consts == () for v in vals) and any(v.consts for v in vals):
        consts = None
    return Val(limit(labels), consts, o, elems, item, keys)


def _join_elems(all_elems: list) -> tuple | None:
    present = [e for e in all_elems if e is not None]
    if not present or len(present) != len(all_elems):
        return None
    n = len(present[0])
    if any(len(e) != n for e in present):
        return None
    return tuple(join(*(e[i] for e in present)) for i in range(n))


def _join_keys(all_keys: list) -> tuple | None:
    present = [k for k in all_keys if k is not None]
    if not present or len(present) != len(all_keys):
        return None
    names: list[str] = []
    for ks in present:
        for k, _ in ks:
            if k not in names:
                names.append(k)
    out = []
    for name in names:
        parts = [dict(ks).get(name, CLEAN) for ks in present]
        out.append((name, join(*parts)))
    return tuple(out)


def flat(v: Val, depth: int = 0) -> frozenset:
    """Every label the value's content can hold, its parts included (a tuple used whole)."""
    labels = v.labels
    if depth > MAX_NEST or (v.elems is None and v.item is None and v.keys is None):
        return labels
    out = set(labels)
    for e in v.elems or ():
        out |= flat(e, depth + 1)
    if v.item is not None:
        out |= flat(v.item, depth + 1)
    for _, kv in v.keys or ():
        out |= flat(kv, depth + 1)
    return limit(out)


def is_literal(v: Val | None, depth: int = 0) -> bool:
    """Whether ``v`` is built from constants only (a prompt written in the code): a known
    constant, or a container whose every part is one."""
    if v is None or v.labels or depth > MAX_NEST:
        return False
    if v.obj is not None:
        return False
    if v.consts:
        return True
    parts = list(v.elems or ()) + ([v.item] if v.item is not None else []) \
        + [x for _, x in v.keys or ()]
    return bool(parts) and all(is_literal(p, depth + 1) for p in parts)


def with_labels(v: Val, labels: Iterable[Label]) -> Val:
    return replace(v, labels=limit(labels))


def only_labels(v: Val) -> Val:
    """The content of ``v`` as a plain value (structure and object dropped)."""
    labels = flat(v)
    return Val(labels) if labels else CLEAN


def depth_of(v: Val | None, d: int = 0) -> int:
    if v is None or d > MAX_NEST:
        return d
    return max([d] + [depth_of(e, d + 1) for e in v.elems or ()]
               + [depth_of(v.item, d + 1)] + [depth_of(x, d + 1) for _, x in v.keys or ()])


def trim(v: Val, d: int = 0) -> Val:
    """Cut structure nested deeper than MAX_NEST (its labels stay, flattened)."""
    if d >= MAX_NEST and (v.elems is not None or v.item is not None or v.keys is not None):
        return Val(flat(v), v.consts, v.obj)
    if v.elems is None and v.item is None and v.keys is None:
        return v
    return Val(v.labels, v.consts, v.obj,
               tuple(trim(e, d + 1) for e in v.elems) if v.elems is not None else None,
               trim(v.item, d + 1) if v.item is not None else None,
               tuple((k, trim(x, d + 1)) for k, x in v.keys) if v.keys is not None else None)


__all__ = ["Label", "Const", "Obj", "Val", "CLEAN", "EMPTY", "PARAM", "EXT", "lit", "obj",
           "join", "flat", "limit", "with_labels", "only_labels", "param_label", "is_symbolic",
           "trim", "field"]
