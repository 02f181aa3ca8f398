"""Phase 2: link the module summaries of one project and resolve what crosses modules.

Each module was analysed on its own (phase 1, in parallel, cached). What it could not know is
symbolic: a name imported from another module of the project (``import:pkg.mod.name``), a call of
such a name (``call:N``, with the argument values it was given) and the labels of values that
came from them (``ext`` labels, with the reads applied to them since). The :class:`Linker`

1. maps dotted module names to the project's files (``pkg/mod.py``, ``pkg/mod/__init__.py``;
   a relative import from the importer's package; of several candidates, the nearest to the
   importer wins, then the first in path order);
2. resolves every reference to a value: a module's exported value, a function or class of it,
   or, for a call, the function's summary applied to the arguments (its parameter events become
   events at the call), a class's instance, or a library model's outcome for a method of an
   object another module built (``from app.llm import client; client.chat.completions.create``);
3. substitutes the ``ext`` labels of every event with what they stand for.

Bounded: references resolve at most ``MAX_DEPTH`` deep, each once (memoised) unless a resolution
was cut by the depth bound (then it may resolve in full when reached from nearer the top); a
cycle resolves to nothing. Deterministic: modules, calls and events are visited in path and
source order.
"""

from __future__ import annotations

import ast
import posixpath
from dataclasses import replace

from .interp import Analysis
from .model import CallSite, ModuleInfo, Outcome, Registry
from .summary import Event, FuncSummary, ModuleSummary, Pos
from .values import CLEAN, EXT, PARAM, Obj, Val, flat, limit

MAX_DEPTH = 16  # a call through a helper of another module costs two or three


class _Shell(Analysis):
    """The value operations of the interpreter (reads, iteration, label kinds) without a module."""

    def __init__(self, registry: Registry) -> None:
        info = ModuleInfo("", False, set(), False, False, False)
        super().__init__(ast.Module(body=[], type_ignores=[]), registry, info,
                         lambda n: Pos(0, 0, 0, 0), lambda n: "")


class Modules:
    """Which module of a project a dotted name imported by one of its modules names."""

    def __init__(self, rels) -> None:
        self.rels = set(rels)
        self.index = _module_index(sorted(self.rels))

    def module_of(self, dotted_name: str, importer: str) -> tuple[str, list[str]] | None:
        """(rel of the module, the remaining attribute names) for ``dotted_name`` imported by
        ``importer``; relative names start with dots."""
        if dotted_name.startswith("."):
            level = len(dotted_name) - len(dotted_name.lstrip("."))
            rest = dotted_name[level:]
            base = posixpath.dirname(importer)
            for _ in range(level - 1):
                base = posixpath.dirname(base)
            parts = rest.split(".") if rest else []
            for i in range(len(parts), 0, -1):
                cand = posixpath.join(base, *parts[:i])
                for rel in (cand + ".py", cand + "/__init__.py"):
                    if rel in self.rels:
                        return rel, parts[i:]
            init = posixpath.join(base, "__init__.py")
            if init in self.rels and parts:
                return init, parts
            return None
        parts = dotted_name.split(".")
        for i in range(len(parts), 0, -1):
            cands = self.index.get(".".join(parts[:i]))
            if cands:
                return _nearest(cands, importer), parts[i:]
        return None


