"""File-local value resolution for code rules: what value can this expression have?

A :class:`ValueIndex` is fed by a rule during the one traversal of a file (``enter_scope`` /
``leave_scope``, ``on_assign``, ``on_call``, ...) and asked afterwards (at ``leave_Module``, so
that definitions that come *after* a use, like an ``argparse`` parser at the bottom of a script,
are known) what an argument expression resolves to.

What it resolves, and what it says about where the value came from:

- literals (``50``, ``1e-5``, ``None``, ``float("inf")``, ``math.inf``, ``np.inf``), simple
  arithmetic on them (``1 / 60000``, ``10 ** -5``), ``float(...)`` / ``int(...)`` wrappers and
  conditional expressions (both branches are candidates);
- names assigned in the same function (the last assignment before the use, and the conditional
  ones before it back to the last unconditional one: every candidate is returned), then in
  enclosing functions and the module (module-level constants);
- ``args.epsilon`` where the file defines ``add_argument("--epsilon", default=...)`` (argparse,
  also configargparse / jsonargparse / argument groups; ``set_defaults`` overrides);
- ``FLAGS.noise_multiplier`` / a flag holder's ``.value`` where the file defines
  ``flags.DEFINE_float("noise_multiplier", 1.1, ...)`` (absl, also ``tf.compat.v1.flags``);
- parameters of a function decorated with ``@click.option("--epsilon", default=...)``;
- ``cfg.epsilon`` where ``cfg = Config(...)`` and ``Config`` is a class of the file whose
  body gives ``epsilon`` a default (dataclasses, plain classes), unless the call overrides it.

Anything else (function parameters, attributes of unknown objects, ``context.run_config[...]``,
environment variables) is *unresolved*: ``resolve`` returns None and rules stay quiet. A
resolved expression is a list of candidates (:class:`Resolved`); rules that report a weak value
should report only when every candidate is weak.
"""

from __future__ import annotations

from ...discovery import is_test_path  # noqa: F401 - re-exported for the fact rules

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._lazy import cst

from . import literal_value

if TYPE_CHECKING:  # pragma: no cover
    from . import CodeRule

MAX_DEPTH = 12
MAX_CANDIDATES = 16
INF_NAMES = {"math.inf", "numpy.inf", "numpy.Inf", "numpy.infty", "numpy.PINF", "torch.inf",
             "jax.numpy.inf", "cmath.inf", "sys.float_info.max"}
ABSL_DEFINE = re.compile(r"(^|\.)DEFINE_(float|integer|bool|boolean|string|enum|multi_float)$")


@dataclass(frozen=True)
class Resolved:
    """One value an expression can take, and where it was written."""

    value: Any
    kind: str  # literal | local | constant | argparse | absl | click | class-default
    origin: str = ""  # human text: "argparse default of --epsilon at line 40"; "" for a literal
    line: int = 0  # the line the value is written on (0: at the use)

    def describe(self) -> str:
        return self.origin or "literal"


@dataclass
class _Assignment:
    order: int
    value: cst.BaseExpression
    conditional: bool
    node: cst.CSTNode


@dataclass
class Scope:
    kind: str  # module | function | class
    node: cst.CSTNode | None
    parent: "Scope | None"
    name: str = ""
    assigns: dict[str, list[_Assignment]] = field(default_factory=dict)
    opaque: set[str] = field(default_factory=set)  # bound otherwise: params, loop targets, imports
    click: dict[str, tuple[cst.BaseExpression, str, cst.CSTNode]] = field(default_factory=dict)
    cond_depth: int = 0


@dataclass
class _Option:
    flag: str
    default: cst.BaseExpression | None
    implicit: Any  # value when no default is written (store_true -> False), or _MISSING
    convert: str | None  # "float" | "int" | None
    node: cst.CSTNode


_MISSING = object()


def _strings(args: list[cst.Arg]) -> list[str]:
    out = []
    for arg in args:
        if arg.keyword is not None or arg.star:
            break
        ok, v = literal_value(arg.value)
        if not ok or not isinstance(v, str):
            break
        out.append(v)
    return out


def _kw(call: cst.Call, name: str) -> cst.Arg | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def _target_names(node: cst.BaseExpression) -> list[str]:
    if isinstance(node, cst.Name):
        return [node.value]
    if isinstance(node, (cst.Tuple, cst.List)):
        out = []
        for el in node.elements:
            out.extend(_target_names(el.value))
        return out
    if isinstance(node, cst.StarredElement):
        return _target_names(node.value)
    return []


