"""AIP502 unsafe-deserialization, the cross-module half. Docs live in rules/AIP502.toml.

How the check works: the code rule (``checkers/python/unsafe_deserialization.py``) keeps a load
of a file named in the code as a ``deserialise-file`` fact {name, message, severity, position},
and records every file name a module writes (``pickle.dump`` into ``open("results.pkl", "wb")``,
``torch.save(x, path / "ckpt.pt")``, ``np.save("clusters", a)``) as a ``writes-file`` fact. Per
project, a load of a file some module of the project writes is its own artefact (a plotting
notebook reading the server's results, step 3 of a pipeline reading what step 2 saved) and stays
quiet; the others are reported as the code rule would have.
"""

from __future__ import annotations

from collections.abc import Callable

from ...findings import Finding, Severity
from ...project import Project, ProjectRule


class OwnArtefacts(ProjectRule):
    rule_id = "AIP502"

    def decide(self, project: Project, emit: Callable[[Finding], None]) -> None:
        loads = project.facts_of("deserialise-file")
        if not loads:
            return
        written = {str(f.data.get("name")) for f in project.facts_of("writes-file")}
        for fact in loads:
            d = fact.data
            if str(d.get("name")) in written:
                continue
            details = {"cell": d["cell"]} if d.get("cell") is not None else {}
            severity = Severity.parse(d["severity"]) if d.get("severity") else None
            f = Finding(rule=self.rule_id, line=max(fact.line, 1), column=int(d.get("column", 1)),
                        message=str(d.get("message")), end_line=int(d.get("end_line", 0)),
                        end_column=int(d.get("end_column", 0)), details=details,
                        context=str(d.get("context", "")), severity=severity)
            f.path = fact.path
            emit(f)
