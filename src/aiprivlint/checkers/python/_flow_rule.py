"""Flow rules: rules that report what the dataflow engine finds reaching a sink.

A flow rule declares, as data, the sinks it judges (``sinks``), any library knowledge only it
needs (``model``: AIP504's biometric calls), and a ``gate`` (a necessary condition, on the ast
:class:`~aiprivlint.checkers.python._ast_base.Summary`, for a module to hold part of one of its
flows). It writes its messages in ``judge``; it holds no interpreter.

Phase 1 (per file, in ``PythonChecker``): a module whose gate passes for some selected flow rule
is analysed once by the engine, whatever the number of flow rules; its summary (plain data)
goes with the file's results and into the cache.

Phase 2 (per project, :func:`decide`): the summaries of the project are linked
(:class:`~aiprivlint.flow.link.Linker`), and every event is offered to the rules that judge its
sink. A rule reports at the event's position or at the call that led to it (:class:`Context`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Iterable

from ...findings import Fact, Finding, ScanError, Severity
from ...flow.model import Model
from ...flow.summary import Event, ModuleSummary, Pos
from ...flow.values import Val, flat
from ._ast_base import Summary


class FlowRule:
    rule_id: ClassVar[str] = ""
    sinks: ClassVar[frozenset] = frozenset()
    model: ClassVar[Model | None] = None
    # words one of which a module's text holds when the gate can pass (a necessary condition,
    # as CodeRule.needs): a module without any is not parsed for this rule; None: every module
    needs: ClassVar[tuple[str, ...] | None] = None
    test_code: ClassVar[str] = "check"  # as RuleBase.test_code
    facts_only: ClassVar[bool] = False
    VALID: ClassVar[list[str]] = []
    INVALID: ClassVar[list[str]] = []

    @classmethod
    def gate(cls, summary: Summary) -> bool:
        return True

    def judge(self, ev: Event, ctx: "Context") -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def finish(self, ctx: "Context") -> None:
        """After every event of the project: rules that merge or count report here."""


@dataclass
class Context:
    """What a rule sees in phase 2: the project's module summaries, and where results go."""

    modules: dict  # rel -> ModuleSummary
    options: dict
    findings: list = field(default_factory=list)
    facts: list = field(default_factory=list)

    def meta(self, rel: str) -> dict:
        s = self.modules.get(rel)
        return s.meta if s is not None else {}

    def role(self, rel: str, func: str) -> dict | None:
        s = self.modules.get(rel)
        if s is None or not func:
            return None
        f = s.funcs.get(func)
        return f.role if f is not None else None

    def enclosing_roles(self, rel: str, func: str) -> list:
        """The roles of ``func`` and of the functions it is nested in."""
        out = []
        parts = func.split(".") if func else []
        for i in range(len(parts), 0, -1):
            r = self.role(rel, ".".join(parts[:i]))
            if r:
                out.append(r)
        return out

    def report(self, rule: str, rel: str, pos: Pos, context: str, message: str,
               details: dict | None = None, severity: Severity | None = None) -> Finding:
        details = dict(details or {})
        if pos.cell is not None:
            details.setdefault("cell", pos.cell)
        f = Finding(rule=rule, line=pos.line, column=pos.col, message=message,
                    end_line=pos.end_line, end_column=pos.end_col, details=details,
                    context=context, severity=severity)
        f.path = rel
        self.findings.append(f)
        return f

    def fact(self, kind: str, rel: str, line: int, **data: Any) -> None:
        self.facts.append(Fact(kind=kind, path=rel, line=line, data=data))


def all_flow_rules() -> list[type[FlowRule]]:
    from .. import all_subclasses, import_submodules

    import_submodules("aiprivlint.checkers.python")
    seen = {f"{c.__module__}.{c.__qualname__}": c for c in all_subclasses(FlowRule)
            if c.rule_id and not getattr(c, "abstract", False)}
    return [seen[k] for k in sorted(seen)]


def flow_registry(rules: Iterable[type[FlowRule]]):
    from ...models import registry

    return registry(tuple(r.model for r in rules if r.model is not None))


MAX_HOPS = 2  # import-graph hops from an analysed module to the helpers analysed on demand
MAX_ON_DEMAND = 400  # modules analysed on demand per project


# objects everybody imports that start no flow of their own (a logger: its importers' sources
# make them analysed anyway)
_COMMON_OBJECTS = ("func", "class", "ref", "ext", "log.logger", "inst", "cli.parser",
                   "cli.namespace", "path", "data.frame")


def _offers(s: ModuleSummary) -> bool:
    """Whether a module gives its importers something a flow can use: a function whose
    parameters reach a sink or whose result holds a label or a model's object (a client), or a
    top-level value with a label or such an object."""
    def useful(v: Val) -> bool:
        return any(lb.kind not in ("param", "ext") for lb in v.labels) or (
            v.obj is not None and v.obj.type not in _COMMON_OBJECTS)

    if any(f.events or useful(f.ret) for f in s.funcs.values()):
        return True
    return any(useful(v) for v in s.exports.values())


def _wants(s: ModuleSummary) -> set[str]:
    """The dotted names a module calls into other modules with something to follow (labelled
    arguments, or a result that reaches one of its events), and the imported values that reach
    one of its events (``from .config import DELTA`` at a DP call)."""
    used = {lb.tag for ev in s.events
            for v in (ev.value, *ev.args.values()) for lb in v.labels if lb.kind == "ext"}
    out = {tag[7:] for tag in used if tag.startswith("import:")}
    for c in s.ext_calls:
        if c["id"] in used or any(flat(v) for v in c["args"]) or \
                any(flat(v) for v in c["kwargs"].values()):
            ref = c["ref"]
            if ref.startswith("import:"):
                out.add(ref[7:])
    return out