def _to_number(value: Any, convert: str | None) -> Any:
    if convert is None:
        return value
    try:
        if convert == "float":
            return float(value)
        if convert == "int":
            return int(value)
    except (TypeError, ValueError):
        return _MISSING
    return value


class ValueIndex:
    """What the names of one file are bound to, collected in one traversal."""

    def __init__(self, rule: "CodeRule") -> None:
        self.rule = rule
        self.order = 0
        self.module = Scope("module", None, None)
        self.scope = self.module
        self.argparse: dict[str, list[_Option]] = {}
        self.argparse_overrides: dict[str, list[tuple[cst.BaseExpression, cst.CSTNode]]] = {}
        self.absl: dict[str, list[_Option]] = {}
        self.flag_holders: dict[str, str] = {}  # module name -> absl flag name
        # class name -> attribute -> (default expression, node)
        self.class_attrs: dict[str, dict[str, tuple[cst.BaseExpression, cst.CSTNode]]] = {}

    # --- positions -----------------------------------------------------------------------
    def line(self, node: cst.CSTNode) -> int:
        """The line of ``node`` as the user sees it (raw .ipynb line for notebooks)."""
        run = self.rule._run  # noqa: SLF001 - the runner owns positions; rules may ask it
        line = run.position(node)[0]
        if run.nb is not None:
            line = run.nb.raw_position(line, 0)[0]
        return line

    def tick(self) -> int:
        self.order += 1
        return self.order

    # --- scopes --------------------------------------------------------------------------
    def enter_function(self, node: cst.FunctionDef | cst.Lambda) -> None:
        name = node.name.value if isinstance(node, cst.FunctionDef) else "<lambda>"
        scope = Scope("function", node, self.scope, name=name)
        params = node.params
        for p in [*params.posonly_params, *params.params, *params.kwonly_params]:
            scope.opaque.add(p.name.value)
        for p in (params.star_arg, params.star_kwarg):
            if isinstance(p, cst.Param):
                scope.opaque.add(p.name.value)
        if isinstance(node, cst.FunctionDef):
            self._click_options(node, scope)
            self.scope.opaque.add(node.name.value)
        self.scope = scope

    def enter_class(self, node: cst.ClassDef) -> None:
        self.scope.opaque.add(node.name.value)
        self.scope = Scope("class", node, self.scope, name=node.name.value)
        attrs = self.class_attrs.setdefault(node.name.value, {})
        for stmt in node.body.body:
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) \
                        and small.value is not None:
                    attrs[small.target.value] = (self._field_default(small.value), small)
                elif isinstance(small, cst.Assign) and len(small.targets) == 1 \
                        and isinstance(small.targets[0].target, cst.Name):
                    attrs[small.targets[0].target.value] = (small.value, small)

    def leave_scope(self) -> None:
        if self.scope.parent is not None:
            self.scope = self.scope.parent

    def enter_conditional(self) -> None:
        self.scope.cond_depth += 1

    def leave_conditional(self) -> None:
        self.scope.cond_depth = max(0, self.scope.cond_depth - 1)

    def _field_default(self, value: cst.BaseExpression) -> cst.BaseExpression:
        """``field(default=0.5)`` -> ``0.5`` (dataclasses, pydantic Field)."""
        if isinstance(value, cst.Call):
            func = self.rule.dotted_name(value.func) or ""
            if func.split(".")[-1] in ("field", "Field"):
                arg = _kw(value, "default")
                if arg is None and func.split(".")[-1] == "Field" and value.args \
                        and value.args[0].keyword is None:
                    arg = value.args[0]
                if arg is not None:
                    return arg.value
        return value

    # --- bindings ------------------------------------------------------------------------
    def on_assign(self, node: cst.Assign | cst.AnnAssign | cst.AugAssign) -> None:
        order = self.tick()
        if isinstance(node, cst.Assign):
            targets = [t.target for t in node.targets]
            value = node.value
        elif isinstance(node, cst.AnnAssign):
            if node.value is None:
                return
            targets, value = [node.target], node.value
        else:
            for name in _target_names(node.target):
                self.scope.opaque.add(name)
            return
        if self.scope.kind == "class":
            return  # class attributes are collected by enter_class
        for target in targets:
            if isinstance(target, cst.Name):
                self.scope.assigns.setdefault(target.value, []).append(
                    _Assignment(order, value, self.scope.cond_depth > 0, node))
                if self.scope is self.module and isinstance(value, cst.Call):
                    flag = self._absl_flag_name(value)
                    if flag:
                        self.flag_holders[target.value] = flag
            else:
                for name in _target_names(target):
                    self.scope.opaque.add(name)

    def on_bind(self, target: cst.BaseExpression | None) -> None:
        """A name bound by ``for``/``with``/``except``/walrus: its value is unknown."""
        if target is not None:
            for name in _target_names(target):
                self.scope.opaque.add(name)

    def on_import(self, node: cst.Import | cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            if alias.asname and isinstance(alias.asname.name, cst.Name):
                self.scope.opaque.add(alias.asname.name.value)
            else:
                head = self.rule.dotted_name(alias.name) or ""
                self.scope.opaque.add(head.split(".")[0])

    # --- definitions of command-line options ---------------------------------------------
    def on_call(self, node: cst.Call) -> None:
        dotted = self.rule.dotted_name(node.func) or ""
        last = dotted.split(".")[-1]
        if last == "add_argument":
            self._add_argument(node)
        elif last == "set_defaults":
            for arg in node.args:
                if arg.keyword is not None:
                    self.argparse_overrides.setdefault(arg.keyword.value, []).append((arg.value, node))
        else:
            flag = self._absl_flag_name(node)
            if flag:
                default = _kw(node, "default")
                if default is None and len(node.args) > 1 and node.args[1].keyword is None:
                    default = node.args[1]
                self.absl.setdefault(flag, []).append(
                    _Option(flag, default.value if default else None, _MISSING, None, node))

    def _absl_flag_name(self, node: cst.Call) -> str | None:
        qual = self.rule.qualified_name(node.func) or self.rule.dotted_name(node.func) or ""
        if not ABSL_DEFINE.search(qual) or ("flags" not in qual and not qual.startswith("DEFINE_")):
            return None
        name = _kw(node, "name")
        if name is None and node.args and node.args[0].keyword is None:
            name = node.args[0]
        if name is None:
            return None
        ok, v = literal_value(name.value)
        return v if ok and isinstance(v, str) else None

    def _add_argument(self, node: cst.Call) -> None:
        flags = _strings(list(node.args))
        dest_arg = _kw(node, "dest")
        dest = None
        if dest_arg is not None:
            ok, v = literal_value(dest_arg.value)
            dest = v if ok and isinstance(v, str) else None
        long = [f for f in flags if f.startswith("--")]
        short = [f for f in flags if f.startswith("-") and not f.startswith("--")]
        positional = [f for f in flags if not f.startswith("-")]
        shown = (long or short or positional or [dest or ""])[0]
        if dest is None:
            if long:
                dest = long[0][2:].replace("-", "_")
            elif short:
                dest = short[0][1:].replace("-", "_")
            elif positional:
                dest = positional[0]
        if not dest:
            return
        implicit: Any = _MISSING
        action = _kw(node, "action")
        if action is not None:
            ok, v = literal_value(action.value)
            if ok and v == "store_true":
                implicit = False
            elif ok and v == "store_false":
                implicit = True
        convert = None
        typ = _kw(node, "type")
        if typ is not None and isinstance(typ.value, cst.Name) and typ.value.value in ("float", "int"):
            convert = typ.value.value
        default = _kw(node, "default")
        self.argparse.setdefault(dest, []).append(
            _Option(shown, default.value if default else None, implicit, convert, node))

    def _click_options(self, node: cst.FunctionDef, scope: Scope) -> None:
        for dec in node.decorators:
            call = dec.decorator
            if not isinstance(call, cst.Call):
                continue
            qual = self.rule.qualified_name(call.func) or ""
            if qual not in ("click.option", "click.decorators.option", "typer.Option"):
                continue
            names = _strings(list(call.args))
            explicit = [n for n in names if not n.startswith("-")]
            long = [n for n in names if n.startswith("--")]
            short = [n for n in names if n.startswith("-") and not n.startswith("--")]
            if explicit:
                param = explicit[0]
            elif long:
                param = long[0][2:].split("/")[0]
            elif short:
                param = short[0][1:]
            else:
                continue
            param = param.replace("-", "_").lower()
            default = _kw(call, "default")
            if default is not None:
                shown = (long or short or explicit)[0].split("/")[0]
                scope.click[param] = (default.value, shown, call)

    # --- resolution ----------------------------------------------------------------------
    def snapshot(self) -> tuple[Scope, int]:
        """Where a use is: resolve it later with ``resolve(expr, *snapshot)``."""
        return self.scope, self.tick()

    def resolve(self, expr: cst.BaseExpression, scope: Scope, order: int,
                depth: int = 0) -> list[Resolved] | None:
        """Every value ``expr`` can take, or None when any of them is unknown."""
        if depth > MAX_DEPTH:
            return None
        ok, v = literal_value(expr)
        if ok:
            return [Resolved(v, "literal")]
        if isinstance(expr, cst.Name):
            return self._name(expr.value, scope, order, depth)
        if isinstance(expr, cst.Attribute):
            return self._attribute(expr, scope, order, depth)
        if isinstance(expr, cst.Call):
            return self._call(expr, scope, order, depth)
        if isinstance(expr, cst.IfExp):
            a = self.resolve(expr.body, scope, order, depth + 1)
            b = self.resolve(expr.orelse, scope, order, depth + 1)
            return None if a is None or b is None else (a + b)[:MAX_CANDIDATES]
        if isinstance(expr, cst.BinaryOperation):
            return self._binop(expr, scope, order, depth)
        if isinstance(expr, cst.Subscript):
            return self._subscript(expr, scope, order, depth)
        if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus):
            inner = self.resolve(expr.expression, scope, order, depth + 1)
            if inner is None or not all(_is_number(r.value) for r in inner):
                return None
            return [Resolved(-r.value, r.kind, r.origin, r.line) for r in inner]
        return None

    def _all(self, exprs: list[tuple[cst.BaseExpression, Scope, int]], depth: int,
             relabel=None) -> list[Resolved] | None:
        out: list[Resolved] = []
        for expr, scope, order in exprs:
            got = self.resolve(expr, scope, order, depth + 1)
            if got is None:
                return None
            out.extend(relabel(r) if relabel else r for r in got)
        return out[:MAX_CANDIDATES] if out else None

    def _name(self, name: str, scope: Scope, order: int, depth: int) -> list[Resolved] | None:
        s: Scope | None = scope
        first = True
        while s is not None:
            if s.kind == "class" and not first:
                s = s.parent
                continue
            cands = s.assigns.get(name, [])
            if first:
                cands = _before(cands, order)
            if not cands and name in s.click:
                default, flag, node = s.click[name]
                return self._all([(default, s, order)], depth,
                                 lambda r, f=flag, n=node: self._relabel(
                                     r, "click", f"click default of {f}", n))
            if name in s.opaque and not cands:
                return None
            if name in s.assigns:
                if not cands:
                    return None
                where = s

                def label(r: Resolved, a: _Assignment, sc: Scope = where) -> Resolved:
                    if r.kind != "literal":
                        return r
                    line = self.line(a.node)
                    if sc.kind == "module" and name.isupper():
                        return Resolved(r.value, "constant", f"module constant {name} at line {line}", line)
                    return Resolved(r.value, "local", f"{name} assigned at line {line}", line)

                out: list[Resolved] = []
                for a in cands:
                    got = self.resolve(a.value, s, a.order, depth + 1)
                    if got is None:
                        return None
                    out.extend(label(r, a) for r in got)
                return out[:MAX_CANDIDATES]
            s = s.parent
            first = False
        return None

    def _relabel(self, r: Resolved, kind: str, origin: str, node: cst.CSTNode) -> Resolved:
        if r.kind != "literal":
            return r
        line = self.line(node)
        return Resolved(r.value, kind, f"{origin} at line {line}", line)

    def _attribute(self, expr: cst.Attribute, scope: Scope, order: int,
                   depth: int) -> list[Resolved] | None:
        qual = self.rule.qualified_name(expr)
        if qual in INF_NAMES:
            return [Resolved(math.inf, "literal")]
        if qual is not None and qual.split(".")[0] not in ("absl",):
            # an attribute of an imported module (np.float32, torch.float16): not a setting
            if not qual.endswith(".FLAGS." + expr.attr.value):
                return None
        attr = expr.attr.value
        base = self.rule.dotted_name(expr.value) or ""
        base_qual = self.rule.qualified_name(expr.value) or ""
        # absl: FLAGS.x, flags.FLAGS.x, HOLDER.value
        if base.split(".")[-1] == "FLAGS" or base_qual.endswith("flags.FLAGS"):
            return self._options(self.absl.get(attr), "absl flag default", depth, scope)
        if attr == "value" and base in self.flag_holders:
            return self._options(self.absl.get(self.flag_holders[base]), "absl flag default",
                                 depth, scope)
        if base_qual:
            return None  # an imported module or object we know nothing about
        # argparse: args.x / self.args.x / opt.x
        if attr in self.argparse and base and base != "self":
            overrides = self.argparse_overrides.get(attr)
            if overrides:
                return self._all([(v, self.module, 10**9) for v, _ in overrides], depth,
                                 lambda r, n=overrides[-1][1]: self._relabel(
                                     r, "argparse", f"argparse set_defaults({attr}=...)", n))
            return self._options(self.argparse.get(attr), "argparse default", depth, scope)
        # cfg.x where cfg = Config(...) and Config gives x a default
        if isinstance(expr.value, cst.Name):
            return self._class_default(expr.value.value, attr, scope, order, depth)
        return None

    def _options(self, options: list[_Option] | None, what: str, depth: int,
                 scope: Scope) -> list[Resolved] | None:
        if not options:
            return None
        out: list[Resolved] = []
        for opt in options:
            line = self.line(opt.node)
            origin = f"{what} of {opt.flag if opt.flag.startswith('-') else '--' + opt.flag} at line {line}"
            if opt.default is None:
                if opt.implicit is _MISSING:
                    return None
                out.append(Resolved(opt.implicit, "argparse", origin, line))
                continue
            got = self.resolve(opt.default, self.module, 10**9, depth + 1)
            if got is None:
                return None
            for r in got:
                value = _to_number(r.value, opt.convert) if r.value is not None else None
                if value is _MISSING:
                    return None
                if value is None:
                    return None  # "no default": the value is given at run time
                kind = "absl" if what.startswith("absl") else "argparse"
                out.append(Resolved(value, kind, origin if r.kind == "literal" else r.origin,
                                    line if r.kind == "literal" else r.line))
        return out[:MAX_CANDIDATES]

    def _class_default(self, base: str, attr: str, scope: Scope, order: int,
                       depth: int) -> list[Resolved] | None:
        # find what `base` was assigned from: a call of a class of this file
        s: Scope | None = scope
        first = True
        while s is not None:
            if s.kind == "class" and not first:
                s = s.parent
                continue
            if base in s.assigns:
                cands = _before(s.assigns[base], order) if first else s.assigns[base]
                if len(cands) != 1 or not isinstance(cands[0].value, cst.Call):
                    return None
                call = cands[0].value
                cls = self.rule.dotted_name(call.func)
                if cls not in self.class_attrs or attr not in self.class_attrs[cls]:
                    return None
                override = _kw(call, attr)
                if override is not None:
                    return self.resolve(override.value, s, cands[0].order, depth + 1)
                if self.rule.has_star_kwargs(call) or any(a.keyword is None for a in call.args):
                    return None  # positional or **kwargs may set it
                default, node = self.class_attrs[cls][attr]
                return self._all([(default, self.module, 10**9)], depth,
                                 lambda r: self._relabel(r, "class-default",
                                                         f"default of {cls}.{attr}", node))
            if base in s.opaque:
                return None
            s = s.parent
            first = False
        return None

    def _subscript(self, expr: cst.Subscript, scope: Scope, order: int,
                   depth: int) -> list[Resolved] | None:
        """``PARAMS["noise_multiplier"]`` where ``PARAMS`` is a dict literal (or ``dict(...)``)."""
        if not isinstance(expr.value, cst.Name) or len(expr.slice) != 1:
            return None
        index = expr.slice[0].slice
        if not isinstance(index, cst.Index):
            return None
        ok, key = literal_value(index.value)
        if not ok or not isinstance(key, str):
            return None
        found = self._binding(expr.value.value, scope, order)
        if found is None:
            return None
        holder, owner, name = found
        entry = None
        if isinstance(holder.value, cst.Dict):
            for el in holder.value.elements:
                if isinstance(el, cst.DictElement):
                    ok, k = literal_value(el.key)
                    if ok and k == key:
                        entry = el.value
                elif isinstance(el, cst.StarredDictElement):
                    return None
        elif isinstance(holder.value, cst.Call) and self.rule.dotted_name(holder.value.func) == "dict":
            if any(a.keyword is None for a in holder.value.args):
                return None
            arg = _kw(holder.value, key)
            entry = arg.value if arg is not None else None
        if entry is None:
            return None
        line = self.line(holder.node)
        where = (f"module constant {name}[{key!r}] at line {line}"
                 if owner.kind == "module" and name.isupper() else f"{name}[{key!r}] at line {line}")
        return self._all([(entry, owner, holder.order)], depth,
                         lambda r: r if r.kind != "literal" else Resolved(r.value, "constant", where, line))

    def _binding(self, name: str, scope: Scope, order: int) -> tuple[_Assignment, Scope, str] | None:
        """The single assignment that binds ``name`` at a use, or None."""
        s: Scope | None = scope
        first = True
        while s is not None:
            if s.kind == "class" and not first:
                s = s.parent
                continue
            if name in s.assigns:
                cands = _before(s.assigns[name], order) if first else s.assigns[name]
                return (cands[0], s, name) if len(cands) == 1 else None
            if name in s.opaque or name in s.click:
                return None
            s = s.parent
            first = False
        return None

    def _call(self, expr: cst.Call, scope: Scope, order: int, depth: int) -> list[Resolved] | None:
        func = self.rule.dotted_name(expr.func)
        if func in ("float", "int") and len(expr.args) == 1 and expr.args[0].keyword is None:
            inner = self.resolve(expr.args[0].value, scope, order, depth + 1)
            if inner is None:
                return None
            out = []
            for r in inner:
                value = _to_number(r.value, func)
                if value is _MISSING:
                    return None
                out.append(Resolved(value, r.kind, r.origin, r.line))
            return out
        return None

    def _binop(self, expr: cst.BinaryOperation, scope: Scope, order: int,
               depth: int) -> list[Resolved] | None:
        left = self.resolve(expr.left, scope, order, depth + 1)
        right = self.resolve(expr.right, scope, order, depth + 1)
        if left is None or right is None or len(left) * len(right) > MAX_CANDIDATES:
            return None
        out = []
        for a in left:
            for b in right:
                if not (_is_number(a.value) and _is_number(b.value)):
                    return None
                try:
                    value = _arith(expr.operator, a.value, b.value)
                except (ArithmeticError, ValueError):
                    return None
                if value is None:
                    return None
                src = a if a.kind != "literal" else b
                out.append(Resolved(value, src.kind, src.origin, src.line))
        return out


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _arith(op: cst.BaseBinaryOp, a: float, b: float) -> float | None:
    if isinstance(op, cst.Add):
        return a + b
    if isinstance(op, cst.Subtract):
        return a - b
    if isinstance(op, cst.Multiply):
        return a * b
    if isinstance(op, cst.Divide):
        return a / b
    if isinstance(op, cst.Power):
        if abs(b) > 64:
            return None
        return float(a) ** b
    return None


