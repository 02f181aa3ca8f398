"""The abstract interpreter: one module (a notebook's cells in order are one module) in one pass.

:class:`Analysis` walks the module's statements in source order with an environment of
abstract values (:mod:`.values`) per scope, and asks the library models (:mod:`.model`) what
calls, attribute reads and parameters mean. What it produces (:mod:`.summary`):

* **events**: a value reaching a sink (a logger, an LLM API, a handler's return ...), with the
  labels it carries, where, in which function, and through which helpers;
* **function summaries**: what each function returns, in terms of its parameters (``param``
  labels), and the events its parameters reach; a call of a function of the module substitutes
  its arguments at once, so a helper that logs its argument reports what the caller passes;
* **external references**: names imported from (possibly) other modules of the project, and
  calls of them, kept symbolic (``ext`` labels and objects) until the project is linked;
* **exports**: the module's top-level values, for the modules that import them.

Propagation: assignments are strong updates in order; branches are joined; loop bodies run to
a fixed point (bounded); tuple unpacking is pairwise; ``for`` binds what iterating yields; f-
strings, ``%``, ``+``, ``.format``/``.join``, containers and comprehensions carry their parts'
labels; an unknown call does not propagate (precision first), except a constructor-like call
(``Prediction(probs=p)``) and the pass-through calls the models declare. Bounded everywhere:
expression depth, labels per value, loop iterations, summary events, call depth.
"""

from __future__ import annotations

import ast
import re
from typing import Any, Callable

from ..pyast import called_name, dotted, through_imports
from .model import CallSite, FunctionSite, ModuleInfo, Outcome, ParamSite, Registry, Use
from .summary import Event, FuncSummary, ModuleSummary, Pos
from .values import (CLEAN, EMPTY, EXT, PARAM, Const, Label, Obj, Val, flat, is_symbolic, join,
                     limit, lit, param_label, trim)

MAX_DEPTH = 60  # expression nesting followed
MAX_LOOP = 3  # loop body passes
MAX_EVENTS_PER_FUNC = 64
MAX_CALL_DEPTH = 12  # nested summary computations
MAX_PATH = 4  # attribute / key steps kept on a symbolic label

# builtins that only measure or test a value: their result holds none of its content
NUMERIC_BUILTINS = {"len", "hash", "id", "type", "isinstance", "issubclass", "bool", "int", "float",
                    "complex", "round", "abs", "sum", "range", "callable", "hasattr", "any", "all",
                    "ord", "chr", "bin", "hex", "oct", "divmod", "pow", "dir", "max", "min"}
# builtins that carry their arguments' content
PASS_BUILTINS = {"str", "repr", "ascii", "format", "list", "tuple", "set", "frozenset", "dict",
                 "sorted", "reversed", "iter", "next", "filter", "map", "bytes", "bytearray",
                 "vars", "memoryview", "getattr", "super"}
STRING_METHODS = {"format", "format_map", "join", "replace", "strip", "lstrip", "rstrip", "lower",
                  "upper", "title", "capitalize", "removeprefix", "removesuffix", "center",
                  "ljust", "rjust", "zfill", "expandtabs", "casefold", "split", "rsplit",
                  "splitlines", "partition", "rpartition", "encode", "decode", "translate",
                  "swapcase", "copy", "strip_tags", "get", "pop", "values", "items", "to_string",
                  "to_csv", "to_json", "to_dict", "to_list", "tolist", "to_markdown", "astype",
                  "head", "tail", "sample", "iloc", "loc", "dropna", "fillna", "apply", "map",
                  "tobytes", "numpy", "cpu", "detach", "squeeze", "unsqueeze", "flatten",
                  "reshape", "view", "clone", "contiguous", "float", "double", "half", "to",
                  "__str__", "__repr__", "model_dump", "model_dump_json", "dict", "json"}
# methods whose result holds nothing of the receiver's content (measures and tests)
MEASURE_METHODS = {"count", "index", "find", "rfind", "rindex", "startswith", "endswith",
                   "isalpha", "isdigit", "isnumeric", "isalnum", "isspace", "isupper",
                   "islower", "istitle", "isdecimal", "isidentifier", "isprintable", "isascii",
                   "__len__", "numel", "nelement", "dim", "bit_length", "total_seconds",
                   "hexdigest", "digest", "nbytes", "keys", "__contains__", "__bool__"}
# paths an unpacking of a symbolic value may make (labels x names), at most
UNPACK_PATHS = 4
# attributes that measure a value and hold nothing of its content (an array's shape, a
# tensor's dtype): ``tokens.shape[1]`` is a count of tokens, not text
MEASURE_ATTRS = {"shape", "ndim", "dtype", "nbytes", "itemsize", "size"}
MUTATORS = {"append", "extend", "insert", "add", "update", "appendleft", "extendleft", "put",
            "put_nowait", "setdefault", "writelines", "__setitem__"}
REDUCERS = {"item"}
# methods that move or reshape an array and keep its content (dropped first from a full path)
LAYOUT_METHODS = {"cpu", "cuda", "detach", "clone", "contiguous", "squeeze", "unsqueeze", "view",
                  "reshape", "flatten", "requires_grad_"}


class Env:
    __slots__ = ("vars", "parent", "func", "cls", "globals")

    def __init__(self, parent: "Env | None", func: "FuncInfo | None" = None,
                 cls: "ClassInfo | None" = None) -> None:
        self.vars: dict[str, Val] = {}
        self.parent = parent
        self.func = func
        self.cls = cls
        self.globals: set[str] = set()

    def lookup(self, name: str) -> Val | None:
        env: Env | None = self
        while env is not None:
            if env.cls is not None and env is not self:  # class bodies are no enclosing scope
                env = env.parent
                continue
            v = env.vars.get(name)
            if v is not None:
                return v
            env = env.parent
        return None

    def function_env(self) -> "Env | None":
        env: Env | None = self
        while env is not None:
            if env.func is not None:
                return env
            env = env.parent
        return None

    def module_env(self) -> "Env":
        env = self
        while env.parent is not None:
            env = env.parent
        return env


class FuncInfo:
    __slots__ = ("qual", "name", "node", "env", "cls", "state", "ret", "events", "role", "params",
                 "entry", "returns", "line", "is_lambda", "calls_out", "_decos")

    def __init__(self, qual: str, node, env: Env, cls: "ClassInfo | None") -> None:
        self.qual = qual
        self.name = getattr(node, "name", "<lambda>")
        self.node = node
        self.env = env
        self.cls = cls
        self.state = "todo"
        self.ret: Val = CLEAN
        self.events: list[Event] = []  # events whose value holds this function's params
        self.role: dict | None = None
        self.params: list[str] = _param_names(node)
        self.entry = False
        self.returns: list[Val] = []
        self.line = getattr(node, "lineno", 0)
        self.is_lambda = isinstance(node, ast.Lambda)
        self.calls_out = 0
        self._decos = None


class ClassInfo:
    __slots__ = ("qual", "name", "node", "env", "bases", "decorators", "methods", "fields",
                 "attrs", "record", "attr_lines")

    def __init__(self, qual: str, node: ast.ClassDef, env: Env) -> None:
        self.qual = qual
        self.name = node.name
        self.node = node
        self.env = env
        self.bases: list[str] = []
        self.decorators: list[str] = []
        self.methods: dict[str, FuncInfo] = {}
        self.fields: dict[str, Val] = {}  # self.X, joined over every method
        self.attrs: dict[str, Val] = {}  # class-body names (defaults of a dataclass)
        self.record: list[tuple[str, str | None]] | None = None  # annotated fields (name, ann)
        self.attr_lines: dict[str, int] = {}  # class-body name -> raw line


def _param_names(node) -> list[str]:
    a = node.args
    return [p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs)]


def last_name(node: ast.AST | None) -> str | None:
    while isinstance(node, (ast.Call, ast.Subscript)):
        node = node.func if isinstance(node, ast.Call) else node.value
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def root_name(node: ast.AST | None) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


