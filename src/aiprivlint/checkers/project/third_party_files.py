"""AIP302 personal-data-to-third-party, the cross-file half. Docs live in rules/AIP302.toml.

How the check works: the code rule (``checkers/python/third_party.py``) emits a
``third-party-file-flow`` fact {provider, api, file, field} where a value read from a file named
by a literal path (``pd.read_csv("data/customers.csv")``) reaches a model API call; ``field`` is
the column the code selected (``df["notes"]``), or empty when the whole content goes. Per
project, this rule resolves the path (relative to the script's folder, the project root or the
scan root; else a unique file whose path ends with it) against the ``personal-data`` facts of
AIP101 (values validated as personal data in data files) and reports the API call when the file
holds personal data — in the selected column, when one was selected.
"""

from __future__ import annotations

from collections.abc import Callable

from ...findings import Fact, Finding, Severity
from ...project import Project, ProjectRule, resolve_data_path


class PersonalFileToThirdParty(ProjectRule):
    rule_id = "AIP302"
    depends_on = ("AIP101",)

    def decide(self, project: Project, emit: Callable[[Finding], None]) -> None:
        flows = project.facts_of("third-party-file-flow")
        if not flows:
            return
        pii: dict[str, list[Fact]] = {}
        for f in project.facts_of("personal-data"):
            if f.data.get("source") == "AIP101":
                pii.setdefault(f.path, []).append(f)
        if not pii:
            return
        files = set(pii)
        by_call: dict[tuple[str, int], list[tuple[Fact, str, list[Fact]]]] = {}
        for flow in flows:
            target = resolve_data_path(str(flow.data.get("file", "")), flow.path, project.root, files)
            if target is None:
                continue
            found = pii[target]
            columns = set(filter(None, str(flow.data.get("field") or "").split(",")))
            if columns:
                found = [f for f in found if f.data.get("field") in (None, "")
                         or str(f.data.get("field")).rsplit(".", 1)[-1] in columns]
            dropped = set(flow.data.get("dropped") or ())
            if dropped:
                found = [f for f in found if str(f.data.get("field")).rsplit(".", 1)[-1] not in dropped]
            if found:
                by_call.setdefault((flow.path, flow.line), []).append((flow, target, found))
        for (_, _), items in sorted(by_call.items()):
            flow, target, found = items[0]
            entities = sorted({str(f.data.get("entity")) for f in found if f.data.get("entity")})
            fields = sorted({str(f.data.get("field")) for f in found if f.data.get("field")})
            where = f" in column {', '.join(repr(x) for x in fields[:3])}" if fields else ""
            more = f" (and {len(items) - 1} more file(s))" if len(items) > 1 else ""
            column = f", column '{flow.data['field']}'" if flow.data.get("field") else ""
            message = (f"Personal data sent to {flow.data.get('provider')} by "
                       f"{flow.data.get('api')}(): data read from {target}{column} "
                       f"({flow.data.get('read')}), where AIP101 found "
                       f"{', '.join(entities) or 'personal data'}{where}{more}. Redact or "
                       "pseudonymise it before the call, or send only non-personal columns")
            emit(self.finding(
                self.rule_id, flow, message,
                details={"provider": flow.data.get("provider"), "api": flow.data.get("api"),
                         "file": target, "field": flow.data.get("field") or None,
                         "entities": entities, "source": "file"},
                severity=Severity.HIGH,
                context=f"AIP302|file|{target}|{flow.data.get('field')}|{flow.data.get('api')}"))
