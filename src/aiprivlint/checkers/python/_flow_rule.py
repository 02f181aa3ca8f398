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

from ...findings import Fact, Finding, Severity
from ...flow.model import Model
from ...flow.summary import Event, ModuleSummary, Pos
from ._ast_base import Summary


class FlowRule:
    rule_id: ClassVar[str] = ""
    sinks: ClassVar[frozenset] = frozenset()
    model: ClassVar[Model | None] = None
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


def decide(projects, summaries: dict[str, ModuleSummary], selected: frozenset[str],
           options: dict) -> tuple[list[Finding], list[Fact]]:
    """Phase 2 of every selected flow rule, project by project (``summaries``: rel -> summary
    of the modules phase 1 analysed)."""
    from ...flow.link import Linker

    rules = [r for r in all_flow_rules() if r.rule_id in selected]
    if not rules or not summaries:
        return [], []
    reg = flow_registry(all_flow_rules())
    findings: list[Finding] = []
    facts: list[Fact] = []
    by_sink: dict[str, list[FlowRule]] = {}
    for proj in projects:
        mods = {rel: summaries[rel] for rel in proj.files if rel in summaries}
        if not mods:
            continue
        instances = [r() for r in rules]
        for inst in instances:
            for s in inst.sinks:
                by_sink.setdefault(s, [])
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
        findings.extend(ctx.findings)
        facts.extend(ctx.facts)
        for rel, s in mods.items():
            for kind, line, data in s.facts:
                facts.append(Fact(kind=kind, path=rel, line=line, data=dict(data)))
    return findings, facts
