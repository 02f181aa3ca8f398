"""AIP502 unsafe-deserialization, the cross-module half. Docs live in rules/AIP502.toml.

How the check works: the code rule (``checkers/python/unsafe_deserialization.py``) keeps a load
of a file named in the code as a ``deserialise-file`` fact {name, message, severity, position},
and records every file name a module writes (``pickle.dump`` into ``open("results.pkl", "wb")``,
``torch.save(x, path / "ckpt.pt")``, ``np.save("clusters", a)``) as a ``writes-file`` fact. Per
project, a load of a file some module of the project writes is its own artefact (a plotting
notebook reading the server's results, step 3 of a pipeline reading what step 2 saved) and stays
quiet; the others are reported as the code rule would have.

Every other load of a serialisation format (pickle, torch, joblib, numpy) is decided here too:

- a file the code does not name (a parameter, a glob, a path built at run time) is the project's
  own artefact when the project writes that format to files itself (``writes-format``): the plot
  notebook that reads whatever results the server pickled, the evaluation script that loads the
  checkpoints training saved;
- bytes (``pickle.loads(data)``) are a message of the project's own protocol when the project
  serialises that format itself (a worker's pickled reply, a queue item, a blob it stored),
  unless they arrive in a request (``deserialise-request`` facts of
  ``checkers/python/deserialised_request.py``): a server that unpickles its request body runs
  the code of whoever can reach it;
- ``torch.load`` without ``weights_only`` loads weights only (the default from torch 2.6) when
  every torch constraint the project declares (``requires`` facts of
  ``checkers/dependencies.py``) allows no torch below 2.6.
"""

from __future__ import annotations

from collections.abc import Callable

from ...findings import Fact, Finding, Severity
from ...project import Project, ProjectRule
from ..dependencies import at_least


class OwnArtefacts(ProjectRule):
    rule_id = "AIP502"

    def decide(self, project: Project, emit: Callable[[Finding], None]) -> None:
        loads = project.facts_of("deserialise-file")
        if not loads:
            return
        written = {str(f.data.get("name")) for f in project.facts_of("writes-file")}
        formats = project.facts_of("writes-format")
        to_files = {f.data.get("format") for f in formats if f.data.get("to") == "file"}
        serialised = {f.data.get("format") for f in formats}
        torch_safe = _requires_at_least(project.facts_of("requires"), "torch", TORCH_WEIGHTS_ONLY)
        from_requests = {(f.path, f.line) for f in project.facts_of("deserialise-request")}
        for fact in loads:
            d = fact.data
            if (fact.path, fact.line) in from_requests:
                self._emit(fact, emit)
                continue
            if d.get("name") is not None and str(d.get("name")) in written:
                continue
            if d.get("name") is None and d.get("via") == "file" and d.get("format") in to_files:
                continue
            if d.get("via") == "bytes" and d.get("format") in serialised:
                continue
            if d.get("torch_default") and torch_safe:
                continue
            self._emit(fact, emit)

    def _emit(self, fact: Fact, emit: Callable[[Finding], None]) -> None:
        """The finding the code rule deferred, as it would have reported it."""
        d = fact.data
        details = {"cell": d["cell"]} if d.get("cell") is not None else {}
        severity = Severity.parse(d["severity"]) if d.get("severity") else None
        f = Finding(rule=self.rule_id, line=max(fact.line, 1), column=int(d.get("column", 1)),
                    message=str(d.get("message")), end_line=int(d.get("end_line", 0)),
                    end_column=int(d.get("end_column", 0)), details=details,
                    context=str(d.get("context", "")), severity=severity)
        f.path = fact.path
        emit(f)


TORCH_WEIGHTS_ONLY = (2, 6)  # torch.load defaults to weights_only=True from this release


def _requires_at_least(requires: list[Fact], package: str, floor: tuple[int, ...]) -> bool:
    """The project declares ``package`` and every constraint on it allows nothing below ``floor``."""
    lows = [str(f.data.get("min")) for f in requires if f.data.get("package") == package]
    return bool(lows) and all(at_least(low, floor) for low in lows)
