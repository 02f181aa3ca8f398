"""A small taint interpreter over one module, for AIP302 (personal data to third-party APIs).

The module is private (leading underscore): it holds no rule. :class:`Interp` walks a module's
statements in source order, keeps an environment of abstract values per scope, and calls hooks
(overridden by the rule) for what is domain knowledge: which calls build API clients, which send
data, which field names are personal, which calls pseudonymise.

An abstract value (:class:`Val`) has

* ``taint``: where the value's content came from: :class:`Source` (a personal field read, a
  request parameter, a file read) or :class:`Param` (a parameter of the function being
  summarised, substituted at its call sites);
* ``obj``: an object the rule knows (an API client, a LangChain chat model or chain, an HTTP
  session, an anonymiser, a file path) and ``path``, the attributes taken from it so far
  (``client.chat.completions`` -> ``("chat", "completions")``);
* ``rec``: an instance of a record class of the file (pydantic model, dataclass, TypedDict) with
  personal fields: reading a field gives that field's source; using the whole object gives all;
* ``inst``: an instance of a class of the file, for method calls; ``text``: a constant string.

Propagation: assignments (strong update, in order; ``x += ...`` and ``x[k] = ...`` add),
attribute and subscript reads, f-strings, ``%``, ``+``, ``.format``/``.join``, containers and
comprehensions, string methods on tainted values, mutators (``messages.append(...)``) and the
calls the rule declares pass-through. An unknown call does not propagate (precision first).

Functions and methods of the module are summarised once each (lazily at their first call, the
rest at the end): what the return value holds (sources and parameters) and which parameters
reach an API call inside (directly or through further calls). A call site substitutes its
arguments: a helper that returns an f-string with ``customer["email"]`` taints its caller's
variable, and personal data passed to a helper that sends its parameter is reported where it is
passed. Loop bodies run twice so that values appended in one iteration reach a call at the top.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._lazy import cst

MAX_TAINT = 12  # labels kept per value
MAX_DEPTH = 80  # expression nesting


@dataclass(frozen=True)
class Source:
    """Personal data read somewhere: ``kind`` is field | request | record | file."""

    kind: str
    field: str  # the personal field ('' for a whole file)
    category: str = ""
    reason: str = ""
    origin: str = ""  # how it was read, as code or words; never a value
    node: Any = field(default=None, compare=False, hash=False, repr=False)
    special: bool = False
    path: str = ""  # kind == "file": the path as written
    dropped: tuple[str, ...] = ()  # kind == "file": columns the code removed (df.drop(columns=...))
    nested: bool = False  # kind == "file": inside a container literal ({"train": df}["train"])


@dataclass(frozen=True)
class Param:
    index: int
    name: str
    key: str = ""  # the field read from it (``row["notes"]``), applied to the argument


@dataclass(frozen=True)
class Obj:
    kind: str  # client | llm | http | anonymizer | scrubber | template | path | local
    provider: str = ""
    label: str = ""
    base: str = ""  # http: base URL; path: the path literal


@dataclass(frozen=True)
class Record:
    name: str
    fields: tuple  # ((field name, FieldClass | Record), ...): the personal or nested fields


@dataclass(frozen=True)
class Val:
    taint: frozenset = frozenset()
    obj: Obj | None = None
    path: tuple[str, ...] = ()
    rec: tuple | None = None  # (Record, origin text, node)
    inst: Any = field(default=None, compare=False, hash=False)  # ClassInfo
    text: str | None = None


CLEAN = Val()


@dataclass(frozen=True)
class SinkRef:
    """An API call that some parameter reaches: the call, and the helpers on the way."""

    info: Any  # the rule's SinkInfo
    node: Any = field(compare=False, hash=False)
    via: tuple[str, ...] = ()
    key: int = 0  # id of node, for equality


@dataclass
class Frame:
    returns: list = field(default_factory=list)
    psinks: dict = field(default_factory=dict)  # Param -> set[SinkRef]


@dataclass
class ClassInfo:
    name: str
    node: cst.ClassDef
    env: "Env"
    bases: list[str] = field(default_factory=list)
    methods: dict = field(default_factory=dict)  # name -> FuncInfo
    field_exprs: dict = field(default_factory=dict)  # self.X -> [expr]
    fields: dict = field(default_factory=dict)  # X -> Val
    record: Record | None = None


@dataclass
class FuncInfo:
    name: str
    node: cst.FunctionDef
    env: "Env"
    cls: ClassInfo | None = None
    state: str = "todo"  # todo | running | done
    ret: Val = CLEAN
    psinks: dict = field(default_factory=dict)


class Env:
    def __init__(self, parent: "Env | None", frame: Frame | None = None,
                 cls: ClassInfo | None = None, func: FuncInfo | None = None) -> None:
        self.parent = parent
        self.vars: dict[str, Val] = {}
        self.funcs: dict[str, FuncInfo] = {}
        self.classes: dict[str, ClassInfo] = {}
        self.frame = frame
        self.cls = cls
        self.func = func

    def lookup(self, name: str) -> Val | None:
        env: Env | None = self
        while env is not None:
            if name in env.vars:
                return env.vars[name]
            env = env.parent
        return None

    def lookup_func(self, name: str) -> FuncInfo | None:
        env: Env | None = self
        while env is not None:
            if name in env.funcs and name not in env.vars:
                return env.funcs[name]
            env = env.parent
        return None

    def lookup_class(self, name: str) -> ClassInfo | None:
        env: Env | None = self
        while env is not None:
            if name in env.classes:
                return env.classes[name]
            env = env.parent
        return None

    def function_env(self) -> "Env | None":
        env: Env | None = self
        while env is not None:
            if env.frame is not None:
                return env
            env = env.parent
        return None


def limit(labels) -> frozenset:
    labels = frozenset(labels)
    if len(labels) <= MAX_TAINT:
        return labels
    srcs = sorted((x for x in labels if isinstance(x, Source)), key=lambda s: (not s.special, s.kind != "field", s.field))
    params = [x for x in labels if isinstance(x, Param)]
    return frozenset(srcs[:MAX_TAINT] + params)


def stmts_of(block: cst.CSTNode) -> list:
    """The statements of a block, an ``else:``/``finally:`` clause or a compound statement."""
    body = getattr(block, "body", ())
    if not isinstance(body, (list, tuple)):
        body = getattr(body, "body", ())
    return list(body) if isinstance(body, (list, tuple)) else []


def subscript_key(node: cst.Subscript) -> str | None:
    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        value = node.slice[0].slice.value
        if type(value) is cst.SimpleString:
            try:
                key = value.evaluated_value
            except Exception:  # noqa: BLE001
                return None
            return key if isinstance(key, str) else None
    return None


def str_literal(node: cst.CSTNode) -> str | None:
    if type(node) in (cst.SimpleString, cst.ConcatenatedString):
        try:
            value = node.evaluated_value
        except Exception:  # noqa: BLE001
            return None
        return value if isinstance(value, str) else None
    return None


class Interp:
    """The generic interpreter; the rule subclasses it and overrides the ``hook_*`` methods."""

    def __init__(self) -> None:
        self.module_env = Env(None)
        self.pending: list[FuncInfo] = []
        self.loop_depth = 0

    # --- hooks (overridden) -------------------------------------------------------------
    def hook_qualified_call(self, node: cst.Call, q: str, env: Env) -> Val | None:
        return None

    def hook_name_call(self, node: cst.Call, name: str, env: Env) -> Val | None:
        return None

    def hook_obj_call(self, node: cst.Call, recv: Val, meth: str, env: Env) -> Val | None:
        return None

    def hook_method_call(self, node: cst.Call, func: cst.Attribute, recv: Val, env: Env) -> Val | None:
        """A method on a receiver that is no known object: sanitisers by name, unknown clients."""
        return None

    def hook_attr_source(self, node: cst.Attribute, base: Val, env: Env) -> Source | None:
        return None

    def hook_key_source(self, node: cst.CSTNode, base_node: cst.CSTNode, key: str, env: Env) -> Source | None:
        return None

    def hook_param(self, func: FuncInfo, param: cst.Param, index: int, env: Env) -> Val | None:
        return None

    def hook_record(self, cls: ClassInfo) -> Record | None:
        return None

    def hook_attr(self, taint: frozenset, attr: str) -> frozenset:
        """An attribute of a tainted value (``df.values``, ``row.notes``, ``resp.text``)."""
        return taint

    def hook_contain(self, taint: frozenset) -> frozenset:
        """A value put into a list or dict literal."""
        return taint

    def hook_narrow(self, taint: frozenset, key: str) -> frozenset:
        """A field read from a value: keep (and narrow) its sources."""
        return taint

    # --- driver -------------------------------------------------------------------------
    def run(self, module: cst.Module) -> None:
        env = self.module_env
        self.declare_block(module.body, env)
        self.exec_block(module.body, env)
        while self.pending:
            info = self.pending.pop(0)
            if info.state == "todo":
                self.analyse(info)

    def declare_block(self, stmts, env: Env, cls: ClassInfo | None = None) -> None:
        """Register the functions and classes defined directly in ``stmts``."""
        for s in stmts:
            if type(s) is cst.FunctionDef:
                info = FuncInfo(s.name.value, s, env, cls)
                if cls is not None:
                    cls.methods[s.name.value] = info
                else:
                    env.funcs[s.name.value] = info
                self.pending.append(info)
            elif type(s) is cst.ClassDef and cls is None:
                self.declare_class(s, env)

    def declare_class(self, node: cst.ClassDef, env: Env) -> ClassInfo:
        info = ClassInfo(node.name.value, node, env,
                         bases=[b for b in (self.dotted(a.value) for a in node.bases) if b])
        env.classes[info.name] = info
        self.declare_block(stmts_of(node.body), env, cls=info)
        for m in info.methods.values():
            for n in _self_assigns(m.node):
                target, value = n
                info.field_exprs.setdefault(target, []).append(value)
        info.record = self.hook_record(info)
        return info

    def analyse(self, info: FuncInfo) -> None:
        info.state = "running"
        frame = Frame()
        env = Env(info.env, frame=frame, cls=info.cls, func=info)
        params = info.node.params
        every = [*params.posonly_params, *params.params, *params.kwonly_params]
        for i, p in enumerate(every):
            name = p.name.value
            if i == 0 and info.cls is not None and name in ("self", "cls") and not _is_static(info.node):
                env.vars[name] = Val(inst=info.cls)
                continue
            val = self.hook_param(info, p, i, env) or CLEAN
            env.vars[name] = Val(limit(val.taint | {Param(i, name)}), val.obj, val.path, val.rec,
                                 val.inst, val.text)
        for star in (params.star_arg, params.star_kwarg):
            if type(star) is cst.Param:
                env.vars[star.name.value] = CLEAN
        self.declare_block(stmts_of(info.node.body), env)
        self.exec_block(stmts_of(info.node.body), env)
        ret_taint: set = set()
        ret_obj = None
        ret_rec = None
        ret_inst = None
        for v in frame.returns:
            ret_taint |= self.flat(v)
            ret_obj = ret_obj or v.obj
            ret_rec = ret_rec or v.rec
            ret_inst = ret_inst or v.inst
        info.ret = Val(limit(ret_taint), ret_obj, (), ret_rec, ret_inst)
        info.psinks = frame.psinks
        info.state = "done"

    # --- statements ---------------------------------------------------------------------
    def exec_block(self, stmts, env: Env) -> None:
        for s in stmts:
            self.exec_stmt(s, env)

    def exec_stmt(self, s: cst.CSTNode, env: Env) -> None:
        if type(s) is cst.SimpleStatementLine:
            for small in s.body:
                self.exec_small(small, env)
        elif type(s) is cst.If:
            self.ev(s.test, env)
            self.exec_block(stmts_of(s.body), env)
            if s.orelse is not None:
                if type(s.orelse) is cst.If:
                    self.exec_stmt(s.orelse, env)
                else:
                    self.exec_block(stmts_of(s.orelse.body), env)
        elif type(s) is cst.For:
            self.loop(s, env, lambda: self.bind_iter(s.target, s.iter, env))
            if s.orelse is not None:
                self.exec_block(stmts_of(s.orelse.body), env)
        elif type(s) is cst.While:
            self.loop(s, env, lambda: self.ev(s.test, env))
        elif type(s) is cst.With:
            for item in s.items:
                v = self.ev(item.item, env)
                if item.asname is not None:
                    self.assign(item.asname.name, v, env)
            self.exec_block(stmts_of(s.body), env)
        elif type(s) in (cst.Try, cst.TryStar):
            self.exec_block(stmts_of(s.body), env)
            for h in s.handlers:
                self.exec_block(stmts_of(h.body), env)
            for part in (s.orelse, s.finalbody):
                if part is not None:
                    self.exec_block(stmts_of(part.body), env)
        elif type(s) is cst.FunctionDef:
            if s.name.value not in env.funcs:  # a def inside an if/try
                info = FuncInfo(s.name.value, s, env)
                env.funcs[s.name.value] = info
                self.pending.append(info)
            env.vars.pop(s.name.value, None)
        elif type(s) is cst.ClassDef:
            if s.name.value not in env.classes:
                self.declare_class(s, env)
        elif type(s) is cst.Match:
            self.ev(s.subject, env)
            for case in s.cases:
                self.exec_block(stmts_of(case.body), env)

    def loop(self, s: cst.CSTNode, env: Env, head) -> None:
        """A loop body runs once more when it changed what its variables hold (a value appended
        at the bottom reaches a call at the top); nested loops only at the outermost level."""
        head()
        before = {k: v.taint for k, v in env.vars.items()}
        self.loop_depth += 1
        try:
            self.exec_block(stmts_of(s.body), env)
            grew = any(k in env.vars and env.vars[k].taint - t for k, t in before.items())
            if grew and self.loop_depth == 1:
                head()
                self.exec_block(stmts_of(s.body), env)
        finally:
            self.loop_depth -= 1

    def exec_small(self, s: cst.CSTNode, env: Env) -> None:
        if type(s) is cst.Assign:
            v = self.ev(s.value, env)
            for t in s.targets:
                self.assign(t.target, v, env, s.value)
        elif type(s) is cst.AnnAssign:
            if s.value is not None:
                self.assign(s.target, self.ev(s.value, env), env, s.value)
        elif type(s) is cst.AugAssign:
            v = self.ev(s.value, env)
            old = self.ev(s.target, env)
            self.assign(s.target, Val(limit(self.flat(old) | self.flat(v)), old.obj, old.path,
                                      None, old.inst), env)
        elif type(s) is cst.Expr:
            self.ev(s.value, env)
        elif type(s) is cst.Return:
            if s.value is not None:
                v = self.ev(s.value, env)
                fenv = env.function_env()
                if fenv is not None:
                    fenv.frame.returns.append(v)

    def assign(self, target: cst.CSTNode, v: Val, env: Env, value: cst.CSTNode | None = None) -> None:
        if type(target) is cst.Name:
            env.vars[target.value] = v
        elif type(target) in (cst.Tuple, cst.List):
            elems = [e.value for e in target.elements]
            if type(value) in (cst.Tuple, cst.List) and len(value.elements) == len(elems) \
                    and not any(type(e) is cst.StarredElement for e in value.elements):
                for t, e in zip(elems, value.elements):
                    self.assign(t, self.ev(e.value, env), env, e.value)
                return
            for t in elems:
                self.assign(t.value if type(t) is cst.StarredElement else t,
                            Val(self.flat(v)), env)
        elif type(target) is cst.Attribute:
            dotted = self.dotted(target)
            if dotted is None:
                return
            env.vars[dotted] = v
            if dotted.startswith("self.") and dotted.count(".") == 1 and env.cls is not None:
                old = env.cls.fields.get(target.attr.value, CLEAN)
                env.cls.fields[target.attr.value] = Val(limit(old.taint | self.flat(v)),
                                                        old.obj or v.obj, old.path or v.path,
                                                        old.rec or v.rec, old.inst or v.inst)
        elif type(target) is cst.Subscript:
            self.weak(target.value, self.hook_contain(self.flat(v)), env)

    def weak(self, target: cst.CSTNode, taint: frozenset, env: Env) -> None:
        """Add ``taint`` to the variable behind ``target`` (``messages``, ``self.history``)."""
        if not taint:
            return
        while type(target) is cst.Subscript:
            target = target.value
        name = target.value if type(target) is cst.Name else self.dotted(target)
        if name is None:
            return
        old = self.ev(target, env)
        new = Val(limit(old.taint | taint), old.obj, old.path, old.rec, old.inst, old.text)
        if type(target) is cst.Attribute:
            self.assign(target, new, env)
        else:
            env.vars[name] = new

    def bind_iter(self, target: cst.CSTNode, it: cst.CSTNode, env: Env) -> None:
        v = self.ev(it, env)
        elem = Val(self.flat(v), inst=v.inst if type(it) in (cst.List, cst.Tuple) else None)
        self.assign(target, elem, env)

    # --- expressions --------------------------------------------------------------------
    def flat(self, v: Val) -> frozenset:
        """Everything a value's content can hold: its taint and, for a record, its fields."""
        if v.rec is None:
            return v.taint
        return limit(v.taint | self.record_sources(v.rec))

    def record_sources(self, rec: tuple) -> frozenset:
        return frozenset()

    def merge(self, nodes, env: Env, d: int = 0) -> Val:
        taint: set = set()
        texts: list[str] = []
        for n in nodes:
            v = self.ev(n, env, d)
            taint |= self.flat(v)
            texts.append(v.text or "")
        return Val(limit(taint), text="".join(texts) if any(texts) else None)

    def ev(self, node: cst.CSTNode, env: Env, depth: int = 0) -> Val:
        if depth > MAX_DEPTH:
            return CLEAN
        d = depth + 1
        if type(node) is cst.SimpleString:
            return Val(text=str_literal(node))
        if type(node) is cst.ConcatenatedString:  # "a" f"{b}": parts may be f-strings
            return self.merge([node.left, node.right], env, d)
        if type(node) is cst.Name:
            v = env.lookup(node.value)
            if v is not None:
                return v
            return CLEAN
        if type(node) is cst.FormattedString:
            taint: set = set()
            text = []
            for p in node.parts:
                if type(p) is cst.FormattedStringExpression:
                    v = self.ev(p.expression, env, d)
                    taint |= self.flat(v)
                    text.append(v.text or "{}")
                elif type(p) is cst.FormattedStringText:
                    text.append(p.value)
            return Val(limit(taint), text="".join(text))
        if type(node) in (cst.List, cst.Tuple, cst.Set):
            return Val(self.hook_contain(self.merge([e.value for e in node.elements], env, d).taint))
        if type(node) is cst.Dict:
            parts = []
            for e in node.elements:
                parts.extend((e.key, e.value) if type(e) is cst.DictElement else (e.value,))
            return Val(self.hook_contain(self.merge(parts, env, d).taint))
        if type(node) is cst.BinaryOperation:
            left, right = self.ev(node.left, env, d), self.ev(node.right, env, d)
            if type(node.operator) is cst.BitOr:  # prompt | llm | parser
                obj = _pipe_obj(left, right)
                if obj is not None:
                    return Val(limit(self.flat(left) | self.flat(right)), obj)
            if type(node.operator) is cst.Divide and left.obj is not None \
                    and left.obj.kind == "path":  # Path("data") / "users.csv"
                return Val(obj=Obj("path", base=f"{left.obj.base}/{right.text or ''}"))
            if type(node.operator) in (cst.Add, cst.Modulo, cst.BitOr, cst.Multiply):
                text = None
                if type(node.operator) is cst.Add and (left.text is not None or right.text is not None):
                    text = (left.text or "{}") + (right.text or "{}")
                return Val(limit(self.flat(left) | self.flat(right)), text=text)
            return CLEAN
        if type(node) is cst.BooleanOperation:
            return self.merge([node.left, node.right], env, d)
        if type(node) is cst.IfExp:
            a, b = self.ev(node.body, env, d), self.ev(node.orelse, env, d)
            return Val(limit(self.flat(a) | self.flat(b)), a.obj or b.obj, a.path or b.path,
                       None, a.inst or b.inst, a.text or b.text)
        if type(node) in (cst.Await, cst.NamedExpr, cst.StarredElement):
            inner = node.expression if type(node) is cst.Await else node.value
            v = self.ev(inner, env, d)
            if type(node) is cst.NamedExpr:
                self.assign(node.target, v, env)
            return v
        if isinstance(node, (cst.Yield,)):
            if node.value is not None and not type(node.value) is cst.From:
                fenv = env.function_env()
                if fenv is not None:
                    fenv.frame.returns.append(self.ev(node.value, env, d))
            return CLEAN
        if type(node) is cst.Attribute:
            return self.ev_attribute(node, env, d)
        if type(node) is cst.Subscript:
            return self.ev_subscript(node, env, d)
        if type(node) in (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp):
            inner = Env(env)
            comp = node.for_in
            while comp is not None:
                self.assign(comp.target, Val(self.flat(self.ev(comp.iter, inner, d))), inner)
                comp = comp.inner_for_in
            if type(node) is cst.DictComp:
                return self.merge([node.key, node.value], inner, d)
            return self.merge([node.elt], inner, d)
        if type(node) is cst.Call:
            return self.ev_call(node, env, d)
        return CLEAN

    def ev_attribute(self, node: cst.Attribute, env: Env, d: int) -> Val:
        dotted = self.dotted(node)
        if dotted is not None:
            v = env.lookup(dotted)
            if v is not None:
                return v
        base = self.ev(node.value, env, d)
        attr = node.attr.value
        if base.inst is not None and type(node.value) is cst.Name and node.value.value in ("self", "cls"):
            return self.class_field(base.inst, attr)
        if base.obj is not None and base.obj.kind != "foreign":
            return Val(base.taint, base.obj, base.path + (attr,))
        if base.rec is not None:
            return self.record_field(base.rec, attr)
        src = self.hook_attr_source(node, base, env)
        if src is not None:
            return Val(limit(base.taint | {src}))
        if base.obj is not None:
            return Val(base.taint, base.obj, base.path + (attr,))
        if base.taint:
            return Val(self.hook_attr(base.taint, attr))
        return CLEAN

    def ev_subscript(self, node: cst.Subscript, env: Env, d: int) -> Val:
        base = self.ev(node.value, env, d)
        key = subscript_key(node)
        if base.rec is not None:
            return self.record_field(base.rec, key) if key is not None else Val(self.flat(base))
        if key is not None:
            src = self.hook_key_source(node, node.value, key, env)
            if src is not None:
                return Val(limit(base.taint | {src}))
            return Val(self.hook_narrow(base.taint, key)) if base.taint else CLEAN
        # df[["name", "email"]]: a list of keys
        if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index) and \
                isinstance(node.slice[0].slice.value, (cst.List, cst.Tuple)):
            taint = set(base.taint)
            for e in node.slice[0].slice.value.elements:
                key = str_literal(e.value)
                if key is not None:
                    src = self.hook_key_source(e.value, node.value, key, env)
                    if src is not None:
                        taint.add(src)
            return Val(limit(taint))
        return Val(base.taint)

    def record_field(self, rec: tuple, key: str | None) -> Val:
        return CLEAN

    def class_field(self, cls: ClassInfo, attr: str) -> Val:
        if attr in cls.methods:
            return CLEAN
        if attr not in cls.fields and attr in cls.field_exprs:
            cls.fields[attr] = CLEAN  # guards recursion
            env = Env(cls.env)
            for expr in cls.field_exprs[attr]:
                v = self.ev(expr, env)
                if v.obj is not None or v.inst is not None:
                    cls.fields[attr] = Val(obj=v.obj, path=v.path, inst=v.inst)
                    break
        return cls.fields.get(attr, CLEAN)

    # --- calls --------------------------------------------------------------------------
    def ev_call(self, node: cst.Call, env: Env, d: int) -> Val:
        func = node.func
        if type(func) is cst.Name:
            name = func.value
            local = env.lookup(name)
            if local is not None and local.obj is not None:
                hit = self.hook_obj_call(node, local, "__call__", env)
                if hit is not None:
                    return hit
            finfo = env.lookup_func(name) if local is None else None
            if finfo is not None:
                return self.call_summary(node, finfo, env, skip_self=False)
            cls = env.lookup_class(name) if local is None else None
            if cls is not None:
                init = self._method(cls, "__init__")
                if init is not None:
                    self.call_summary(node, init, env, skip_self=True)
                return Val(self.merge([a.value for a in node.args], env, d).taint, inst=cls)
        q = self.qualified(func)
        if q is not None:
            hit = self.hook_qualified_call(node, q, env)
            return hit if hit is not None else CLEAN
        if type(func) is cst.Name:
            hit = self.hook_name_call(node, func.value, env)
            return hit if hit is not None else CLEAN
        if type(func) is cst.Call:
            inner = self.ev(func, env, d)
            if inner.obj is not None:
                hit = self.hook_obj_call(node, inner, "__call__", env)
                if hit is not None:
                    return hit
            return CLEAN
        if not type(func) is cst.Attribute:
            return CLEAN
        recv = self.ev(func.value, env, d)
        meth = func.attr.value
        if recv.obj is not None:
            hit = self.hook_obj_call(node, recv, meth, env)
            if hit is not None:
                return hit
        if recv.inst is not None and recv.obj is None:
            m = self._method(recv.inst, meth)
            if m is not None:
                return self.call_summary(node, m, env, skip_self=True)
        hit = self.hook_method_call(node, func, recv, env)
        if hit is not None:
            return hit
        return CLEAN

    def _method(self, cls: ClassInfo, name: str, seen: int = 0) -> FuncInfo | None:
        if name in cls.methods:
            return cls.methods[name]
        if seen > 5:
            return None
        for b in cls.bases:
            base = cls.env.lookup_class(b.split(".")[-1])
            if base is not None and base is not cls:
                m = self._method(base, name, seen + 1)
                if m is not None:
                    return m
        return None

    def call_summary(self, node: cst.Call, info: FuncInfo, env: Env, skip_self: bool) -> Val:
        if info.state == "todo":
            self.analyse(info)
        if info.state != "done":
            return CLEAN  # recursion
        params = info.node.params
        every = [*params.posonly_params, *params.params, *params.kwonly_params]
        start = 1 if skip_self and every and every[0].name.value in ("self", "cls") else 0
        args: dict[int, Val] = {}
        positional = [a for a in node.args if a.keyword is None and not a.star]
        for i, a in enumerate(positional):
            if start + i < len(every):
                args[start + i] = self.ev(a.value, env)
        names = {p.name.value: i for i, p in enumerate(every)}
        for a in node.args:
            if a.keyword is not None and a.keyword.value in names:
                args[names[a.keyword.value]] = self.ev(a.value, env)

        def arg_taint(p: Param) -> frozenset:
            taint = self.flat(args[p.index])
            return self.hook_narrow(taint, p.key) if p.key and taint else taint

        def subst(taint: frozenset) -> frozenset:
            out = set()
            for lb in taint:
                if isinstance(lb, Param):
                    if lb.index in args:
                        out |= arg_taint(lb)
                else:
                    out.add(lb)
            return limit(out)

        for param, refs in info.psinks.items():
            if param.index not in args:
                continue
            taint = arg_taint(param)
            if not taint:
                continue
            for ref in refs:
                self.on_sink(node, ref.info, taint, env, via=(info.name, *ref.via), origin_node=ref.node)
        ret = info.ret
        return Val(subst(ret.taint), ret.obj, (), ret.rec, ret.inst)

    def on_sink(self, node: cst.Call, info: Any, taint: frozenset, env: Env,
                via: tuple[str, ...] = (), origin_node: Any = None) -> None:
        """Data reaches an API call: concrete sources are hits, parameters go to the summary."""
        concrete = frozenset(x for x in taint if isinstance(x, Source))
        if concrete:
            self.hit(node, info, concrete, via, origin_node)
        fenv = env.function_env()
        if fenv is None:
            return
        ref = SinkRef(info, origin_node if origin_node is not None else node, via,
                      id(origin_node if origin_node is not None else node))
        for x in taint:
            if isinstance(x, Param):
                fenv.frame.psinks.setdefault(x, set()).add(ref)

    def hit(self, node, info, sources, via, origin_node) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    # --- names (the rule provides import resolution) ------------------------------------
    def dotted(self, node: cst.CSTNode | None) -> str | None:
        raise NotImplementedError  # pragma: no cover

    def qualified(self, node: cst.CSTNode | None) -> str | None:
        raise NotImplementedError  # pragma: no cover