class Analysis:
    """One module. ``locate(node)`` gives a node's :class:`Pos` in the file as the user sees it,
    ``context(line)`` the source line of a module line (for fingerprints)."""

    def __init__(self, tree: ast.Module, registry: Registry, module: ModuleInfo,
                 locate: Callable[[ast.AST], Pos], context: Callable[[int], str]) -> None:
        self.tree = tree
        self.reg = registry
        self.module = module
        self.locate = locate
        self.context = context
        self.aliases: dict[str, str] = {}  # local name -> qualified import ("torch.load")
        self.relative: dict[str, str] = {}  # local name -> ".mod.name" (relative imports)
        self.module_env = Env(None)
        self.funcs: list[FuncInfo] = []
        self.classes: list[ClassInfo] = []
        self._fn_by_qual: dict[str, FuncInfo] = {}  # qualified name -> function (and lambdas)
        self._cls_by_qual: dict[str, ClassInfo] = {}
        self.events: list[Event] = []
        self.facts: list[tuple] = []
        self.ext_calls: list[dict] = []
        self.roles: dict[int, dict] = {}  # id(def node) -> role (from wiring calls)
        self._call_depth = 0
        self._loops: list[Val] = []  # values iterated by the loops we are in
        self._site = 0
        self._seen_events: set = set()
        self._lambda_infos: dict[int, FuncInfo] = {}
        self._assigns_cache: dict[str, dict] = {}
        self._called_cache: dict[str, _SelfCalls] = {}
        # rounding decisions read how a value was scaled (p * 100): only when a kind formats
        self._scaling = any(k.format is not None for k in registry.kinds.values())
        self.options = module.options
        module.registry = registry

    # ------------------------------------------------------------------ driver
    def run(self) -> ModuleSummary:
        env = self.module_env
        self._declare(self.tree.body, env, None, "")
        self._block(self.tree.body, env)
        # functions declared while others are analysed (a handler defined inside a factory
        # method and registered or returned, never called here) are analysed too, and so is a
        # function analysed before a later one wired it (``def run(): fire.Fire(complete)``),
        # again in its role (a function is wired once: this ends)
        pending = True
        while pending:
            pending = False
            i = 0
            while i < len(self.funcs):
                info = self.funcs[i]
                i += 1
                if info.state == "todo":
                    self._analyse(info)
                    pending = True
        return self._summary()

    # ------------------------------------------------------------------ declarations
    def _declare(self, stmts, env: Env, cls: ClassInfo | None, prefix: str) -> None:
        for s in stmts:
            if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self._def_function(s, env, cls, prefix)
            elif isinstance(s, ast.ClassDef) and cls is None:
                self._def_class(s, env, prefix)

    def _def_function(self, node, env: Env, cls: ClassInfo | None, prefix: str) -> FuncInfo:
        qual = f"{prefix}{node.name}" if prefix else node.name
        info = FuncInfo(qual, node, env, cls)
        self.funcs.append(info)
        if cls is not None:
            cls.methods[node.name] = info
        else:
            env.vars[node.name] = Val(obj=Obj("func", (("q", qual),)))
        self._fn_by_qual[qual] = info
        return info

    def _def_class(self, node: ast.ClassDef, env: Env, prefix: str) -> ClassInfo:
        qual = f"{prefix}{node.name}" if prefix else node.name
        info = ClassInfo(qual, node, env)
        info.bases = [b for b in (self._qualify(x) for x in node.bases) if b]
        info.decorators = [d for d in (self._qualify(x.func if isinstance(x, ast.Call) else x)
                                       for x in node.decorator_list) if d]
        self.classes.append(info)
        env.vars[node.name] = Val(obj=Obj("class", (("q", qual),)))
        self._cls_by_qual[qual] = info
        self._declare(node.body, env, info, qual + ".")
        # annotated fields: a record (dataclass, pydantic model, TypedDict ...)
        fields = []
        for s in node.body:
            if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name):
                fields.append((s.target.id, _annotation_name(s.annotation)))
        info.record = fields
        return info

    # ------------------------------------------------------------------ names
    def _qualify(self, node: ast.AST | None) -> str | None:
        """The dotted name through imports (``T.load`` -> ``torch.load``), else as written."""
        return self.qualified(node) or dotted(node)

    def qualified(self, node: ast.AST | None) -> str | None:
        """The dotted name resolved through imports, or None when its head is no import."""
        return through_imports(dotted(node), self.aliases)

    def _import(self, node, record_only: bool = False, env: Env | None = None) -> None:
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    self.aliases[a.asname] = a.name
                    local = a.asname
                else:
                    head = a.name.split(".")[0]
                    self.aliases[head] = head
                    local = head
                if env is not None:
                    env.vars.pop(local, None)
            return
        mod = node.module or ""
        for a in node.names:
            if a.name == "*":
                continue
            local = a.asname or a.name
            if node.level:
                self.relative[local] = "." * node.level + (f"{mod}." if mod else "") + a.name
                self.aliases.pop(local, None)
            elif mod:
                self.aliases[local] = f"{mod}.{a.name}"
            if env is not None:
                env.vars.pop(local, None)

    def _ref_val(self, q: str) -> Val:
        """The value of an imported name: a model's value, or a reference."""
        v = self.reg.values.get(q)
        if v is not None:
            return v
        return Val(obj=Obj("ref", (("q", q),)))

    # ------------------------------------------------------------------ events
    def _pos(self, node: ast.AST) -> Pos:
        return self.locate(node)

    def emit(self, use: Use, node: ast.AST, env: Env, via: tuple = ()) -> None:
        value = use.value
        labels = flat(value)
        if not labels and not use.args and not use.info.get("always"):
            return
        pos = self._pos(node)
        fenv = env.function_env()
        func = fenv.func if fenv is not None else None
        ev = Event(use.sink, dict(use.info), Val(labels) if labels else CLEAN,
                   {k: trim(v) for k, v in use.args.items()}, pos,
                   self.context(getattr(node, "lineno", 0)), func.qual if func else "", via,
                   home=func.qual if func else "")
        key = ev.key()
        if key in self._seen_events:
            return
        self._seen_events.add(key)
        if func is not None and any(lb.kind == PARAM for lb in labels) \
                and len(func.events) < MAX_EVENTS_PER_FUNC:
            func.events.append(ev)
        self.events.append(ev)

    def fact(self, kind: str, node: ast.AST, data: dict) -> None:
        pos = self._pos(node)
        self.facts.append((kind, pos.line, data))

    # ------------------------------------------------------------------ functions
    def _analyse(self, info: FuncInfo) -> None:
        if info.state != "todo":
            return
        info.state = "running"
        self._call_depth += 1
        try:
            env = Env(info.env, func=info)
            if info.role is None:
                info.role = self._role(info)
            # a command's parameters come from the person running it, not from callers
            info.entry = bool(info.role and info.role.get("kind") != "command") \
                or self._library_entry(info)
            node = info.node
            a = node.args
            every = [*a.posonlyargs, *a.args, *a.kwonlyargs]
            is_method = info.cls is not None and not _is_static(node)
            decorators = self._decorators(info)
            for i, p in enumerate(every):
                if i == 0 and is_method:
                    env.vars[p.arg] = Val(obj=Obj("inst", (("q", info.cls.qual),)))
                    continue
                ann = p.annotation
                ann_q = self._qualify(ann) if ann is not None else None
                if ann is not None and ann_q is None:
                    ann_q = _annotation_name(ann)
                ann_val = self._annotation_val(ann)
                if ann_val is not None and ann_val.obj is not None and ann_val.obj.type == "inst":
                    ann_val = self._record_val(ann_val.obj, info, p.arg)
                site = ParamSite(info.qual, p.arg, i, ann_q, ann_val, info.role, self.module,
                                 info.entry, decorators=decorators)
                val = Val(frozenset({param_label(i, p.arg)}))
                for hook in self.reg.params:
                    got = hook(site)
                    if got is not None:
                        val = Val(limit(val.labels | got.labels), got.consts, got.obj,
                                  got.elems, got.item, got.keys)
                if ann_val is not None and ann_val.obj is not None and val.obj is None:
                    val = Val(limit(val.labels | ann_val.labels), val.consts, ann_val.obj)
                env.vars[p.arg] = val
            for star in (a.vararg, a.kwarg):
                if star is not None:
                    env.vars[star.arg] = CLEAN
            bound = info.role.get("bound_from") if info.role else None
            if bound and info.cls is not None and len(every) >= 2:
                src = self._method(info.cls, bound)
                if src is not None and src is not info and self.summary_of(src) is not None:
                    ret = Val(limit(lb for lb in flat(src.ret) if lb.kind != PARAM))
                    env.vars[every[1].arg] = ret
            for d in node.args.defaults + [d for d in node.args.kw_defaults if d is not None]:
                pass  # defaults are evaluated at definition
            if info.is_lambda:
                v = self.ev(node.body, env)
                info.returns.append(v)
                self._response(info, v, node.body, env)
            else:
                self._declare(node.body, env, None, info.qual + ".")
                self._block(node.body, env)
            info.ret = join(*info.returns) if info.returns else CLEAN
            if _returns_number(node):  # ``-> int``: a scalar, as ``int(x)`` makes one
                info.ret = self.reduce(info.ret)
            info.ret = trim(info.ret)
        finally:
            self._call_depth -= 1
            info.state = "done"

    def _set_role(self, fn_val: Val, role: dict) -> None:
        """A framework call wires a function: ``gr.Interface(fn=predict)``."""
        info = self._fn_by_qual.get(fn_val.obj.get("q")) if fn_val.obj is not None else None
        if info is None or info.role:
            return
        info.role = role
        self.roles[id(info.node)] = role
        if info.state == "done":  # analysed before it was wired: again, as a handler
            info.state = "todo"
            info.returns = []
            info.events = []
            # what its first analysis emitted goes: the second one emits it in its role
            stale = [e for e in self.events if e.home == info.qual]
            if stale:
                self.events = [e for e in self.events if e.home != info.qual]
                self._seen_events.difference_update(e.key() for e in stale)

    def _library_entry(self, info: FuncInfo) -> bool:
        """A public function or method of library code: called by the package's users."""
        if not self.module.library:
            return False
        parts = info.qual.split(".")
        return not any(p.startswith("_") and not (p.startswith("__") and p.endswith("__"))
                       for p in parts) and "<" not in info.qual

    def _decorators(self, info: FuncInfo) -> list:
        """(qualified name, CallSite of a decorator call or None) of each decorator."""
        got = getattr(info, "_decos", None)
        if got is not None:
            return got
        out = []
        if not info.is_lambda:
            for d in info.node.decorator_list:
                call = d if isinstance(d, ast.Call) else None
                name = self._qualify(call.func if call is not None else d)
                site = self._callsite(call, Env(self.module_env)) if call is not None else None
                out.append((name or "", site))
        info._decos = out
        return out

    def _role(self, info: FuncInfo) -> dict | None:
        role = self.roles.get(id(info.node))
        if role is not None:
            return role
        if info.is_lambda:
            return None
        decorators = self._decorators(info)
        cls = info.cls
        extra = {}
        if cls is not None:
            called = self._called_cache.get(cls.qual)
            if called is None:
                called = self._called_cache[cls.qual] = _SelfCalls(cls.node)
            extra = {"methods": set(cls.methods), "self_called": called}
        fs = FunctionSite(info.qual, info.name, decorators, cls.bases if cls else [],
                          cls.decorators if cls else [], cls.name if cls else None, info.params,
                          self.module, extra)
        for hook in self.reg.roles:
            got = hook(fs)
            if got:
                return got
        return None

    def _record_val(self, o: Obj, info: "FuncInfo", pname: str) -> Val:
        """A parameter typed with a record class of the module (a pydantic model, a
        dataclass ...): the whole object holds what its fields hold (a request body with an
        ``email`` field holds an e-mail address)."""
        cls = self._cls_by_qual.get(o.get("q"))
        if cls is None or not self._is_record(cls):
            return Val(obj=o)
        role = info.role or {}
        handler = role.get("kind") == "handler"
        where = (f"the request body ({cls.name}) of the {role.get('where')} handler {info.name}()"
                 if handler else f"parameter '{pname}' ({cls.name}) of {info.name}()")
        base = Val(frozenset({Label("request-input", "", where)}) if handler else EMPTY, None, o)
        labels = self._record_labels(cls, base, where, 0)
        return Val(limit(base.labels | labels), None, o)

    def _is_record(self, cls: "ClassInfo") -> bool:
        if _CONFIG_CLASS_RE.search(cls.name):
            return False
        bases = {b.rsplit(".", 1)[-1] for b in cls.bases}
        decos = {d.rsplit(".", 1)[-1] for d in cls.decorators}
        return bool(bases & _RECORD_BASES or decos & {"dataclass", "define", "attrs", "frozen"})

    def _record_labels(self, cls: "ClassInfo", base: Val, where: str, depth: int) -> frozenset:
        out: set = set()
        for name, ann in cls.record or ():
            got = self._read(name, base, None, True, recv=where)
            if got is not None:
                out |= got.labels
            elif ann and depth < 3:
                inner = self._cls_by_qual.get(ann)
                if inner is not None and inner is not cls and self._is_record(inner):
                    out |= self._record_labels(inner, base, f"{where}, field '{name}'", depth + 1)
        return limit(out)

    def _annotation_val(self, ann: ast.AST | None) -> Val | None:
        if ann is None:
            return None
        name = _annotation_name(ann)
        if name is None:
            return None
        v = self.module_env.vars.get(name)
        if v is not None and v.obj is not None and v.obj.type == "class":
            return Val(obj=Obj("inst", (("q", v.obj.get("q")),)))
        q = self._qualify(ann)
        if q and self._rooted(q):
            # an annotation of a library type: what its constructor would build
            return self._ctor_of_annotation(q)
        return None

    def _ctor_of_annotation(self, q: str) -> Val | None:
        handlers = self.reg.calls.get(q)
        if not handlers:
            return None
        site = CallSite(q, q, q.rsplit(".", 1)[-1], None, None, [], {}, False, False, self.module)
        for h in handlers:
            got = h(site)
            got = got.ret if isinstance(got, Outcome) else got
            if got is not None and got.obj is not None:
                return Val(obj=got.obj)
        return None

    def _rooted(self, q: str) -> bool:
        return q.split(".")[0] in self.reg.roots

    def summary_of(self, info: FuncInfo) -> FuncInfo | None:
        if info.state == "todo":
            if self._call_depth > MAX_CALL_DEPTH:
                return None
            self._analyse(info)
        if info.state != "done":
            return None  # recursion
        return info

    # ------------------------------------------------------------------ statements
    def _block(self, stmts, env: Env) -> None:
        for s in stmts:
            self._stmt(s, env)

    def _stmt(self, s: ast.stmt, env: Env) -> None:
        fn = _STMT.get(s.__class__)
        if fn is not None:
            fn(self, s, env)

    def _s_expr(self, s: ast.Expr, env: Env) -> None:
        self.ev(s.value, env)

    def _s_assign(self, s: ast.Assign, env: Env) -> None:
        v = self.ev(s.value, env)
        for t in s.targets:
            self.assign(t, v, env, s.value)

    def _s_annassign(self, s: ast.AnnAssign, env: Env) -> None:
        if s.value is not None:
            self.assign(s.target, self.ev(s.value, env), env, s.value)
        elif env.cls is not None and isinstance(s.target, ast.Name):
            pass  # a field declaration

    def _s_augassign(self, s: ast.AugAssign, env: Env) -> None:
        v = self.ev(s.value, env)
        old = self.ev(s.target, env)
        labels = limit(flat(old) | flat(v))
        consts = None
        if old.consts and v.consts and len(old.consts) == 1 and len(v.consts) == 1:
            r = _arith(s.op, old.consts[0].value, v.consts[0].value)
            if r is not _NO:
                consts = (Const(r, old.consts[0].kind, old.consts[0].origin, old.consts[0].line),)
        self.assign(s.target, Val(labels, consts, old.obj), env)

    def _s_return(self, s: ast.Return, env: Env) -> None:
        fenv = env.function_env()
        if s.value is None or fenv is None:
            return
        v = self.ev(s.value, env)
        fenv.func.returns.append(v)
        self._response(fenv.func, v, s, env)

    def _response(self, info: "FuncInfo", v: Val, node: ast.AST, env: Env) -> None:
        """What a handler returns or yields reaches the client."""
        role = info.role
        if role and role.get("response"):
            self.emit(Use("response", {"where": role.get("where", "handler"),
                                       "function": info.name, "route": role.get("route")}, v),
                      node, env)

    def _s_if(self, s: ast.If, env: Env) -> None:
        self.ev(s.test, env)
        self._branches([s.body, s.orelse], env)

    def _branches(self, bodies: list, env: Env) -> None:
        start = dict(env.vars)
        outs = []
        for body in bodies:
            env.vars = dict(start)
            self._block(body, env)
            outs.append(env.vars)
        if len(outs) == 2:  # if/else: most names hold the very value they held before
            first, second = outs
            merged = dict(first)
            for name, v in second.items():
                u = merged.get(name)
                if u is None:
                    merged[name] = v
                elif u is not v:
                    merged[name] = join(u, v)
            env.vars = merged
            return
        merged = {}
        for name in dict.fromkeys(k for o in outs for k in o):
            vals = [o.get(name) for o in outs]
            present = [v for v in vals if v is not None]
            merged[name] = join(*present) if len(present) > 1 else present[0]
        env.vars = merged

    def _loop(self, body, env: Env, head: Callable[[], None], orelse=()) -> None:
        before = dict(env.vars)
        for i in range(MAX_LOOP):
            snap = dict(env.vars)
            head()
            self._block(body, env)
            if _same_env(snap, env.vars):
                break
            # join with what the previous pass started from: a value may or may not change
            for k, v in snap.items():
                cur = env.vars.get(k)
                if cur is not None and cur != v:
                    env.vars[k] = join(v, cur)
        for k, v in before.items():
            cur = env.vars.get(k)
            if cur is not None and cur != v:
                env.vars[k] = join(v, cur)
        self._block(orelse, env)

    def _s_for(self, s: ast.For, env: Env) -> None:
        it = self.ev(s.iter, env)
        elem = self.iterate(it)
        self._loops.append(it)
        try:
            self._loop(s.body, env, lambda: self.assign(s.target, elem, env), s.orelse)
        finally:
            self._loops.pop()

    def _s_while(self, s: ast.While, env: Env) -> None:
        self._loops.append(CLEAN)
        try:
            self._loop(s.body, env, lambda: self.ev(s.test, env), s.orelse)
        finally:
            self._loops.pop()

    def _s_with(self, s: ast.With, env: Env) -> None:
        for item in s.items:
            v = self.ev(item.context_expr, env)
            if item.optional_vars is not None:
                self.assign(item.optional_vars, self._entered(v), env)
        self._block(s.body, env)

    @staticmethod
    def _entered(v: Val) -> Val:
        """``with X() as x``: x is what ``__enter__`` returns; for most objects, themselves."""
        return v

    def _s_try(self, s, env: Env) -> None:
        self._block(s.body, env)
        bodies = []
        for h in s.handlers:
            body = list(h.body)
            if h.name:
                env.vars[h.name] = CLEAN
            bodies.append(body)
        if bodies:
            self._branches(bodies + [[]], env)
        self._block(s.orelse, env)
        self._block(s.finalbody, env)

    def _s_match(self, s, env: Env) -> None:
        self.ev(s.subject, env)
        self._branches([c.body for c in s.cases] + [[]], env)

    def _s_funcdef(self, s, env: Env) -> None:
        for d in s.decorator_list:
            self.ev(d, env)
        for d in s.args.defaults:
            self.ev(d, env)
        if env.func is None and env.parent is None:
            v = env.vars.get(s.name)
            if v is None or v.obj is None or v.obj.type != "func":
                self._def_function(s, env, None, "")
            return
        # a def inside a function, a branch or a class body: declared when the block ran
        if env.cls is None and (s.name not in env.vars or env.vars[s.name].obj is None
                                or env.vars[s.name].obj.type != "func"):
            prefix = (env.func.qual + ".") if env.func is not None else ""
            self._def_function(s, env, None, prefix)

    def _s_classdef(self, s: ast.ClassDef, env: Env) -> None:
        v = env.vars.get(s.name)
        info = None
        if v is not None and v.obj is not None and v.obj.type == "class":
            info = self._cls_by_qual.get(v.obj.get("q"))
        if info is None:
            prefix = (env.func.qual + ".") if env.func is not None else ""
            info = self._def_class(s, env, prefix)
        # the imports above the class are known now (it was declared before the module ran)
        info.bases = [b for b in (self._qualify(x) for x in s.bases) if b]
        info.decorators = [d for d in (self._qualify(x.func if isinstance(x, ast.Call) else x)
                                       for x in s.decorator_list) if d]
        for b in s.bases:
            self.ev(b, env)
        cenv = Env(env, cls=info)
        for st in s.body:
            if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for d in st.decorator_list:
                    self.ev(d, cenv)
                continue
            self._stmt(st, cenv)
            if isinstance(st, (ast.Assign, ast.AnnAssign)):
                for t in (st.targets if isinstance(st, ast.Assign) else [st.target]):
                    if isinstance(t, ast.Name):
                        info.attr_lines[t.id] = self.module.line_of(st)
        info.attrs.update(cenv.vars)

    def _s_import(self, s, env: Env) -> None:
        self._import(s, env=env)

    def _s_global(self, s, env: Env) -> None:
        env.globals.update(s.names)

    def _s_raise(self, s: ast.Raise, env: Env) -> None:
        if s.exc is not None:
            self.ev(s.exc, env)

    def _s_assert(self, s: ast.Assert, env: Env) -> None:
        self.ev(s.test, env)

    def _s_delete(self, s: ast.Delete, env: Env) -> None:
        for t in s.targets:
            if isinstance(t, ast.Name):
                env.vars[t.id] = CLEAN

    # ------------------------------------------------------------------ binding
    def assign(self, target: ast.AST, v: Val, env: Env, value_node: ast.AST | None = None) -> None:
        cls = target.__class__
        if cls is ast.Name:
            name = target.id
            if (v.consts or v.keys) and env.cls is None:  # class bodies: defaults, see _inst_attr
                v = self._named_consts(v, name, env, target)
            if name in env.globals:
                self.module_env.vars[name] = v
            env.vars[name] = v
        elif cls is ast.Tuple or cls is ast.List:
            elts = target.elts
            if isinstance(value_node, (ast.Tuple, ast.List)) and len(value_node.elts) == len(elts) \
                    and not any(isinstance(e, ast.Starred) for e in value_node.elts):
                if v.elems is not None and len(v.elems) == len(elts):
                    for t, ev in zip(elts, v.elems):
                        self.assign(t, ev, env)
                    return
            if v.elems is not None and len(v.elems) == len(elts) and \
                    not any(isinstance(e, ast.Starred) for e in elts):
                for t, ev in zip(elts, v.elems):
                    self.assign(t, ev, env)
                return
            part = self.iterate(v)
            symbolic = [lb for lb in v.labels if lb.kind == PARAM or lb.kind == EXT]
            called = isinstance(value_node, ast.Await) and isinstance(value_node.value, ast.Call) \
                or isinstance(value_node, ast.Call)
            if symbolic and called and len(symbolic) * len(elts) <= UNPACK_PATHS \
                    and not any(isinstance(e, ast.Starred) for e in elts):
                # ``text, n = helper(x)``, a call whose value is known later (another module's
                # function, a parameter's method): each name is its element, so the linker picks
                # that one (while the element paths stay few: a bounded value keeps its symbolic
                # labels first, and more paths would crowd out what it was seen to hold)
                rest = [lb for lb in part.labels if lb.kind != PARAM and lb.kind != EXT]
                for i, t in enumerate(elts):
                    labels = limit([*rest, *(_extend(lb, ("k", i)) for lb in symbolic)])
                    self.assign(t, Val(labels, part.consts, part.obj, part.elems, part.item,
                                       part.keys), env)
                return
            for t in elts:
                self.assign(t.value if isinstance(t, ast.Starred) else t, part, env)
        elif cls is ast.Attribute:
            name = dotted(target)
            if name is None:
                return
            env.vars[name] = v
            root = target.value
            if isinstance(root, ast.Name) and root.id in ("self", "cls"):
                fenv = env.function_env()
                info = fenv.func.cls if fenv is not None and fenv.func is not None else None
                if info is not None:
                    kept = Val(limit(lb for lb in v.labels if not is_symbolic(lb)),
                               v.consts, v.obj if v.obj is None or v.obj.type != "ext" else None,
                               v.elems, v.item, v.keys)
                    old = info.fields.get(target.attr)
                    info.fields[target.attr] = kept if old is None else join(old, kept)
            else:
                holder = dotted(target.value)
                old = env.lookup(holder) if holder is not None else None
                if old is not None and old.obj is not None and \
                        old.obj.type not in ("inst", "ref", "ext", "func", "class"):
                    # a setting written on an object (args.hub_private_repo = True)
                    keys = dict(old.keys or ())
                    keys[target.attr] = v
                    env.vars[holder] = Val(old.labels, old.consts, old.obj, old.elems, old.item,
                                           tuple(keys.items()))
                self._mutate(target.value, Val(flat(v)), env, target.attr, v, field=True)
        elif cls is ast.Subscript:
            key = self._const_key(target.slice, env)
            self._mutate(target.value, Val(self._collected(flat(v))), env, key, v)
        elif cls is ast.Starred:
            self.assign(target.value, self.iterate(v), env)

    def _named_consts(self, v: Val, name: str, env: Env, target: ast.AST) -> Val:
        """Literal constants bound to a name remember where: ``module constant EPS at line 2``,
        ``eps assigned at line 3`` (and a constant dict's entries, ``PARAMS['epsilon']``)."""
        line = self.module.line_of(target)
        module = env.parent is None and env.func is None and env.cls is None
        const = module and name.isupper()

        def relabel(c: Const, shown: str) -> Const:
            if c.kind != "literal":
                return c
            if const:
                return Const(c.value, "constant", f"module constant {shown} at line {line}", line)
            return Const(c.value, "local", f"{shown} assigned at line {line}", line)

        consts = tuple(relabel(c, name) for c in v.consts) if v.consts else v.consts
        keys = v.keys
        if keys is not None:
            keys = tuple((k, Val(x.labels, tuple(relabel(c, f"{name}[{k!r}]") for c in x.consts),
                                 x.obj, x.elems, x.item, x.keys) if x.consts else x)
                         for k, x in keys)
        return Val(v.labels, consts, v.obj, v.elems, v.item, keys)

    def _const_key(self, node: ast.AST, env: Env) -> str | None:
        v = self.ev(node, env)
        return v.text()

    def _collected(self, labels: frozenset) -> frozenset:
        """Labels put into a container inside a loop form a collection (one score per class
        becomes a vector of scores)."""
        if not self._loops or not labels:
            return labels
        return self._collect_in_loop(labels)

    def _mutate(self, target: ast.AST, add: Val, env: Env, key: str | None = None,
                whole: Val | None = None, field: bool = False) -> None:
        """``target[k] = v`` / ``target.append(v)``: the container now holds ``add`` too.
        ``field``: ``target.k = v``, an attribute: the object holds ``v`` under ``k`` only (its
        other attributes are not what was stored; the object passed whole still carries it)."""
        if not add.labels and whole is None:
            return
        if field and isinstance(target, ast.Subscript):
            field = False  # ``rows[i].k = v``: an element of a container, held as the container
        while isinstance(target, ast.Subscript):
            target = target.value
            key = None
        name = dotted(target)
        if name is None:
            return
        old = self.ev(target, env)
        keys = old.keys
        if key is not None and whole is not None and (field or keys is not None or not old.labels):
            d = dict(keys or ())
            d[key] = whole
            keys = tuple(d.items())
        elif not add.labels:
            return
        if field and key is not None:
            new = Val(old.labels, old.consts, old.obj, old.elems, old.item, keys)
        else:
            new = Val(limit(old.labels | add.labels), old.consts if not add.labels else None,
                      old.obj, old.elems,
                      join(old.item, Val(add.labels)) if old.item is not None else None, keys)
        if isinstance(target, ast.Attribute):
            self.assign(target, new, env)
        else:
            env.vars[name] = new
            if name in env.globals:
                self.module_env.vars[name] = new

    # ------------------------------------------------------------------ expressions
    def ev(self, node: ast.AST | None, env: Env, depth: int = 0) -> Val:
        if node is None or depth > MAX_DEPTH:
            return CLEAN
        fn = _EXPR.get(node.__class__)
        if fn is None:
            return CLEAN
        return fn(self, node, env, depth + 1)

    def _e_const(self, node: ast.Constant, env: Env, d: int) -> Val:
        return lit(node.value)

    def _e_name(self, node: ast.Name, env: Env, d: int) -> Val:
        name = node.id
        v = env.lookup(name)
        if v is not None:
            return v
        q = self.aliases.get(name)
        if q is not None:
            return self._ref_val(q)
        r = self.relative.get(name)
        if r is not None:
            return Val(frozenset({Label(EXT, "import:" + r)}), None,
                       Obj("ext", (("ref", "import:" + r),)))
        if name in ("True", "False", "None"):
            return lit({"True": True, "False": False, "None": None}[name])
        if name in _CONVERTERS:
            return _CONVERTERS[name]
        return CLEAN

    def _e_attribute(self, node: ast.Attribute, env: Env, d: int) -> Val:
        name = dotted(node)
        if name is not None:
            v = env.lookup(name)
            if v is not None:
                return v
        base = self.ev(node.value, env, d)
        return self.attr(base, node.attr, node.value, env)

    def attr(self, base: Val, attr: str, base_node: ast.AST | None, env: Env | None,
             reads: bool = True) -> Val:
        """``base.attr``: an object's attribute, a model's value, a read that creates labels,
        and the labels of ``base`` through their kind's ``attr`` hook."""
        if attr in MEASURE_ATTRS and (base.labels or base.obj is None or base.obj.type != "ref"):
            return CLEAN
        o = base.obj
        if o is not None:
            t = o.type
            if t == "ref":
                q = f"{o.get('q')}.{attr}"
                return self._ref_val(q)
            if t == "ext":
                return Val(self._ext_path(base.labels, ("a", attr)), None,
                           Obj("ext", o.attrs, o.path + (attr,)))
            if t in ("inst", "xinst") and base.keys is not None:
                kv = base.key(attr)  # a field the instance was given (here, or in another module)
                if kv is not None:
                    return kv
            if t == "inst":
                return self._inst_attr(o, attr, base_node, base.labels)
            if t == "class":
                info = self._cls_by_qual.get(o.get("q"))
                if info is not None:
                    if attr in info.methods:
                        return Val(obj=Obj("func", (("q", info.methods[attr].qual),)))
                    v = info.attrs.get(attr)
                    if v is not None:
                        return v
                return CLEAN
            if t == "func":
                return CLEAN
            hooks = self.reg.attrs.get(t)
            if hooks:
                for h in hooks:
                    got = h(base, attr, True)
                    if isinstance(got, frozenset):  # keep only these labels, then as usual
                        base = Val(got, base.consts, o, base.elems, base.item, base.keys)
                        break
                    if got is not None:
                        return got
            # a typed object of a model: keep the object with the attribute path, unless a
            # read says what the attribute is (request.form: the body; out.logits: scores)
            got = self._read(attr, base, base_node, True) if reads else None
            labels = self._trans_attr(base.labels, attr)
            if got is not None:
                return Val(limit(labels | got.labels), got.consts, got.obj, got.elems, got.item,
                           got.keys)
            return Val(labels, None, o.with_path(attr))
        if base.keys is not None:
            kv = base.key(attr)
            if kv is not None and attr not in ("keys", "values", "items"):
                pass
        labels = self._trans_attr(base.labels, attr) if base.labels else EMPTY
        got = self._read(attr, base, base_node, True) if reads else None
        if got is not None:
            return Val(limit(labels | got.labels), got.consts, got.obj, got.elems, got.item)
        if attr.isupper() and len(attr) > 1 and not base.labels:
            return CLEAN
        if labels:
            return Val(labels)
        return CLEAN

    def _inst_attr(self, o: Obj, attr: str, base_node, labels: frozenset = EMPTY) -> Val:
        """``obj.attr`` of an instance of a class of the project; ``labels``, the instance's
        (what a client sent: a request body record), tell what a read of a field means."""
        info = self._cls_by_qual.get(o.get("q"))
        if info is None:
            return CLEAN
        m = self._method(info, attr)
        if m is not None:
            return Val(obj=Obj("func", (("q", m.qual),)))
        v = info.fields.get(attr)
        if v is None:
            v = self._field_from_source(info, attr)
        if v is None:
            v = info.attrs.get(attr)
            if v is not None and v.consts and all(c.kind == "literal" for c in v.consts):
                line = info.attr_lines.get(attr, 0)
                v = Val(v.labels, tuple(Const(c.value, "class-default",
                                              f"default of {info.name}.{attr} at line {line}", line)
                                        for c in v.consts), v.obj)
        if v is None:
            # a field of a record class: what a read of that name means (personal field ...)
            if info.record and any(f == attr for f, _ in info.record):
                got = self._read(attr, Val(labels, obj=o), base_node, True)
                if got is not None:
                    return got
            return CLEAN
        return v

    def _self_assigns(self, info: ClassInfo) -> dict:
        """``self.X = value`` in the class's methods: X -> [(method, value)], one walk a class."""
        table = self._assigns_cache.get(info.qual)
        if table is None:
            table = {}
            for m in info.methods.values():
                if isinstance(m.node, ast.Lambda):
                    continue
                for n in ast.walk(m.node):
                    if isinstance(n, (ast.Assign, ast.AnnAssign)) and n.value is not None:
                        targets = n.targets if isinstance(n, ast.Assign) else [n.target]
                        for t in targets:
                            if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) \
                                    and t.value.id == "self":
                                table.setdefault(t.attr, []).append((m, n.value))
            self._assigns_cache[info.qual] = table
        return table

    def _field_from_source(self, info: ClassInfo, attr: str) -> Val | None:
        """``self.X`` read before the method that assigns it ran: evaluate the assignments of
        ``self.X = ...`` in the class's methods in a fresh environment (objects only)."""
        exprs = self._self_assigns(info).get(attr)
        if not exprs:
            return None
        info.fields[attr] = CLEAN  # guards recursion
        out = []
        for m, e in exprs[:4]:
            env = Env(m.env, func=None)
            env.vars["self"] = Val(obj=Obj("inst", (("q", info.qual),)))
            v = self.ev(e, env)
            if v.obj is not None and v.obj.type not in ("ext",):
                out.append(Val(obj=v.obj))
            elif v.obj is not None:
                out.append(Val(v.labels, None, v.obj))
        v = join(*out) if out else CLEAN
        info.fields[attr] = v
        return v

    def _method(self, info: ClassInfo, name: str, depth: int = 0) -> FuncInfo | None:
        m = info.methods.get(name)
        if m is not None or depth > 5:
            return m
        for b in info.bases:
            base = self._cls_by_qual.get(b) or self._cls_by_qual.get(b.rsplit(".", 1)[-1])
            if base is not None and base is not info:
                m = self._method(base, name, depth + 1)
                if m is not None:
                    return m
        return None

    def _read(self, key: Any, base: Val, base_node: ast.AST | None, is_attr: bool,
              recv: str | None = None) -> Val | None:
        if not isinstance(key, str) or not self.reg.reads:
            return None
        if recv is None:
            recv = dotted(base_node) if base_node is not None else None
        if recv is None and base_node is not None:
            r = root_name(base_node)
            recv = r
        out = None
        for hook in self.reg.reads:
            got = hook(key, base, recv, is_attr, self.module, base_node)
            if got is not None:
                out = got if out is None else join(out, got)
        return out

    def _transform(self, labels: frozenset, step: tuple, hook: str, arg: Any) -> frozenset:
        """The labels of a part of a value: a symbolic label records the step (``.attr``,
        ``[key]``, ``.method()``), a concrete one asks its kind (``Kind.attr/key/method``)."""
        if not labels:
            return labels
        out = set()
        kinds = self.reg.kinds
        for lb in labels:
            if lb.kind == PARAM or lb.kind == EXT:
                out.add(_extend(lb, step))
                continue
            k = kinds.get(lb.kind)
            fn = getattr(k, hook) if k is not None else None
            if fn is None:
                out.add(lb)
            else:
                out.update(fn(lb, arg))
        return limit(out)

    def _trans_attr(self, labels: frozenset, attr: str) -> frozenset:
        return self._transform(labels, ("a", attr), "attr", attr)

    def _trans_key(self, labels: frozenset, key: Any) -> frozenset:
        return self._transform(labels, ("k", key if isinstance(key, (str, int)) else None),
                               "key", key)

    def _trans_method(self, labels: frozenset, name: str) -> frozenset:
        return self._transform(labels, ("m", name), "method", name)

    def reduce(self, v: Val) -> Val:
        """A scalar taken from ``v`` (``float(x)``, ``x.item()``, ``max(x)``)."""
        out = reduce_labels(self.reg, flat(v))
        return Val(out, v.consts) if out else Val(consts=v.consts)

    def _ext_path(self, labels: frozenset, step: tuple) -> frozenset:
        return limit(_extend(lb, step) if lb.kind in (PARAM, EXT) else lb for lb in labels)

    def _e_subscript(self, node: ast.Subscript, env: Env, d: int) -> Val:
        base = self.ev(node.value, env, d)
        sl = node.slice
        if isinstance(sl, ast.Slice):
            for part in (sl.lower, sl.upper, sl.step):
                self.ev(part, env, d)
            return Val(base.labels, None, None, None, base.item)
        key_val = self.ev(sl, env, d)
        key = key_val.const() if key_val.consts and len(key_val.consts) == 1 else None
        literal = key_val.consts is not None and len(key_val.consts or ()) == 1
        if isinstance(sl, (ast.Tuple, ast.List)) and not literal and isinstance(node.value, ast.AST):
            # df[["name", "email"]]: a selection of columns (each kind narrows to the list)
            cols = [e.value for e in sl.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            key = tuple(cols) if cols and len(cols) == len(sl.elts) else None
            out = set(self._trans_key(base.labels, key))
            for c in cols:
                got = self._read(c, base, node.value, False)
                if got is not None:
                    out |= got.labels
            return Val(limit(out))
        picked = not literal and not self._loops and isinstance(sl, (ast.Name, ast.Attribute, ast.Call))
        return self.key(base, key if literal else _UNKNOWN, node.value, env, picked)

    def key(self, base: Val, key: Any, base_node: ast.AST | None, env: Env | None,
            picked: bool = False, reads: bool = True) -> Val:
        o = base.obj
        if o is not None and key is not _UNKNOWN:
            hooks = self.reg.attrs.get(o.type)
            if hooks:
                for h in hooks:
                    got = h(base, key, False)
                    if isinstance(got, frozenset):
                        base = Val(got, base.consts, o, base.elems, base.item, base.keys)
                        break
                    if got is not None:
                        return got
        if o is not None and o.type == "ext":
            labels = self._ext_path(base.labels, ("k", key if isinstance(key, (str, int)) else None))
            if reads and isinstance(key, str):
                # an item of what another module or a library returned (a database row, a
                # response's JSON): what its key names counts now (``row["email"]``)
                got = self._read(key, base, base_node, False)
                if got is not None and got.labels:
                    labels = limit(labels | got.labels)
            return Val(labels, None, Obj("ext", o.attrs, o.path + ("[]",)))
        if o is not None and o.type == "ref":
            return CLEAN
        if key is not _UNKNOWN:
            if base.keys is not None and isinstance(key, str):
                kv = base.key(key)
                if kv is not None:
                    got = self._read(key, base, base_node, False) if reads else None
                    if got is not None and got.labels:
                        return Val(limit(kv.labels | got.labels), kv.consts, kv.obj, kv.elems,
                                   kv.item, kv.keys)
                    return kv
            if base.elems is not None and isinstance(key, int) and not isinstance(key, bool) \
                    and -len(base.elems) <= key < len(base.elems):
                return base.elems[key]
        labels = base.labels
        if base.elems is not None:
            labels = flat(base)
        k = key if key is not _UNKNOWN else None
        labels = self._trans_key(labels, k)
        if picked and labels and base.elems is None:
            # probs[pred] outside a loop: the score of one class (the top-1 in practice)
            kinds = self.reg.kinds
            out = set()
            for lb in labels:
                kd = kinds.get(lb.kind)
                if kd is not None and kd.pick and kd.reduce is not None:
                    out.update(kd.reduce(lb))
                else:
                    out.add(lb)
            labels = limit(out)
        if key is _UNKNOWN and base.item is not None and not labels:
            return base.item
        got = self._read(key, base, base_node, False) if reads and isinstance(key, str) else None
        if got is not None:
            return Val(limit(labels | got.labels), got.consts, got.obj, got.elems, got.item)
        if key is _UNKNOWN and base.item is not None:
            return Val(limit(labels | base.item.labels), None, base.item.obj, base.item.elems,
                       base.item.item, base.item.keys)
        if o is not None and o.type not in ("inst", "class", "func"):
            return Val(labels, None, o.with_path("[]"))
        return Val(labels) if labels else CLEAN

    def iterate(self, v: Val) -> Val:
        """What one iteration over ``v`` yields."""
        if v.item is not None:
            return v.item
        if v.obj is not None and v.obj.type == "ext":
            return Val(self._ext_path(v.labels, ("i", "")), None, v.obj.with_path("[]"))
        if v.elems is not None:
            return join(*v.elems)
        if v.keys is not None:
            return Val(consts=tuple(Const(k) for k, _ in v.keys) or None)
        labels = v.labels
        if labels:
            out = set()
            for lb in labels:
                if lb.kind in (PARAM, EXT):
                    out.add(_extend(lb, ("i", "")))
                else:
                    out.add(lb)
            labels = limit(out)
        if v.obj is not None and v.obj.type not in ("inst", "class", "func", "ref"):
            return Val(labels, None, v.obj.with_path("[]"))
        return Val(labels) if labels else CLEAN

    def _e_binop(self, node: ast.BinOp, env: Env, d: int) -> Val:
        left = self.ev(node.left, env, d)
        right = self.ev(node.right, env, d)
        op = node.op.__class__
        if op is ast.Mod and isinstance(node.left, ast.Constant) and isinstance(node.left.value, str):
            return self._percent(node, left, right)
        if op is ast.BitOr and (left.obj is not None or right.obj is not None):
            # prompt | llm | parser: a chain built from a model
            hook = self.reg.any_methods.get("__or__")
            if hook:
                for h in hook:
                    got = h(CallSite(None, None, "__or__", left, None, [right], {}, False, False,
                                     self.module))
                    if got is not None:
                        return got.ret if isinstance(got, Outcome) else got
        if op is ast.Div and left.obj is not None and left.obj.type == "path":
            t = right.text()
            base = left.obj.get("path") or ""
            return Val(obj=left.obj.with_attrs(path=f"{base}/{t}" if t is not None else None))
        consts = None
        if left.consts and right.consts and len(left.consts) * len(right.consts) <= 16:
            out = []
            for a in left.consts:
                for b in right.consts:
                    r = _arith(node.op, a.value, b.value)
                    if r is _NO:
                        out = None
                        break
                    src = a if a.kind != "literal" else b
                    out.append(Const(r, src.kind, src.origin, src.line))
                if out is None:
                    break
            consts = tuple(out) if out else None
        if op is ast.MatMult:
            hook = self.reg.any_methods.get("__matmul__")
            if hook:
                for h in hook:
                    got = h(CallSite(None, None, "__matmul__", left, None, [right], {}, False,
                                     False, self.module))
                    if got is not None:
                        return got.ret if isinstance(got, Outcome) else got
        labels = limit(flat(left) | flat(right))
        return Val(labels, consts)

    def _percent(self, node: ast.BinOp, fmt: Val, right: Val) -> Val:
        text = fmt.text() or ""
        values = node.right.elts if isinstance(node.right, ast.Tuple) else [node.right]
        moved = max((_scaled(v) for v in values), default=0)
        specs = _PCT_SPEC.findall(text)
        parts = right.elems if right.elems is not None else (right,)
        labels: set = set()
        for i, p in enumerate(parts):
            spec = specs[i] if i < len(specs) else ("", "s")
            labels |= self._formatted(flat(p), spec[0] + spec[1], moved, percent=True)
        if right.elems is None and len(specs) > 1:
            labels = set(flat(right))
        return Val(limit(labels))

    def _formatted(self, labels: frozenset, spec: str, moved: int, percent: bool = False) -> set:
        if not spec or not labels:
            return set(labels)
        out = set()
        for lb in labels:
            k = self.reg.kinds.get(lb.kind)
            if k is not None and k.format is not None:
                out.update(k.format(lb, ("%" + spec) if percent else spec, moved))
            else:
                out.add(lb)
        return out

    def _e_unary(self, node: ast.UnaryOp, env: Env, d: int) -> Val:
        v = self.ev(node.operand, env, d)
        if isinstance(node.op, ast.Not):
            return CLEAN
        consts = None
        if v.consts:
            out = []
            for c in v.consts:
                if isinstance(c.value, (int, float)) and not isinstance(c.value, bool):
                    out.append(Const(-c.value if isinstance(node.op, ast.USub) else c.value,
                                     c.kind, c.origin, c.line))
                else:
                    out = None
                    break
            consts = tuple(out) if out else None
        return Val(v.labels, consts)

    def _e_boolop(self, node: ast.BoolOp, env: Env, d: int) -> Val:
        return join(*(self.ev(v, env, d) for v in node.values))

    def _e_compare(self, node: ast.Compare, env: Env, d: int) -> Val:
        self.ev(node.left, env, d)
        for c in node.comparators:
            self.ev(c, env, d)
        return CLEAN

    def _e_ifexp(self, node: ast.IfExp, env: Env, d: int) -> Val:
        self.ev(node.test, env, d)
        return join(self.ev(node.body, env, d), self.ev(node.orelse, env, d))

    def _e_joined(self, node: ast.JoinedStr, env: Env, d: int) -> Val:
        labels: set = set()
        texts: list[str] = []
        known = True
        for part in node.values:
            if isinstance(part, ast.Constant):
                texts.append(str(part.value))
            elif isinstance(part, ast.FormattedValue):
                v = self.ev(part.value, env, d)
                spec = ""
                if part.format_spec is not None:
                    spec = "".join(str(x.value) for x in part.format_spec.values
                                   if isinstance(x, ast.Constant))
                labels |= self._formatted(flat(v), spec, _scaled(part.value))
                t = v.text()
                if t is None and v.consts and len(v.consts) == 1 and v.consts[0].value is not None:
                    t = str(v.consts[0].value)
                if t is None:
                    known = False
                    texts.append("{}")
                else:
                    texts.append(t)
        text = "".join(texts)
        return Val(limit(labels), (Const(text),) if known else None) if labels or known \
            else Val(consts=None)

    def _e_seq(self, node, env: Env, d: int) -> Val:
        vals = []
        starred = False
        for e in node.elts:
            if isinstance(e, ast.Starred):
                starred = True
                vals.append(self.iterate(self.ev(e.value, env, d)))
            else:
                vals.append(self.ev(e, env, d))
        labels = set()
        for v in vals:
            labels |= flat(v)
        labels = self._spelled_out(vals, limit(labels))
        item = join(*vals) if vals else None
        elems = tuple(vals) if node.__class__ is ast.Tuple and not starred else None
        if elems is not None and len(elems) > 8:
            elems = None
        return trim(Val(labels, None, None, elems, item))

    def _e_dict(self, node: ast.Dict, env: Env, d: int) -> Val:
        labels: set = set()
        keys = []
        ok = True
        for k, v in zip(node.keys, node.values):
            vv = self.ev(v, env, d)
            labels |= flat(vv)
            if k is None:  # **other
                ok = False
                continue
            kv = self.ev(k, env, d)
            labels |= kv.labels
            t = kv.text()
            if t is None:
                ok = False
            else:
                keys.append((t, vv))
        labels = self._spelled_out([v for _, v in keys], limit(labels))
        return trim(Val(labels, None, None, None, None,
                        tuple(keys) if ok and len(keys) <= 24 else None))

    def _spelled_out(self, parts: list, labels: frozenset) -> frozenset:
        """Two or more single scores in one literal (``{"cat": float(p[0]), "dog":
        float(p[1])}``) are the vector, spelled out: each kind's ``collect``."""
        kinds = self.reg.kinds
        n = sum(1 for p in parts if any((kinds.get(lb.kind) is not None and kinds[lb.kind].collect
                                         is not None and kinds[lb.kind].collect(lb) != (lb,))
                                        for lb in flat(p)))
        return self._collect_in_loop(labels) if n >= 2 else labels

    def _e_comp(self, node, env: Env, d: int) -> Val:
        inner = Env(env)
        iters = []
        for gen in node.generators:
            it = self.ev(gen.iter, inner, d)
            iters.append(it)
            self._loops.append(it)
            self.assign(gen.target, self.iterate(it), inner)
            for cond in gen.ifs:
                self.ev(cond, inner, d)
        try:
            if isinstance(node, ast.DictComp):
                kv = self.ev(node.key, inner, d)
                vv = self.ev(node.value, inner, d)
                elt = Val(limit(kv.labels | flat(vv)))
            else:
                elt = self.ev(node.elt, inner, d)
        finally:
            for _ in node.generators:
                self._loops.pop()
        labels = limit(flat(elt))
        if any(it.labels or it.item is not None for it in iters) or isinstance(node, ast.DictComp):
            labels = self._collect_in_loop(labels)
        return Val(labels, None, None, None, elt if not isinstance(node, ast.DictComp) else None)

    def _collect_in_loop(self, labels: frozenset) -> frozenset:
        """Each label as its kind collects it (``Kind.collect``: a score becomes a vector)."""
        out = set()
        for lb in labels:
            k = self.reg.kinds.get(lb.kind)
            if k is not None and k.collect is not None:
                out.update(k.collect(lb))
            else:
                out.add(lb)
        return limit(out)

    def _e_await(self, node, env: Env, d: int) -> Val:
        return self.ev(node.value, env, d)

    def _e_yield(self, node, env: Env, d: int) -> Val:
        if node.value is not None:
            v = self.ev(node.value, env, d)
            fenv = env.function_env()
            if fenv is not None:
                v = v if not isinstance(node, ast.YieldFrom) else self.iterate(v)
                fenv.func.returns.append(v)
                self._response(fenv.func, v, node, env)
        return CLEAN

    def _e_named(self, node: ast.NamedExpr, env: Env, d: int) -> Val:
        v = self.ev(node.value, env, d)
        self.assign(node.target, v, env)
        return v

    def _e_starred(self, node: ast.Starred, env: Env, d: int) -> Val:
        return self.ev(node.value, env, d)

    def _e_lambda(self, node: ast.Lambda, env: Env, d: int) -> Val:
        info = self._lambda_infos.get(id(node))
        if info is None:
            prefix = (env.function_env().func.qual + ".") if env.function_env() else ""
            info = FuncInfo(f"{prefix}<lambda:{node.lineno}>", node, env, None)
            self._lambda_infos[id(node)] = info
            self.funcs.append(info)
            self._fn_by_qual[info.qual] = info
        return Val(obj=Obj("func", (("q", info.qual),)))

    def _e_slice(self, node, env: Env, d: int) -> Val:
        return CLEAN

    # ------------------------------------------------------------------ calls
    def _callsite(self, node: ast.Call, env: Env, recv: Val | None = None,
                  func_val: Val | None = None, d: int = 0) -> CallSite:
        args = []
        star_args = star_kwargs = False
        for a in node.args:
            if isinstance(a, ast.Starred):
                star_args = True
                v = self.ev(a.value, env, d)
                if v.elems is not None:
                    args.extend(v.elems)
                else:
                    # *args: content reaches the call, positions unknown
                    args.append(self.iterate(v))
                continue
            args.append(self.ev(a, env, d))
        kwargs = {}
        for k in node.keywords:
            v = self.ev(k.value, env, d)
            if k.arg is None:
                star_kwargs = True
                if v.keys is not None:
                    for kk, kv in v.keys:
                        kwargs.setdefault(kk, kv)
                else:
                    kwargs.setdefault("**", v)
            else:
                kwargs[k.arg] = v
        func = node.func
        q = None
        if func_val is not None and func_val.obj is not None and func_val.obj.type == "ref":
            q = func_val.obj.get("q")
        elif func_val is None:
            q = self.qualified(func)
        name = called_name(func) or ""
        recv_name = None
        if isinstance(func, ast.Attribute):
            recv_name = last_name(func.value)
        fenv = env.function_env()
        site = CallSite(q, dotted(func), name, recv, recv_name, args, kwargs, star_args,
                        star_kwargs, self.module, self.module.line_of(node),
                        fenv.func.qual if fenv is not None and fenv.func is not None else "")
        site.locate = lambda kw, pos, n=node: self._arg_pos(n, kw, pos)
        site.scope = lambda e=env, loops=tuple(self._loops): self._scope_data(e, loops)
        site.source = lambda kw, pos, n=node: self._arg_source(n, kw, pos)
        if self._scaling:
            site.scaled = tuple(_scaled(a) for a in node.args)
            if isinstance(func, ast.Attribute):
                site.scaled_recv = _scaled(func.value)
        return site

    def _scope_data(self, env: Env, loops: tuple) -> Val:
        """What the enclosing loops iterate over, and the enclosing function's parameters."""
        labels: set = set()
        for it in loops:
            labels |= flat(it)
        fenv = env.function_env()
        if fenv is not None and fenv.func is not None:
            for name in fenv.func.params:
                v = fenv.vars.get(name)
                if v is not None:
                    labels |= {lb for lb in v.labels if lb.kind == PARAM}
        return Val(limit(labels)) if labels else CLEAN

    @staticmethod
    def _arg_source(node: ast.Call, keyword: str | None, pos: int | None) -> str | None:
        arg = None
        if keyword is not None:
            arg = next((k.value for k in node.keywords if k.arg == keyword), None)
        if arg is None and pos is not None and pos < len(node.args) and \
                not isinstance(node.args[pos], ast.Starred):
            arg = node.args[pos]
        if arg is None:
            return None
        try:
            return ast.unparse(arg)[:200]
        except (ValueError, RecursionError):
            return None

    def _executor(self, node: ast.Call, index: int, env: Env, d: int) -> Val | None:
        """``loop.run_in_executor(None, fn, a, b)`` / ``asyncio.to_thread(fn, a)`` /
        ``pool.submit(fn, a)``: a call of ``fn`` with the rest of the arguments."""
        pos = [a for a in node.args if not isinstance(a, ast.Starred)]
        if len(pos) <= index:
            return None
        fv = self.ev(pos[index], env, d)
        info = self._fn_by_qual.get(fv.obj.get("q")) if fv.obj is not None and \
            fv.obj.type == "func" else None
        if info is None:
            return None
        s = self.summary_of(info)
        if s is None:
            return CLEAN
        rest = [self.ev(a, env, d) for a in pos[index + 1:]]
        names = info.params
        skip = 1 if info.cls is not None and names[:1] in (["self"], ["cls"]) else 0
        bound = {skip + i: v for i, v in enumerate(rest) if skip + i < len(names)}
        return self.substitute_call(info, bound, node, env)

    def _arg_pos(self, node: ast.Call, keyword: str | None, pos: int | None) -> Pos | None:
        if keyword is not None:
            for k in node.keywords:
                if k.arg == keyword:
                    return self._pos(k.value)
        if pos is not None and pos < len(node.args) and \
                not any(isinstance(a, ast.Starred) for a in node.args[:pos + 1]):
            return self._pos(node.args[pos])
        return None

    def _e_call(self, node: ast.Call, env: Env, d: int) -> Val:
        func = node.func
        called = called_name(func)
        if called in _EXECUTORS:
            got = self._executor(node, _EXECUTORS[called], env, d)
            if got is not None:
                return got
        if self.reg.named and called:
            for pat, h in self.reg.named:
                if pat.search(called):
                    recv = self.ev(func.value, env, d) if isinstance(func, ast.Attribute) else None
                    site = self._callsite(node, env, recv, None, d)
                    got = self._apply([h], site, node, env)
                    if got is not None:
                        return got
        if isinstance(func, ast.Attribute):
            name = dotted(func)
            stored = env.lookup(name) if name is not None else None
            if stored is not None:
                return self._call_value(stored, node, env, d, recv=None)
            recv = self.ev(func.value, env, d)
            return self._call_method(recv, func.attr, node, env, d)
        fv = self.ev(func, env, d)
        if isinstance(func, ast.Name) and (fv is CLEAN or fv.obj is _BUILTIN_OBJ.get(func.id)) \
                and func.id not in self.aliases:
            return self._call_builtin(func.id, node, env, d)
        return self._call_value(fv, node, env, d, recv=None)

    def _call_builtin(self, name: str, node: ast.Call, env: Env, d: int) -> Val:
        site = self._callsite(node, env, None, None, d)
        handlers = self.reg.builtins.get(name)
        if handlers:
            got = self._apply(handlers, site, node, env)
            if got is not None:
                return got
        if name in NUMERIC_BUILTINS:
            if name in ("max", "min", "sum", "abs", "round") or name == "float":
                return self._numeric(name, site)
            if name in ("int", "float") and site.args:
                return Val(consts=_convert(site.args[0].consts, name))
            return CLEAN
        if name == "float" and site.args:
            return self.reduce(site.args[0])
        if name in ("zip",):
            return Val(limit(set().union(*(flat(a) for a in site.args)) if site.args else EMPTY),
                       None, None, None,
                       Val(elems=tuple(self.iterate(a) for a in site.args)) if 0 < len(site.args) <= 6
                       else None)
        if name == "enumerate" and site.args:
            it = self.iterate(site.args[0])
            return Val(site.args[0].labels, None, None, None, Val(elems=(CLEAN, it)))
        if name in ("next",) and site.args:
            return self.iterate(site.args[0])
        if name in ("list", "tuple", "sorted", "reversed", "iter", "set", "frozenset") and site.args:
            a = site.args[0]
            return Val(flat(a) if a.item is None else a.labels, None, None, None,
                       a.item if a.item is not None else (self.iterate(a) if a.labels else None))
        if name in PASS_BUILTINS:
            if name == "getattr" and len(site.args) >= 2:
                attr = site.args[1].text()
                if attr is not None:
                    return self.attr(site.args[0], attr, node.args[0], env)
            if name == "str" and site.args and site.args[0].consts:
                return Val(flat(site.args[0]), tuple(Const(str(c.value), c.kind, c.origin, c.line)
                                                     for c in site.args[0].consts))
            return site.content()
        return CLEAN

    def _numeric(self, name: str, site: CallSite) -> Val:
        if name == "float" and site.args:
            v = self.reduce(site.args[0])
            return Val(v.labels, _convert(site.args[0].consts, "float"))
        if name in ("max", "min") and site.args:
            if len(site.args) == 1:
                return self.reduce(site.args[0])
            return self.reduce(Val(limit(set().union(*(flat(a) for a in site.args)))))
        if name == "round":
            return CLEAN  # rounding decides per kind (a model's "round" builtin handler)
        return CLEAN

    def _call_value(self, fv: Val, node: ast.Call, env: Env, d: int, recv: Val | None) -> Val:
        o = fv.obj
        if o is not None:
            t = o.type
            if t == "func":
                info = self._fn_by_qual.get(o.get("q"))
                if info is not None:
                    return self._call_summary(info, node, env, d, skip_self=False)
            elif t == "class":
                info = self._cls_by_qual.get(o.get("q"))
                if info is not None:
                    return self._instantiate(info, node, env, d)
            elif t == "ref":
                return self._call_ref(o.get("q"), node, env, d)
            elif t == "ext":
                return self._call_ext(fv, node, env, d, method=None)
            else:
                # calling a typed object: llm(prompt), pipe(text), tokenizer(text)
                site = self._callsite(node, env, fv, fv, d)
                got = self._dispatch_method(o, "__call__", site, node, env)
                if got is not None:
                    return got
                return CLEAN
        # calling the result of a call: pipeline("x")(text), nn.Softmax(dim=1)(x)
        if isinstance(node.func, ast.Call):
            site = self._callsite(node, env, fv, fv, d)
            got = self._any_method("__call__", fv, site, node, env)
            if got is not None:
                return got
        site = self._callsite(node, env, None, fv, d)  # the arguments' calls may be sinks
        if isinstance(node.func, ast.Name) and not fv.labels:
            # a parameter or local of unknown type: what its name says (tok(prompt))
            name = node.func.id
            call = CallSite(None, name, "__call__", None, name, site.args, site.kwargs,
                            site.star_args, site.star_kwargs, self.module, site.line, site.func)
            for pat, h in self.reg.receivers:
                if pat.search(name):
                    got = self._apply([h], call, node, env)
                    if got is not None:
                        return got
        return CLEAN

    def _call_ref(self, q: str, node: ast.Call, env: Env, d: int) -> Val:
        site = self._callsite(node, env, None, None, d)
        site.q = q
        handlers = list(self.reg.calls.get(q, ()))
        handlers.extend(self.reg.prefix_handlers(q))
        if handlers:
            # several models may say what one call is (face_encodings returns an embedding and
            # identifies a face): every one's sinks and facts count, the first value is the value
            got = self._apply(handlers, site, node, env, every=True)
            if got is not None:
                return got
        if not self._rooted(q):
            # maybe a function or class of another module of the project
            return self._ext_call("import:" + q, site, node, env)
        last = q.rsplit(".", 1)[-1]
        if last[:1].isupper() and not last.isupper():
            # a library class we know nothing of: its instance holds what it was given
            return site.content()
        return CLEAN

    def _ext_call(self, ref: str, site: CallSite, node: ast.Call, env: Env,
                  method: str | None = None, path: tuple = ()) -> Val:
        """A call of something defined in another module: recorded for linking; its result is
        symbolic."""
        self._site += 1
        sid = f"call:{self._site}"
        pos = self._pos(node)
        self.ext_calls.append({
            "id": sid, "ref": ref, "path": list(path), "method": method,
            "args": [trim(a) for a in site.args[:12]],
            "kwargs": {k: trim(v) for k, v in list(site.kwargs.items())[:16]},
            "recv_name": site.recv_name, "name": site.name, "dotted": site.dotted,
            "pos": pos, "context": self.context(getattr(node, "lineno", 0)), "func": site.func,
            "line": getattr(node, "lineno", 0),
        })
        return Val(frozenset({Label(EXT, sid)}), None, Obj("ext", (("ref", sid),)))

    def _call_ext(self, fv: Val, node: ast.Call, env: Env, d: int, method: str | None) -> Val:
        site = self._callsite(node, env, None, None, d)
        o = fv.obj
        return self._ext_call(o.get("ref"), site, node, env, method, o.path)

    def _apply(self, handlers, site: CallSite, node: ast.AST, env: Env,
               every: bool = False) -> Val | None:
        value = None
        for h in handlers:
            got = h(site)
            if got is None:
                continue
            if every:
                if isinstance(got, Outcome):
                    self._effects(got, node, env)
                    got = got.ret if got.ret is not None else CLEAN
                if value is None:
                    value = got
                continue
            if isinstance(got, Outcome):
                for use in got.uses:
                    self.emit(use, node, env)
                for kind, data in got.facts:
                    self.fact(kind, node, data)
                if got.mutate is not None and isinstance(node, ast.Call) and \
                        isinstance(node.func, ast.Attribute):
                    self._mutate(node.func.value, got.mutate, env)
                for fn_val, role in got.roles:
                    self._set_role(fn_val, role)
                return got.ret if got.ret is not None else CLEAN
            return got
        return value

    def _effects(self, got: Outcome, node: ast.AST, env: Env) -> None:
        for use in got.uses:
            self.emit(use, node, env)
        for kind, data in got.facts:
            self.fact(kind, node, data)
        if got.mutate is not None and isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            self._mutate(node.func.value, got.mutate, env)
        for fn_val, role in got.roles:
            self._set_role(fn_val, role)

    def _call_method(self, recv: Val, name: str, node: ast.Call, env: Env, d: int) -> Val:
        o = recv.obj
        if o is not None:
            t = o.type
            if t == "ref":
                return self._call_ref(f"{o.get('q')}.{name}", node, env, d)
            if t == "ext":
                return self._call_ext(Val(recv.labels, None, o.with_path(name)), node, env, d,
                                      method=name)
            if t == "inst":
                info = self._cls_by_qual.get(o.get("q"))
                m = self._method(info, name) if info is not None else None
                if m is not None:
                    return self._call_summary(m, node, env, d, skip_self=True)
                if info is not None:
                    field = self._inst_attr(o, name, node.func)
                    if field.obj is not None and field.obj.type not in ("inst", "func"):
                        return self._call_value(field, node, env, d, recv=None)
                # a method of a library base class, or an attribute holding an object of
                # unknown type (self.tokenizer(prompt)): what its name says
                site = self._callsite(node, env, recv, None, d)
                got = self._base_method(info, name, site, node, env)
                if got is not None:
                    return got
                call = CallSite(site.q, site.dotted, "__call__", None, name, site.args,
                                site.kwargs, site.star_args, site.star_kwargs, self.module,
                                site.line, site.func)
                for pat, h in self.reg.receivers:
                    if pat.search(name):
                        got = self._apply([h], call, node, env)
                        if got is not None:
                            return got
                return self._generic_method(recv, name, site, node, env)
            if t == "class":
                info = self._cls_by_qual.get(o.get("q"))
                m = self._method(info, name) if info is not None else None
                if m is not None:
                    return self._call_summary(m, node, env, d, skip_self=_is_classmethod(m.node))
                site = self._callsite(node, env, recv, None, d)
                return self._generic_method(recv, name, site, node, env)
            if t == "func":
                site = self._callsite(node, env, recv, None, d)
                return CLEAN
            site = self._callsite(node, env, recv, None, d)
            got = self._dispatch_method(o, name, site, node, env)
            if got is not None:
                return got
            return self._generic_method(recv, name, site, node, env)
        site = self._callsite(node, env, recv, None, d)
        # a receiver of unknown type: name heuristics of the models (logger.info, tokenizer.decode)
        rname = site.recv_name
        if rname is not None and rname not in ("self", "cls"):
            for pat, h in self.reg.receivers:
                if pat.search(rname):
                    got = self._apply([h], site, node, env)
                    if got is not None:
                        return got
        return self._generic_method(recv, name, site, node, env)

    def _base_method(self, info: ClassInfo | None, name: str, site: CallSite, node, env) -> Val | None:
        """``self.log(...)`` in a class of a library base (``LightningModule.log``): the method
        of the base's model."""
        if info is None:
            return None
        for b in info.bases:
            handlers = self.reg.calls.get(f"{b}.{name}")
            if handlers:
                got = self._apply(handlers, site, node, env)
                if got is not None:
                    return got
        return None

    def _dispatch_method(self, o: Obj, name: str, site: CallSite, node, env) -> Val | None:
        table = self.reg.methods.get(o.type)
        if not table:
            return None
        tail = ".".join((*o.path, name)) if o.path else name
        handlers = table.get(tail)
        if handlers is None and o.path:
            handlers = table.get(name)
        if handlers is None:
            handlers = table.get("*")
        if handlers is None:
            return None
        r = site.recv
        site.recv = Val(r.labels, r.consts, o, r.elems, r.item, r.keys) if r is not None else Val(obj=o)
        site.name = name
        return self._apply(handlers, site, node, env)

    def _any_method(self, name: str, recv: Val, site: CallSite, node, env) -> Val | None:
        hs = self.reg.any_methods.get(name)
        if hs:
            return self._apply(hs, site, node, env)
        return None

    def _generic_method(self, recv: Val, name: str, site: CallSite, node, env) -> Val:
        got = self._any_method(name, recv, site, node, env)
        if got is not None:
            return got
        base_node = node.func.value if isinstance(node, ast.Call) and isinstance(
            node.func, ast.Attribute) else None
        if name in MUTATORS and (site.args or site.kwargs) and base_node is not None:
            add = site.content()  # x.append(v): x holds v now (what the call returns: nothing)
            if add.labels:
                self._mutate(base_node, Val(self._collected(add.labels)), env)
        return self.value_method(recv, name, site, base_node, env)

    def value_method(self, recv: Val, name: str, site: CallSite, base_node: ast.AST | None = None,
                     env: Env | None = None) -> Val:
        """What a method no model knows returns, called on a value of no known type (a str, a
        list, a dict, what another module returned): string methods keep the text's labels,
        measures and reducers give scalars, ``get``/``pop`` read a key. The linker calls it for
        a value it resolved from another module, so the same call means the same there."""
        if name in MUTATORS and (site.args or site.kwargs):
            return CLEAN
        if not recv.labels and recv.item is None and recv.keys is None:
            if name == "format" and recv.text() is not None and self._scaling:
                specs = [m.group(1) or "" for m in _BRACE_SPEC.finditer(recv.text())]
                labels = set()
                for i, a in enumerate(site.args):
                    spec = specs[i] if i < len(specs) else ""
                    labels |= self._formatted(flat(a), spec,
                                              site.scaled[i] if i < len(site.scaled) else 0)
                for a in site.kwargs.values():
                    labels |= flat(a)
                return Val(limit(labels))
            if name in ("format", "format_map", "join"):
                merged = site.content()
                consts = None
                if name == "join" and recv.text() is not None and site.args:
                    a = site.args[0]
                    if a.elems is not None and all(e.text() is not None for e in a.elems):
                        consts = (Const(recv.text().join(e.text() for e in a.elems)),)
                return Val(merged.labels, consts)
            if name in STRING_METHODS and recv.consts:
                return Val(consts=None)
            return CLEAN
        if name in MEASURE_METHODS:
            return CLEAN
        if name in REDUCERS:
            return self.reduce(recv)
        if name in ("get", "pop") and site.args:
            key = site.args[0].text()
            return self.key(recv, key if key is not None else _UNKNOWN, base_node, env)
        if name in ("items",):
            item = None
            if recv.keys is not None:
                item = Val(elems=(CLEAN, join(*(v for _, v in recv.keys))))
            elif recv.labels:
                item = Val(elems=(CLEAN, Val(self._trans_method(recv.labels, "values"))))
            return Val(self._trans_method(recv.labels, name), None, None, None, item)
        if name == "values" and recv.keys is not None:
            vals = [v for _, v in recv.keys]
            return Val(limit(set().union(*(flat(v) for v in vals))) if vals else EMPTY, None, None,
                       None, join(*vals) if vals else None)
        labels = self._trans_method(flat(recv) if recv.elems is not None else recv.labels, name)
        if name in ("format", "format_map", "join", "replace"):
            labels = limit(labels | site.content().labels)
        item = recv.item if name in STRING_METHODS else None
        return Val(labels, None, None, None, item) if labels or item is not None else CLEAN

    def _instantiate(self, info: ClassInfo, node: ast.Call, env: Env, d: int) -> Val:
        init = self._method(info, "__init__")
        held = EMPTY
        keys = None
        if init is not None:
            site = self._callsite(node, env, None, None, d)
            self._call_summary(init, node, env, d, skip_self=True, site=site)
            given = init_fields(init.node)
            if given:  # self.text = text: the instance holds the argument under that field
                bound = self._bind(init, site, True)
                keys = tuple((attr, bound[i]) for attr, i in given if i in bound) or None
        else:
            site = self._callsite(node, env, None, None, d)
            held = site.content().labels  # a record holds what it was given
            if site.kwargs and "**" not in site.kwargs:
                keys = tuple((k, v) for k, v in site.kwargs.items())
            if site.args:  # positional fields: their names are the record's, in order
                names = [n for n, _ in info.record or ()]
                if len(site.args) <= len(names):
                    keys = tuple(zip(names, site.args)) + (keys or ())
                else:
                    keys = None
        inst = Val(held, None, Obj("inst", (("q", info.qual),)), None, None, keys)
        site = None
        for b in info.bases:
            handlers = self.reg.calls.get(b)
            if handlers:
                site = site or self._callsite(node, env, None, None, d)
                got = self._apply(handlers, site, node, env)
                if got is not None and got.obj is not None:
                    return Val(got.labels, None, Obj("inst", (("q", info.qual), ("base", got.obj.type))))
        return inst

    def _call_summary(self, info: FuncInfo, node: ast.Call, env: Env, d: int, skip_self: bool,
                      site: CallSite | None = None) -> Val:
        if site is None:
            site = self._callsite(node, env, None, None, d)
        s = self.summary_of(info)
        if s is None:
            return CLEAN
        return self.substitute_call(info, self._bind(info, site, skip_self), node, env)

    @staticmethod
    def _bind(info: FuncInfo, site: CallSite, skip_self: bool) -> dict[int, Val]:
        """The call's arguments by the index of the parameter they are bound to."""
        a = info.node.args
        every = [p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs)]
        start = 1 if skip_self and every and every[0] in ("self", "cls") else 0
        bound: dict[int, Val] = {}
        for i, v in enumerate(site.args):
            if start + i < len(every):
                bound[start + i] = v
        index = {n: i for i, n in enumerate(every)}
        for k, v in site.kwargs.items():
            if k in index:
                bound[index[k]] = v
        return bound

    def substitute_call(self, info: FuncInfo, bound: dict[int, Val], node: ast.AST, env: Env) -> Val:
        """Apply ``info``'s summary at a call: its parameter events become events here (with
        what the caller passes), its return value the call's value."""
        if bound:
            for ev in list(info.events):
                value = self._subst_val(ev.value, bound)
                args = {k: self._subst_val(v, bound) for k, v in ev.args.items()}
                # what the caller contributes: the labels its arguments bring
                value = Val(limit(flat(value) - {lb for lb in flat(ev.value) if lb.kind != PARAM}))
                if not value.labels and not any(flat(v) or v.consts for v in args.values()):
                    continue
                if all(lb.kind == PARAM for lb in value.labels) and args == ev.args:
                    if not any(lb.kind == PARAM for lb in value.labels):
                        continue
                call_pos = self._pos(node)
                via = ((info.name, call_pos.line), *ev.via)
                fenv = env.function_env()
                func = fenv.func if fenv is not None else None
                new = Event(ev.sink, ev.info, value, args, ev.pos, ev.context,
                            func.qual if func else "", via, call_pos,
                            self.context(getattr(node, "lineno", 0)), ev.home)
                key = new.key()
                if key in self._seen_events:
                    continue
                self._seen_events.add(key)
                if func is not None and any(lb.kind == PARAM for lb in flat(value)) \
                        and len(func.events) < MAX_EVENTS_PER_FUNC:
                    func.events.append(new)
                self.events.append(new)
        return self._subst_val(info.ret, bound)

    def _subst_val(self, v: Val, bound: dict[int, Val]) -> Val:
        labels = v.labels
        if not any(lb.kind == PARAM for lb in labels) and v.elems is None and v.item is None \
                and v.keys is None:
            return v
        out = set()
        extra_obj = None
        for lb in labels:
            if lb.kind != PARAM:
                out.add(lb)
                continue
            arg = bound.get(int(lb.tag))
            if arg is None:
                continue
            got = self.replay(arg, lb.data[1:] if len(lb.data) > 1 else ())
            out |= flat(got)
            if got.obj is not None and extra_obj is None:
                extra_obj = got.obj
        return Val(limit(out), v.consts, v.obj or extra_obj,
                   tuple(self._subst_val(e, bound) for e in v.elems) if v.elems is not None else None,
                   self._subst_val(v.item, bound) if v.item is not None else None,
                   tuple((k, self._subst_val(x, bound)) for k, x in v.keys) if v.keys is not None
                   else None)

    def replay(self, v: Val, path: tuple) -> Val:
        """Apply the reads recorded on a symbolic label to the value it stands for."""
        for step in path:
            if not isinstance(step, tuple) or len(step) != 2:
                continue
            op, arg = step
            if op == "a":
                v = self.attr(v, arg, None, None, reads=False)
            elif op == "k":
                v = self.key(v, arg if arg is not None else _UNKNOWN, None, None, reads=False)
            elif op == "m":
                v = Val(self._trans_method(flat(v), arg))
            elif op == "i":
                v = self.iterate(v)
            elif op == "r":
                v = self.reduce(v)
        return v

    # ------------------------------------------------------------------ summary
    def _summary(self) -> ModuleSummary:
        exports = {}
        for name, v in self.module_env.vars.items():
            if v.obj is not None or v.labels or v.consts:
                exports[name] = trim(v)
        funcs = {}
        for info in self.funcs:
            if info.state != "done":
                continue
            params = info.params
            funcs[info.qual] = FuncSummary(
                info.qual, params, trim(info.ret),
                [e for e in info.events], info.role, info.entry,
                info.cls.qual if info.cls else "", info.line)
        classes = {}
        for c in self.classes:
            init = c.methods.get("__init__")
            given = init_fields(init.node) if init is not None else ()
            classes[c.qual] = {"bases": c.bases, "methods": {k: m.qual for k, m in c.methods.items()},
                               "fields": {k: trim(v) for k, v in c.fields.items()
                                          if v.obj is not None or v.labels},
                               "given": [list(g) for g in given]}
        return ModuleSummary(self.module.rel, self.events, funcs, exports, classes,
                             self.ext_calls, self.facts, sorted(self.aliases.items()),
                             sorted(self.relative.items()))