def _before(cands: list[_Assignment], order: int) -> list[_Assignment]:
    """The assignments that may reach a use at ``order``: the last one before it and, if that
    one is conditional, every earlier one back to the last unconditional assignment."""
    earlier = [a for a in cands if a.order < order]
    out: list[_Assignment] = []
    for a in reversed(earlier):
        out.append(a)
        if not a.conditional:
            break
    return out


class TracksValues:
    """Mixin for a :class:`CodeRule` that feeds ``self.values`` (a :class:`ValueIndex`).

    A rule that also defines one of these ``visit_``/``leave_`` methods must call the mixin's
    (``TracksValues.visit_FunctionDef(self, node)``); ``visit_Call`` is left to the rule, which
    must call ``self.values.on_call(node)``.
    """

    values: ValueIndex

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.values.enter_function(node)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.values.leave_scope()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.values.enter_class(node)

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self.values.leave_scope()

    def visit_Assign(self, node: cst.Assign) -> None:
        self.values.on_assign(node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self.values.on_assign(node)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.values.on_assign(node)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self.values.on_bind(node.target)

    def visit_For(self, node: cst.For) -> None:
        self.values.on_bind(node.target)
        self.values.enter_conditional()

    def leave_For(self, node: cst.For) -> None:
        self.values.leave_conditional()

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self.values.on_bind(node.asname.name)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self.values.on_bind(node.name.name)

    def visit_Import(self, node: cst.Import) -> None:
        self.values.on_import(node)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self.values.on_import(node)

    def visit_If(self, node: cst.If) -> None:
        self.values.enter_conditional()

    def leave_If(self, node: cst.If) -> None:
        self.values.leave_conditional()

    def visit_While(self, node: cst.While) -> None:
        self.values.enter_conditional()

    def leave_While(self, node: cst.While) -> None:
        self.values.leave_conditional()

    def visit_Try(self, node: cst.Try) -> None:
        self.values.enter_conditional()

    def leave_Try(self, node: cst.Try) -> None:
        self.values.leave_conditional()

    def visit_Match(self, node: cst.Match) -> None:
        self.values.enter_conditional()

    def leave_Match(self, node: cst.Match) -> None:
        self.values.leave_conditional()