def _pipe_obj(left: Val, right: Val) -> Obj | None:
    """``prompt | llm``: the chain sends to the provider of its model."""
    for v in (left, right):
        if v.obj is not None and v.obj.kind == "llm":
            return v.obj
    for v in (left, right):
        if v.obj is not None and v.obj.kind == "template":
            return v.obj
    return None


def _is_static(node: cst.FunctionDef) -> bool:
    return any(type(d.decorator) is cst.Name and d.decorator.value == "staticmethod"
               for d in node.decorators)


def _self_assigns(fn: cst.FunctionDef) -> list[tuple[str, cst.BaseExpression]]:
    """``self.X = value`` statements anywhere in a method (not in nested defs)."""
    out: list[tuple[str, cst.BaseExpression]] = []

    def walk(stmts) -> None:
        for s in stmts:
            if type(s) is cst.SimpleStatementLine:
                for small in s.body:
                    targets = []
                    if type(small) is cst.Assign:
                        targets = [t.target for t in small.targets]
                    elif type(small) is cst.AnnAssign and small.value is not None:
                        targets = [small.target]
                    for t in targets:
                        if type(t) is cst.Attribute and type(t.value) is cst.Name \
                                and t.value.value == "self":
                            out.append((t.attr.value, small.value))
            elif type(s) in (cst.FunctionDef, cst.ClassDef):
                continue
            else:
                for part in ("body", "orelse", "finalbody"):
                    block = getattr(s, part, None)
                    if block is None:
                        continue
                    if type(block) is cst.If:
                        walk([block])
                    else:
                        walk(stmts_of(block))
                for h in getattr(s, "handlers", ()):
                    walk(stmts_of(h.body))

    walk(stmts_of(fn.body))
    return out