_UNKNOWN = object()
_NO = object()


def init_fields(fn: ast.AST) -> tuple[tuple[str, int], ...]:
    """The fields an ``__init__`` stores its parameters under as they are (``self.text = text``,
    at the top of its body): (field, index of the parameter), so an instance holds what it
    was given, as a record does."""
    if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return ()
    a = fn.args
    index = {p.arg: i for i, p in enumerate((*a.posonlyargs, *a.args, *a.kwonlyargs))}
    out = []
    for st in fn.body:
        if isinstance(st, ast.Assign) and len(st.targets) == 1:
            target, value = st.targets[0], st.value
        elif isinstance(st, ast.AnnAssign) and st.value is not None:
            target, value = st.target, st.value
        else:
            continue
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) \
                and target.value.id == "self" and isinstance(value, ast.Name) \
                and value.id in index and index[value.id] > 0:
            out.append((target.attr, index[value.id]))
    return tuple(out)
# calls that call their function argument (at this position) with the arguments after it
_EXECUTORS = {"run_in_executor": 1, "to_thread": 0, "run_in_threadpool": 0, "run_sync": 0,
              "submit": 0}
# builtins that name a type (argparse's type=float): a value of their own
_BUILTIN_OBJ = {n: Obj("builtin", (("name", n),)) for n in ("float", "int", "str", "bool")}
_CONVERTERS = {n: Val(obj=o) for n, o in _BUILTIN_OBJ.items()}
_RECORD_BASES = {"BaseModel", "TypedDict", "NamedTuple", "SQLModel", "Schema", "Document", "Model"}
_CONFIG_CLASS_RE = re.compile(r"(Config|Configuration|Args|Arguments|Settings|Options|Params|"
                                   r"Parameters|Hparams|Env|Environment)$")