class Linker:
    def __init__(self, registry: Registry, summaries: dict[str, ModuleSummary],
                 infos: dict[str, ModuleInfo] | None = None) -> None:
        self.reg = registry
        self.mods = summaries  # rel -> summary
        self.infos: dict[str, ModuleInfo] = dict(infos or {})
        self.shell = _Shell(registry)
        self.modules = Modules(summaries)
        self.calls = {rel: {c["id"]: c for c in s.ext_calls} for rel, s in summaries.items()}
        self.memo: dict[tuple[str, str], Val] = {}
        self.active: set[tuple[str, str]] = set()
        self._cut = False  # whether the resolution under way met the depth bound
        self.new_events: list[Event] = []
        self._emitted: set = set()

    # ------------------------------------------------------------------ modules
    def module_of(self, dotted_name: str, importer: str) -> tuple[str, list[str]] | None:
        return self.modules.module_of(dotted_name, importer)

    # ------------------------------------------------------------------ references
    def resolve(self, rel: str, ref: str, depth: int = 0) -> Val:
        key = (rel, ref)
        got = self.memo.get(key)
        if got is not None:
            return got
        if key in self.active:
            return CLEAN
        if depth > MAX_DEPTH:
            self._cut = True
            return CLEAN
        self.active.add(key)
        outer, self._cut = self._cut, False
        try:
            if ref.startswith("import:"):
                v = self._resolve_import(rel, ref[7:], depth)
            elif ref.startswith("call:"):
                v = self._resolve_call(rel, ref, depth)
            else:
                v = CLEAN
        finally:
            self.active.discard(key)
            cut, self._cut = self._cut, outer or self._cut
        if not cut:  # a value cut short by the bound is not what the reference holds
            self.memo[key] = v
        return v

    def _resolve_import(self, rel: str, name: str, depth: int) -> Val:
        found = self.module_of(name, rel)
        if found is None:
            return CLEAN
        mod, rest = found
        if not rest:
            return Val(obj=Obj("xmod", (("mod", mod),)))
        return self._member(mod, rest, depth)

    def _member(self, mod: str, rest: list[str], depth: int) -> Val:
        if depth > MAX_DEPTH:
            self._cut = True
            return CLEAN  # a cycle of re-exports, or a chain too long to follow
        s = self.mods[mod]
        head = rest[0]
        v = None
        if head in s.funcs and "." not in head:
            v = Val(obj=Obj("xfunc", (("mod", mod), ("q", head))))
        elif head in s.classes:
            v = Val(obj=Obj("xclass", (("mod", mod), ("q", head))))
        elif head in s.exports:
            v = self.concrete(mod, s.exports[head], depth + 1)
        else:
            # a submodule (pkg/__init__.py, then pkg.sub)
            if mod.endswith("__init__.py"):
                base = posixpath.dirname(mod)
                for cand in (posixpath.join(base, head + ".py"), posixpath.join(base, head, "__init__.py")):
                    if cand in self.mods:
                        return self._member(cand, rest[1:], depth) if len(rest) > 1 else \
                            Val(obj=Obj("xmod", (("mod", cand),)))
                # re-exported: from .sub import name
                for local, target in s.relative:
                    if local == head:
                        found = self.module_of(target, mod)
                        if found is not None:
                            m2, r2 = found
                            return self._member(m2, r2 + rest[1:], depth + 1) if r2 else \
                                Val(obj=Obj("xmod", (("mod", m2),)))
            for local, target in s.aliases:
                if local == head:
                    found = self.module_of(target, mod)
                    if found is not None and found[0] != mod:
                        m2, r2 = found
                        if r2:
                            return self._member(m2, r2 + rest[1:], depth + 1)
            return CLEAN
        for attr in rest[1:]:
            v = self._attr(v, attr, depth)
        return v

    def _attr(self, v: Val, attr: str, depth: int) -> Val:
        o = v.obj
        if o is not None and o.type == "xmod":
            return self._member(o.get("mod"), [attr], depth + 1)
        if o is not None and o.type == "xclass":
            mod, q = o.get("mod"), o.get("q")
            c = self.mods[mod].classes.get(q, {})
            mq = c.get("methods", {}).get(attr)
            if mq is not None:
                return Val(obj=Obj("xfunc", (("mod", mod), ("q", mq))))
            return CLEAN
        if o is not None and o.type == "xinst":
            if v.keys is not None:  # a field the instance was given (Reply(text=...))
                kv = v.key(attr)
                if kv is not None:
                    return kv
            mod, q = o.get("mod"), o.get("q")
            c = self.mods[mod].classes.get(q, {})
            mq = c.get("methods", {}).get(attr)
            if mq is not None:
                return Val(obj=Obj("xfunc", (("mod", mod), ("q", mq), ("self", 1))))
            f = c.get("fields", {}).get(attr)
            return self.concrete(mod, f, depth + 1) if f is not None else CLEAN
        return self.shell.attr(v, attr, None, None)

    def concrete(self, rel: str, v: Val, depth: int = 0) -> Val:
        """``v`` (a value of module ``rel``) with its ``ext`` labels and objects resolved."""
        if v is None:
            return CLEAN
        o = v.obj
        labels = v.labels
        new_obj = o
        resolved = None  # what an ext object stands for: its structure, when v has none
        if o is not None:
            if o.type == "ext":
                base = self.resolve(rel, o.get("ref"), depth + 1)
                for step in o.path:
                    base = self._attr(base, step, depth + 1) if step != "[]" else self.shell.iterate(base)
                resolved = base
                new_obj = base.obj
                labels = limit(labels | base.labels) if base.labels else labels
            elif o.type in ("func", "class", "inst"):
                t = {"func": "xfunc", "class": "xclass", "inst": "xinst"}[o.type]
                new_obj = Obj(t, (("mod", rel), ("q", o.get("q"))))
            elif o.type == "ref":
                q = o.get("q")
                if q.split(".")[0] not in self.reg.roots:
                    r = self.resolve(rel, "import:" + q, depth + 1)
                    new_obj = r.obj if r.obj is not None else o
        if any(lb.kind == EXT for lb in labels):
            out = set()
            for lb in labels:
                if lb.kind != EXT:
                    out.add(lb)
                    continue
                target = self.resolve(rel, lb.tag, depth + 1)
                steps = lb.data
                got = self.shell.replay(target, steps) if steps else target
                out |= flat(got)
            labels = limit(lb for lb in out if lb.kind != EXT or lb.tag.startswith(("import:", "call:")))
            labels = limit(lb for lb in labels if lb.kind != EXT)
        if v.elems is None and v.item is None and v.keys is None and resolved is not None:
            # a helper's return of another module's value: the record's fields, the list's items
            return Val(labels, v.consts, new_obj, resolved.elems, resolved.item, resolved.keys)
        elems = tuple(self.concrete(rel, e, depth + 1) for e in v.elems) if v.elems is not None else None
        item = self.concrete(rel, v.item, depth + 1) if v.item is not None else None
        keys = tuple((k, self.concrete(rel, x, depth + 1)) for k, x in v.keys) if v.keys is not None else None
        return Val(labels, v.consts, new_obj, elems, item, keys)

    # ------------------------------------------------------------------ calls
    def _resolve_call(self, rel: str, cid: str, depth: int) -> Val:
        rec = self.calls.get(rel, {}).get(cid)
        if rec is None:
            return CLEAN
        args = [self.concrete(rel, a, depth + 1) for a in rec["args"]]
        kwargs = {k: self.concrete(rel, v, depth + 1) for k, v in rec["kwargs"].items()}
        ref = rec["ref"]
        path = list(rec["path"])
        method = rec.get("method")
        if method is not None and path and path[-1] == method:
            path = path[:-1]
        target = self.resolve(rel, ref, depth + 1)
        for step in path:
            target = self._attr(target, step, depth + 1) if step != "[]" else self.shell.iterate(target)
        if target.obj is None:
            return self._unresolved(rel, rec, target, ref, method, args, kwargs)
        if method is not None:
            target = self._method_target(target, method, depth)
        return self._call(rel, rec, target, args, kwargs, depth)

    def _project_ref(self, rel: str, ref: str, depth: int = 0) -> bool:
        """Whether a reference names something of the project (a relative import, a package
        of the project, the result of calling one) rather than a library."""
        if depth > MAX_DEPTH:
            return False
        if ref.startswith("import:."):
            return True
        if ref.startswith("import:"):
            return self.module_of(ref[7:].split(".")[0], rel) is not None
        if ref.startswith("call:"):
            rec = self.calls.get(rel, {}).get(ref)
            return rec is not None and self._project_ref(rel, rec["ref"], depth + 1)
        return False

    def _unresolved(self, rel: str, rec: dict, recv: Val, ref: str, method: str | None,
                    args: list, kwargs: dict) -> Val:
        """A call of something no module of the project defines: a library the models do not
        know by its import. What its names say still counts (``logger.info`` of a logger from
        ``accelerate.logging``, ``model.predict_proba`` of a ``joblib`` model); its classes
        hold what they are given (``Response(data)``); anything else returns nothing."""
        name = method or ref.rsplit(".", 1)[-1]
        # the receiver stays marked as a name of the project (a relative import, a package of
        # the project): what only a library's object means (push_to_hub) does not apply to it
        project = self._project_ref(rel, ref)
        mark = Obj("ext", (("ref", ref),)) if project else None
        if method is not None:
            site = self._site(rel, rec, Val(recv.labels, None, mark), args, kwargs, method)
            hs = self.reg.any_methods.get(method)
            if hs:
                got = self._apply(rel, rec, hs, site)
                if got is not CLEAN:
                    return got
            rname = rec.get("recv_name")
            if rname and rname not in ("self", "cls"):
                for pat, h in self.reg.receivers:
                    if pat.search(rname):
                        site = self._site(rel, rec, Val(recv.labels, None, mark), args, kwargs,
                                          method)
                        got = h(site)
                        if got is not None:
                            return self._apply(rel, rec, [lambda s, g=got: g], site)
            if recv.obj is None:
                # a method of a plain value another module gave (``reply.text.strip()``):
                # what the same call means on a value of the module itself
                return self.shell.value_method(recv, method, site)
            return CLEAN
        site = self._site(rel, rec, None, args, kwargs, name)
        for pat, h in self.reg.named:
            if pat.search(name):
                got = h(site)
                if got is not None:
                    return self._apply(rel, rec, [lambda s, g=got: g], site)
        if name[:1].isupper() and not name.isupper():
            labels = set()
            for v in [*args, *kwargs.values()]:
                labels |= flat(v)
            return Val(limit(labels)) if labels else CLEAN
        return CLEAN

    def _method_target(self, recv: Val, method: str, depth: int) -> Val:
        o = recv.obj
        if o is None:
            return Val(recv.labels, None, None)
        if o.type in ("xinst", "xclass", "xmod"):
            return self._attr(recv, method, depth + 1)
        # a typed object of a library model: its method
        return Val(recv.labels, None, Obj("method", (("name", method), ("recv", o))))

    def _call(self, rel: str, rec: dict, target: Val, args: list, kwargs: dict, depth: int) -> Val:
        o = target.obj
        if o is None:
            return CLEAN
        if o.type == "xfunc":
            mod, q = o.get("mod"), o.get("q")
            f = self.mods[mod].funcs.get(q)
            if f is None:
                return CLEAN
            skip = 1 if o.get("self") and f.params[:1] in (["self"], ["cls"]) else 0
            bound = {}
            for i, v in enumerate(args):
                if skip + i < len(f.params):
                    bound[skip + i] = v
            index = {n: i for i, n in enumerate(f.params)}
            for k, v in kwargs.items():
                if k in index:
                    bound[index[k]] = v
            self._param_events(mod, f, bound, rel, rec)
            return self.concrete(mod, self.shell._subst_val(f.ret, bound), depth + 1)
        if o.type == "xclass":
            mod, q = o.get("mod"), o.get("q")
            c = self.mods[mod].classes.get(q, {})
            init = c.get("methods", {}).get("__init__")
            if init is not None:
                f = self.mods[mod].funcs.get(init)
                if f is not None:
                    bound = {i + 1: v for i, v in enumerate(args) if i + 1 < len(f.params)}
                    index = {n: i for i, n in enumerate(f.params)}
                    for k, v in kwargs.items():
                        if k in index:
                            bound[index[k]] = v
                    self._param_events(mod, f, bound, rel, rec)
                    # self.text = text: the instance holds the argument under that field
                    keys = tuple((a, bound[i]) for a, i in c.get("given", ()) if i in bound)
                    if keys:
                        return Val(obj=Obj("xinst", (("mod", mod), ("q", q))), keys=keys)
            return Val(obj=Obj("xinst", (("mod", mod), ("q", q))))
        if o.type == "method":
            recv_obj = o.get("recv")
            name = o.get("name")
            site = self._site(rel, rec, Val(target.labels, None, recv_obj), args, kwargs, name)
            return self._model_method(rel, rec, recv_obj, name, site)
        if o.type == "ref":
            q = o.get("q")
            site = self._site(rel, rec, None, args, kwargs, q.rsplit(".", 1)[-1])
            site.q = q
            handlers = self.reg.calls.get(q)
            if handlers:
                return self._apply(rel, rec, handlers, site)
            return CLEAN
        if o.path:  # client.chat.completions.create reached as one imported name
            name = o.path[-1]
            site = self._site(rel, rec, target, args, kwargs, name)
            return self._model_method(rel, rec, Obj(o.type, o.attrs, o.path[:-1]), name, site)
        # calling a typed object: llm(prompt)
        site = self._site(rel, rec, target, args, kwargs, "__call__")
        return self._model_method(rel, rec, o, "__call__", site)

    def _site(self, rel: str, rec: dict, recv: Val | None, args, kwargs, name: str) -> CallSite:
        info = self.infos.get(rel)
        if info is None:
            s = self.mods[rel]
            meta = getattr(s, "meta", {}) or {}
            info = self.infos[rel] = ModuleInfo(
                rel, bool(meta.get("notebook")), set(meta.get("imports", ())),
                bool(meta.get("library")), bool(meta.get("tutorial")), bool(meta.get("script")))
            info.registry = self.reg
        return CallSite(None, rec.get("dotted"), name, recv, rec.get("recv_name"), args, kwargs,
                        False, "**" in kwargs, info, rec.get("line", 0), rec.get("func", ""))

    def _model_method(self, rel: str, rec: dict, o: Obj, name: str, site: CallSite) -> Val:
        table = self.reg.methods.get(o.type) or {}
        tail = ".".join((*o.path, name)) if o.path else name
        handlers = table.get(tail) or (table.get(name) if o.path else None) or table.get("*")
        site.name = name
        got = self._apply(rel, rec, handlers, site, None) if handlers else None
        if got is None and site.recv is not None:
            # a method the object's model does not know (``content.strip()``): as in a module
            return self.shell.value_method(site.recv, name, site)
        return got if got is not None else CLEAN

    def _apply(self, rel: str, rec: dict, handlers, site: CallSite,
               missing: Val | None = CLEAN) -> Val | None:
        """The first handler's result (its uses are events); ``missing`` when none has one."""
        for h in handlers:
            got = h(site)
            if got is None:
                continue
            if isinstance(got, Outcome):
                for use in got.uses:
                    labels = flat(use.value)
                    if not labels and not use.args and not use.info.get("always"):
                        continue
                    ev = Event(use.sink, dict(use.info), Val(labels) if labels else CLEAN,
                               dict(use.args), rec["pos"], rec["context"], rec.get("func", ""), ())
                    ev.module = rel
                    self._add(ev)
                return got.ret if got.ret is not None else CLEAN
            return got
        return missing

    def _param_events(self, mod: str, f: FuncSummary, bound: dict, rel: str, rec: dict) -> None:
        """The callee's parameter events with the caller's arguments: events at the callee's
        sink, reached from the caller's call."""
        for ev in f.events:
            value = self.shell._subst_val(ev.value, bound)
            args = {k: self.shell._subst_val(v, bound) for k, v in ev.args.items()}
            value = self.concrete(mod, value)
            before = {lb for lb in flat(ev.value) if lb.kind != PARAM}
            labels = frozenset(lb for lb in value.labels if lb.kind != PARAM and lb not in before)
            if not labels and not any(flat(v) - {lb for lb in flat(v) if lb.kind == PARAM} or v.consts
                                      for v in args.values()):
                continue
            via = ((f.qual.rsplit(".", 1)[-1], rec["pos"].line), *ev.via)
            new = Event(ev.sink, ev.info, Val(labels) if labels else CLEAN, args, ev.pos,
                        ev.context, ev.func, via, rec["pos"], rec["context"], ev.home)
            new.module = mod
            new.info = dict(ev.info, caller=rel)
            self._add(new)

    def _add(self, ev: Event) -> None:
        key = (ev.module, ev.info.get("caller", ""), ev.key())
        if key in self._emitted:
            return
        self._emitted.add(key)
        self.new_events.append(ev)

    # ------------------------------------------------------------------ driver
    def events(self) -> list[Event]:
        """Every event of the project, concrete: the modules' own (``ext`` labels resolved)
        and those the links create. Events that still only hold parameters are dropped (their
        calls reported them)."""
        out: list[Event] = []
        for rel in sorted(self.mods):
            s = self.mods[rel]
            for c in s.ext_calls:
                self.resolve(rel, c["id"])
            for ev in s.events:
                value = self.concrete(rel, ev.value)
                args = {k: self.concrete(rel, v) for k, v in ev.args.items()}
                labels = frozenset(lb for lb in value.labels if lb.kind != PARAM)
                if not labels and not args and not ev.info.get("always"):
                    continue
                new = replace(ev, value=Val(labels) if labels else CLEAN, args=args)
                new.module = rel
                out.append(new)
        seen = {(e.module, e.info.get("caller", ""), e.key()) for e in out}
        for ev in self.new_events:
            key = (ev.module, ev.info.get("caller", ""), ev.key())
            if key not in seen:
                seen.add(key)
                out.append(ev)
        out.sort(key=lambda e: (e.module, e.pos.line, e.pos.col, e.sink, e.info.get("caller", ""),
                                e.call.line if e.call else 0))
        return out


def _module_index(rels: list[str]) -> dict[str, list[str]]:
    """Every dotted name a module file may be imported as: ``a/b/c.py`` -> ``a.b.c``, ``b.c``,
    ``c``; ``a/b/__init__.py`` -> ``a.b``, ``b``; a ``src/`` folder is no package."""
    index: dict[str, list[str]] = {}
    for rel in rels:
        if not rel.endswith(".py"):
            continue
        parts = rel[:-3].split("/")
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if not parts or not all(p.isidentifier() for p in parts[-1:]):
            continue
        for i in range(len(parts)):
            name = ".".join(parts[i:])
            if all(p.isidentifier() for p in parts[i:]):
                index.setdefault(name, []).append(rel)
    return index


def _nearest(cands: list[str], importer: str) -> str:
    def score(rel: str) -> tuple:
        a, b = rel.split("/"), importer.split("/")
        common = 0
        for x, y in zip(a, b):
            if x != y:
                break
            common += 1
        return (-common, len(a), rel)
    return min(cands, key=score)