def neighbours(projects: list[tuple[dict, dict, list[str]]], load) -> list[dict[str, ModuleSummary]]:
    """Analyse on demand the modules phase 1 left out that a flow may cross: a helper an
    analysed module calls with something to follow, a module that imports a function or value
    an analysed module offers; up to ``MAX_HOPS`` imports away, ``MAX_ON_DEMAND`` at most per
    project. ``projects``: (analysed rel -> summary, left-out rel -> its imports, every rel)
    for each project; one hop of every project is loaded in one batch (in parallel)."""
    from ...flow.link import Modules

    states = []
    for full, lite, rels in projects:
        finder = Modules(rels)
        importers: dict[str, set[str]] = {}
        for rel, names in lite.items():
            for name in names:
                found = finder.module_of(name, rel)
                if found is not None and found[0] != rel:
                    importers.setdefault(found[0], set()).add(rel)
        states.append({"finder": finder, "importers": importers, "lite": lite,
                       "mods": dict(full), "frontier": dict(full), "budget": MAX_ON_DEMAND})
    for _ in range(MAX_HOPS):
        batch: list[str] = []
        owner: dict[str, dict] = {}
        for st in states:
            if not st["frontier"]:
                continue
            todo = [r for r in dict.fromkeys(_todo(st)) if r not in st["mods"]]
            todo = todo[:max(st["budget"], 0)]
            st["budget"] -= len(todo)
            st["frontier"] = {}
            for rel in todo:
                owner[rel] = st
            batch.extend(todo)
        if not batch:
            break
        for rel, got in zip(batch, load(batch)):
            if got is not None:
                st = owner[rel]
                st["mods"][rel] = st["frontier"][rel] = got
    return [st["mods"] for st in states]


def _todo(st: dict) -> list[str]:
    """The left-out modules a flow may cross from the last hop's modules."""
    finder, lite, mods, importers = st["finder"], st["lite"], st["mods"], st["importers"]
    todo: list[str] = []
    for rel in sorted(st["frontier"]):
        s = st["frontier"][rel]
        for name in sorted(_wants(s)):
            found = finder.module_of(name, rel)
            if found is not None and found[0] in lite and found[0] not in mods:
                todo.append(found[0])
        if _offers(s):
            todo.extend(r for r in sorted(importers.get(rel, ())) if r not in mods)
    return todo


def decide(projects, summaries: dict[str, ModuleSummary], selected: frozenset[str],
           options: dict, lite: dict[str, list] | None = None,
           load=None) -> tuple[list[Finding], list[Fact], list[ScanError]]:
    """Phase 2 of every selected flow rule, project by project (``summaries``: rel -> summary
    of the modules phase 1 analysed; ``lite``: rel -> imports of the others, ``load(rels)``
    analyses some of those on demand: a summary, or None, for each). A project the linker
    fails on is an ``errors`` entry; the other projects still get their findings."""
    rules = [r for r in all_flow_rules() if r.rule_id in selected]
    lite = lite or {}
    if not rules or not summaries:
        return [], [], []
    findings: list[Finding] = []
    facts: list[Fact] = []
    errors: list[ScanError] = []
    todo = []
    for proj in projects:
        mods = {rel: summaries[rel] for rel in proj.files if rel in summaries}
        if mods:
            plite = {rel: lite[rel] for rel in proj.files if rel in lite}
            todo.append((proj, (mods, plite, [r for r in proj.files if r in mods or r in plite])))
    if load is not None:
        grown = neighbours([t for _, t in todo], load)
    else:
        grown = [mods for _, (mods, _l, _r) in todo]
    for (proj, _), mods in zip(todo, grown):
        try:
            f1, f2 = _decide_project(rules, mods, options)
        except RecursionError:
            errors.append(ScanError(proj.root, "flow rules: the project's modules nest too "
                                    "deeply to link; its cross-module flows are not checked",
                                    "parse"))
            continue
        except Exception as exc:  # noqa: BLE001 - one project must not stop the others
            import os
            errors.append(ScanError(proj.root, f"internal error in the dataflow linker: "
                                    f"{type(exc).__name__}"
                                    + (f": {exc}" if os.environ.get("AIPRIVLINT_DEBUG") else ""),
                                    "internal"))
            continue
        findings.extend(f1)
        facts.extend(f2)
    return findings, facts, errors


def _decide_project(rules, mods: dict[str, ModuleSummary], options: dict
                    ) -> tuple[list[Finding], list[Fact]]:
    from ...flow.link import Linker

    reg = flow_registry(all_flow_rules())
    instances = [r() for r in rules]
    ctx = Context(mods, options)
    linker = Linker(reg, mods)
    table: dict[str, list[FlowRule]] = {}
    for inst in instances:
        for s in inst.sinks:
            table.setdefault(s, []).append(inst)
    for ev in linker.events():
        for inst in table.get(ev.sink, ()):
            inst.judge(ev, ctx)
    for inst in instances:
        inst.finish(ctx)
    facts = list(ctx.facts)
    for rel, s in mods.items():
        for kind, line, data in s.facts:
            facts.append(Fact(kind=kind, path=rel, line=line, data=dict(data)))
    return ctx.findings, facts