NUMBER_TYPES = {"int", "float", "bool", "complex"}


def _returns_number(node: ast.AST) -> bool:
    """A function annotated to return a number (``-> int``, ``-> float``)."""
    r = getattr(node, "returns", None)
    if isinstance(r, ast.Constant) and isinstance(r.value, str):
        return r.value in NUMBER_TYPES
    return isinstance(r, ast.Name) and r.id in NUMBER_TYPES


def reduce_labels(reg: Registry, labels) -> frozenset:
    """The labels of a scalar taken from a value with ``labels`` (each kind's ``reduce``)."""
    out = set()
    for lb in labels:
        if lb.kind == PARAM or lb.kind == EXT:
            out.add(_extend(lb, ("r", "")))
            continue
        k = reg.kinds.get(lb.kind)
        if k is None or k.reduce is None:
            out.add(lb)
        else:
            out.update(k.reduce(lb))
    return limit(out)


def _room(path: tuple) -> tuple | None:
    """``path`` with room for one more step: as it is, or without its layout steps (a tensor
    moved or reshaped holds the same content, and a later narrowing step such as ``.item()``
    matters more than them); None when it is full of steps that matter (the label is then kept
    as it is: a read past the bound is not followed)."""
    if len(path) < MAX_PATH:
        return path
    kept = tuple(s for s in path if not (isinstance(s, tuple) and len(s) == 2 and s[0] == "m"
                                         and s[1] in LAYOUT_METHODS))
    return kept if len(kept) < MAX_PATH else None


