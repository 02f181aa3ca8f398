"""How knowledge reaches the engine: library models, label kinds and rule specs, as data.

The engine (``interp.py``) knows Python; it knows nothing of OpenAI, loggers or personal data.
That knowledge is declared here, in the shape of Pysa's taint models and CodeQL's framework
models:

* A :class:`Model` (``aiprivlint/models/``) says what library calls *are*: which calls build
  which typed objects (``openai.OpenAI()`` -> ``llm.client``), what a call or a method of such an
  object does (:class:`Outcome`: the value it returns, the sinks it feeds, the facts it
  establishes), which attribute and key reads create labels (``row["email"]`` -> ``personal``),
  which parameters of which functions hold outside input (a route handler's body), and how the
  labels of each kind change when a value is read, reduced, formatted or collected
  (:class:`Kind`).
* A rule (``checkers/python/<rule>.py``, a ``FlowRule``) says which sinks it reports and which labels count,
  and writes the message; it holds no interpreter.

Handlers receive a :class:`CallSite` built from abstract values only (never syntax), so the same
handler runs in phase 1 on a module and in phase 2 on a call whose receiver was only known once
the project was linked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from .values import CLEAN, Label, Obj, Val, flat, join, limit


@dataclass
class Use:
    """A value reaching a sink: ``sink`` names the kind (``log``, ``llm.request`` ...), ``info``
    says what the sink is (JSON-able), ``value`` what flows in, ``args`` named argument values
    for rules that judge constants (AIP202's epsilon)."""

    sink: str
    info: dict
    value: Val = CLEAN
    args: dict = field(default_factory=dict)  # name -> Val


@dataclass
class Outcome:
    ret: Val | None = None  # None: the default (clean)
    uses: list = field(default_factory=list)  # [Use]
    facts: list = field(default_factory=list)  # [(kind, data dict)]
    mutate: Val | None = None  # labels added to the receiver (list.append(x))
    roles: list = field(default_factory=list)  # [(function Val, role)]: gr.Interface(fn=f)


class CallSite:
    """What a handler sees of a call: names, the receiver and the argument values."""

    __slots__ = ("q", "dotted", "name", "recv", "recv_name", "args", "kwargs", "star_args",
                 "star_kwargs", "module", "line", "func", "scaled", "scaled_recv", "locate",
                 "scope", "source")

    def __init__(self, q: str | None, dotted: str | None, name: str, recv: Val | None,
                 recv_name: str | None, args: list, kwargs: dict, star_args: bool,
                 star_kwargs: bool, module: "ModuleInfo", line: int = 0, func: str = "") -> None:
        self.q = q  # qualified name through imports ("openai.OpenAI"), or None
        self.dotted = dotted  # as written ("self.client.chat.completions.create")
        self.name = name  # the called name's last part ("create")
        self.recv = recv  # the receiver's value for a method call
        self.recv_name = recv_name  # the receiver's last name ("client"), for name heuristics
        self.args = args  # positional argument values
        self.kwargs = kwargs  # keyword argument values
        self.star_args = star_args
        self.star_kwargs = star_kwargs
        self.module = module
        self.line = line
        self.func = func  # the enclosing function's qualified name ("" at module level)
        # decimals each positional argument (and the receiver) moves before the point (p * 100)
        self.scaled: tuple = ()
        self.scaled_recv = 0
        # where an argument is written: fn(keyword, position) -> Pos | None (phase 1 only)
        self.locate = None
        # what the enclosing loops iterate over and the enclosing function's parameters hold:
        # fn() -> Val (a training step trains on the batch of its loop; phase 1 only)
        self.scope = None
        # an argument's source text, normalised: fn(keyword, position) -> str | None (phase 1)
        self.source = None

    @property
    def label(self) -> str:
        """The call as written, for messages: ``client.chat.completions.create``."""
        return self.dotted or self.q or self.name

    def arg(self, keyword: str | None = None, pos: int | None = None) -> Val | None:
        if keyword is not None and keyword in self.kwargs:
            return self.kwargs[keyword]
        if pos is not None and pos < len(self.args):
            return self.args[pos]
        return None

    def text(self, keyword: str | None = None, pos: int | None = None) -> str | None:
        v = self.arg(keyword, pos)
        return v.text() if v is not None else None

    def const(self, keyword: str | None = None, pos: int | None = None,
              default: Any = None) -> tuple[bool, Any]:
        """(True, value) when the argument is one known constant; (False, default) when it is
        absent; (False, None) when it is present but not one constant."""
        v = self.arg(keyword, pos)
        if v is None:
            return False, default
        if v.consts and len(v.consts) == 1:
            return True, v.consts[0].value
        return False, None

    def where(self, keyword: str | None = None, pos: int | None = None):
        """The position of an argument as written (None when not known: in phase 2)."""
        return self.locate(keyword, pos) if self.locate is not None else None

    def has(self, keyword: str) -> bool:
        return keyword in self.kwargs

    def content(self, skip_kwargs=frozenset(), only_kwargs=None, skip_pos: int = 0,
                recv: bool = False) -> Val:
        """The joined content of the arguments (labels only)."""
        labels: set = set(flat(self.recv)) if recv and self.recv is not None else set()
        for v in self.args[skip_pos:]:
            labels |= flat(v)
        for k, v in self.kwargs.items():
            if only_kwargs is not None and k not in only_kwargs:
                continue
            if k in skip_kwargs:
                continue
            labels |= flat(v)
        return Val(limit(labels)) if labels else CLEAN

    def imports(self, prefix: str) -> bool:
        return self.module.imports(prefix)


class ModuleInfo:
    """What a handler may ask about the module: its imports, path and kind."""

    def __init__(self, rel: str, notebook: bool, imported: set[str], library: bool,
                 tutorial: bool, script: bool, options: dict | None = None) -> None:
        self.rel = rel
        self.notebook = notebook
        self.imported = imported  # every imported module path and its parents
        self.library = library  # part of an installable package (not a script, not a tutorial)
        self.tutorial = tutorial  # examples/, docs/, notebooks/ ...
        self.script = script  # has an ``if __name__ == "__main__":`` block
        self.options = options or {}
        self._cache: dict[str, bool] = {}
        self.line_of: Callable[[Any], int] = lambda node: getattr(node, "lineno", 0)
        self.registry: "Registry | None" = None

    def imports(self, prefix: str) -> bool:
        hit = self._cache.get(prefix)
        if hit is None:
            p = prefix + "."
            hit = self._cache[prefix] = any(m == prefix or m.startswith(p) for m in self.imported)
        return hit


Handler = Callable[[CallSite], "Outcome | Val | None"]


@dataclass
class Kind:
    """How labels of one kind behave. Each hook gets the label and returns the labels it
    becomes (an empty tuple drops it); a hook left None keeps the label unchanged."""

    name: str
    attr: Callable[[Label, str], tuple] | None = None  # v.name
    key: Callable[[Label, Any], tuple] | None = None  # v["k"] (Any: the key, or None if unknown)
    method: Callable[[Label, str], tuple] | None = None  # v.name(...) (result)
    reduce: Callable[[Label], tuple] | None = None  # float(v), v.item(), max(v)
    collect: Callable[[Label], tuple] | None = None  # put into a container in a loop
    format: Callable[[Label, str, int], tuple] | None = None  # f"{v:spec}" (spec, decimals moved)
    pick: bool = False  # v[i] with a computed i, outside a loop, picks one element (reduce)


@dataclass(eq=False)  # compared and hashed by identity: a registry is cached per set of models
class Model:
    """A library model. Names are qualified through imports (``openai.OpenAI``)."""

    name: str
    calls: dict = field(default_factory=dict)  # qualified name -> Handler
    prefixes: list = field(default_factory=list)  # [(qualified prefix, Handler)]: a.b.* calls
    methods: dict = field(default_factory=dict)  # obj type -> {method tail or "*": Handler}
    values: dict = field(default_factory=dict)  # qualified name -> Val (flask.request, loguru.logger)
    builtins: dict = field(default_factory=dict)  # builtin name -> Handler (print, input, len)
    # a method on a receiver of unknown type: [(name regex, Handler)], tried in order
    receivers: list = field(default_factory=list)
    # attribute / key reads that create labels: fn(name_or_key, recv Val, recv dotted) -> Val|None
    reads: list = field(default_factory=list)
    kinds: list = field(default_factory=list)  # [Kind]
    # parameters: fn(ParamSite) -> Val | None (labels/objects a parameter holds at entry)
    params: list = field(default_factory=list)
    # functions the framework calls: fn(FunctionSite) -> role dict | None
    roles: list = field(default_factory=list)
    # methods of any value (typed or not) that the models know by name: drop(columns=...)
    any_methods: dict = field(default_factory=dict)  # method name -> Handler
    # reads of a typed object's attributes and keys: obj type -> fn(base, name, is_attr) -> Val|None
    attrs: dict = field(default_factory=dict)
    # calls known by the called name alone, before anything else (a local ``def redact_pii`` is
    # a sanitiser too): [(name regex, Handler)]
    named: list = field(default_factory=list)


@dataclass
class ParamSite:
    """A parameter of a function being analysed."""

    func: str  # qualified name in the module
    name: str
    index: int
    annotation: str | None  # qualified name of the annotation (through imports), or as written
    annotation_val: Val | None  # the annotation's value (a class of the module: a record)
    role: dict | None  # the function's role (a route handler ...)
    module: ModuleInfo
    entry: bool  # the function is called from outside the project (handler or library API)
    is_self: bool = False
    decorators: list = field(default_factory=list)  # [(qualified name, CallSite | None)]


@dataclass
class FunctionSite:
    """A function definition, for role decisions (route decorators, framework base classes)."""

    qual: str
    name: str
    decorators: list  # [(qualified or dotted name, CallSite | None)]
    cls_bases: list  # qualified/dotted names of the enclosing class's bases
    cls_decorators: list
    cls_name: str | None
    params: list
    module: ModuleInfo
    extra: dict = field(default_factory=dict)  # methods of the class, methods it calls on self


class Registry:
    """Every model, merged: what the interpreter consults."""

    def __init__(self, models: list[Model]) -> None:
        self.models = models
        self.calls: dict[str, list] = {}
        self.prefixes: list = []
        self.methods: dict[str, dict[str, list]] = {}
        self.values: dict[str, Val] = {}
        self.builtins: dict[str, list] = {}
        self.receivers: list = []
        self.reads: list = []
        self.kinds: dict[str, Kind] = {}
        self.params: list = []
        self.roles: list = []
        self.any_methods: dict[str, list] = {}
        self.named: list = []
        self.attrs: dict[str, list] = {}
        for m in models:
            for q, h in m.calls.items():
                self.calls.setdefault(q, []).append(h)
            self.prefixes.extend(m.prefixes)
            for t, table in m.methods.items():
                dst = self.methods.setdefault(t, {})
                for name, h in table.items():
                    dst.setdefault(name, []).append(h)
            self.values.update(m.values)
            for name, h in m.builtins.items():
                self.builtins.setdefault(name, []).append(h)
            self.receivers.extend((re.compile(p) if isinstance(p, str) else p, h)
                                  for p, h in m.receivers)
            self.reads.extend(m.reads)
            for k in m.kinds:
                if k.name in self.kinds:
                    raise ValueError(f"label kind {k.name!r} is declared twice ({m.name})")
                self.kinds[k.name] = k
            self.params.extend(m.params)
            self.roles.extend(m.roles)
            for name, h in m.any_methods.items():
                self.any_methods.setdefault(name, []).append(h)
            self.named.extend((re.compile(p) if isinstance(p, str) else p, h) for p, h in m.named)
            for t, h in m.attrs.items():
                self.attrs.setdefault(t, []).append(h)
        self.prefixes.sort(key=lambda ph: -len(ph[0]))
        # the prefixes a call can start with, by the root of its name (a prefix without a dot
        # can match any root: kept under None); longest first, as in ``prefixes``
        self.prefixes_by_root: dict[str | None, list] = {}
        for i, (p, h) in enumerate(self.prefixes):
            root = p.split(".")[0] if "." in p else None
            self.prefixes_by_root.setdefault(root, []).append((i, p, h))
        self.roots = {q.split(".")[0] for q in self.calls} | {p.split(".")[0] for p, _ in self.prefixes} \
            | {q.split(".")[0] for q in self.values}

    def prefix_handlers(self, q: str) -> list:
        """The handlers of the prefixes ``q`` starts with, in the order of ``prefixes``."""
        got = [(i, h) for group in (self.prefixes_by_root.get(q.partition(".")[0], ()),
                                    self.prefixes_by_root.get(None, ()))
               for i, p, h in group if q.startswith(p)]
        got.sort(key=lambda ih: ih[0])
        return [h for _, h in got]


def outcome(ret: Val | None = None, *uses: Use, facts=(), mutate: Val | None = None) -> Outcome:
    return Outcome(ret, list(uses), list(facts), mutate)


def passthrough(site: CallSite) -> Val:
    """The arguments' content, as the result (``json.dumps(x)``, ``str(x)``)."""
    return site.content()


def sanitize(site: CallSite) -> Val:
    return CLEAN


def merge_labels(*vals: Val) -> Val:
    return join(*vals) if vals else CLEAN


def same_obj(site: CallSite) -> Val:
    """A method that returns its receiver's object (``client.with_options(...)``)."""
    recv = site.recv
    if recv is None or recv.obj is None:
        return CLEAN
    return Val(recv.labels, None, Obj(recv.obj.type, recv.obj.attrs))