def _extend(lb: Label, step: tuple) -> Label:
    data = lb.data
    if lb.kind == PARAM:
        name = data[0] if data else ""
        path = _room(data[1:] if len(data) > 1 else ())
        if path is None:
            return lb
        return Label(PARAM, lb.tag, lb.origin, lb.line, (name, *path, step))
    path = _room(data)
    if path is None:
        return lb
    return Label(lb.kind, lb.tag, lb.origin, lb.line, (*path, step))


class _SelfCalls:
    """The names of the methods a class calls on itself, walked for on the first question
    (few role hooks ask, and most classes are never asked about)."""

    __slots__ = ("node", "names")

    def __init__(self, node: ast.ClassDef) -> None:
        self.node = node
        self.names: set[str] | None = None

    def __contains__(self, name: object) -> bool:
        if self.names is None:
            self.names = _self_calls(self.node)
        return name in self.names


def _self_calls(node: ast.ClassDef) -> set[str]:
    """Names of the methods a class calls on itself (``self.preprocess(x)``)."""
    out = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and \
                isinstance(n.func.value, ast.Name) and n.func.value.id == "self":
            out.add(n.func.attr)
    return out


def _same_env(a: dict, b: dict) -> bool:
    if a.keys() != b.keys():
        return False
    return all(a[k] == b[k] for k in a)


def _is_static(node) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in
               getattr(node, "decorator_list", ()))


def _is_classmethod(node) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "classmethod" for d in
               getattr(node, "decorator_list", ()))


def _annotation_name(ann: ast.AST | None) -> str | None:
    """``Customer``, ``Optional[Customer]``, ``list[Customer]``, ``"Customer"`` -> ``Customer``."""
    if ann is None:
        return None
    if isinstance(ann, ast.Name):
        return ann.id
    if isinstance(ann, ast.Attribute):
        return ann.attr
    if isinstance(ann, ast.Subscript):
        inner = ann.slice
        if isinstance(inner, ast.Tuple) and inner.elts:
            inner = inner.elts[0]
        return _annotation_name(inner)
    if isinstance(ann, ast.BinOp):
        return _annotation_name(ann.left)
    if isinstance(ann, ast.Constant) and isinstance(ann.value, str) and ann.value.isidentifier():
        return ann.value
    return None


def _arith(op: ast.operator, a: Any, b: Any) -> Any:
    num = (int, float)
    if isinstance(a, bool) or isinstance(b, bool):
        return _NO
    try:
        if isinstance(op, ast.Add):
            if isinstance(a, str) and isinstance(b, str):
                return a + b if len(a) + len(b) < 4096 else _NO
            if isinstance(a, num) and isinstance(b, num):
                return a + b
        if not (isinstance(a, num) and isinstance(b, num)):
            return _NO
        if isinstance(op, ast.Sub):
            return a - b
        if isinstance(op, ast.Mult):
            return a * b
        if isinstance(op, ast.Div):
            return a / b
        if isinstance(op, ast.FloorDiv):
            return a // b
        if isinstance(op, ast.Pow):
            if abs(b) > 64:
                return _NO
            return float(a) ** b
    except (ArithmeticError, ValueError, OverflowError):
        return _NO
    return _NO


def _convert(consts: tuple | None, to: str) -> tuple | None:
    if not consts:
        return None
    out = []
    for c in consts:
        try:
            out.append(Const(float(c.value) if to == "float" else int(c.value), c.kind, c.origin,
                             c.line))
        except (TypeError, ValueError, OverflowError):
            return None
    return tuple(out)


_PCT_SPEC = re.compile(r"%[-+ #0]*\d*((?:\.\d+)?)([diouxXeEfFgGcrsa])")
_BRACE_SPEC = re.compile(r"\{[^{}]*?(?::([^{}]*))?\}")


def _scaled(expr: ast.AST | None) -> int:
    """Decimals a scaling moves before the point: ``p * 100`` -> 2, ``100 * p`` -> 2."""
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mult):
        best = max(_scaled(expr.left), _scaled(expr.right))
        for side in (expr.left, expr.right):
            if isinstance(side, ast.Constant) and isinstance(side.value, (int, float)) \
                    and not isinstance(side.value, bool) and side.value >= 10:
                best = max(best, len(str(int(side.value))) - 1)
        return best
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.args:
        return _scaled(expr.args[0])
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
        return _scaled(expr.func.value)
    if isinstance(expr, ast.Attribute):
        return _scaled(expr.value)
    return 0


_STMT = {
    ast.Expr: Analysis._s_expr, ast.Assign: Analysis._s_assign, ast.AnnAssign: Analysis._s_annassign,
    ast.AugAssign: Analysis._s_augassign, ast.Return: Analysis._s_return, ast.If: Analysis._s_if,
    ast.For: Analysis._s_for, ast.AsyncFor: Analysis._s_for, ast.While: Analysis._s_while,
    ast.With: Analysis._s_with, ast.AsyncWith: Analysis._s_with, ast.Try: Analysis._s_try,
    ast.FunctionDef: Analysis._s_funcdef, ast.AsyncFunctionDef: Analysis._s_funcdef,
    ast.ClassDef: Analysis._s_classdef, ast.Import: Analysis._s_import,
    ast.ImportFrom: Analysis._s_import, ast.Global: Analysis._s_global,
    ast.Nonlocal: Analysis._s_global, ast.Raise: Analysis._s_raise, ast.Assert: Analysis._s_assert,
    ast.Delete: Analysis._s_delete,
}
if hasattr(ast, "TryStar"):
    _STMT[ast.TryStar] = Analysis._s_try
if hasattr(ast, "Match"):
    _STMT[ast.Match] = Analysis._s_match

_EXPR = {
    ast.Constant: Analysis._e_const, ast.Name: Analysis._e_name,
    ast.Attribute: Analysis._e_attribute, ast.Subscript: Analysis._e_subscript,
    ast.Call: Analysis._e_call, ast.BinOp: Analysis._e_binop, ast.UnaryOp: Analysis._e_unary,
    ast.BoolOp: Analysis._e_boolop, ast.Compare: Analysis._e_compare, ast.IfExp: Analysis._e_ifexp,
    ast.JoinedStr: Analysis._e_joined, ast.List: Analysis._e_seq, ast.Tuple: Analysis._e_seq,
    ast.Set: Analysis._e_seq, ast.Dict: Analysis._e_dict, ast.ListComp: Analysis._e_comp,
    ast.SetComp: Analysis._e_comp, ast.GeneratorExp: Analysis._e_comp,
    ast.DictComp: Analysis._e_comp, ast.Await: Analysis._e_await, ast.Yield: Analysis._e_yield,
    ast.YieldFrom: Analysis._e_yield, ast.NamedExpr: Analysis._e_named,
    ast.Starred: Analysis._e_starred, ast.Lambda: Analysis._e_lambda, ast.Slice: Analysis._e_slice,
}
