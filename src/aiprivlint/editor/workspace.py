"""What the language server knows of one workspace, without any LSP in it.

Two sources of findings for an open file:

- the rules a file decides alone run live on the editor's buffer (``Engine.scan_buffer``);
- the rules decided for a whole project (``Engine.phase2_rules``: project rules and flow rules)
  come from the last full scan of the workspace, the real ``aiprivlint check`` in a
  subprocess, which answers from ``.aiprivlint_cache/`` for the files that did not change.
  They are republished as they are until the next full scan (on save).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from ..config import Config, find_config, load_config, selected_rules
from ..discovery import display_path
from ..findings import Finding, Severity
from ..registry import Rule, load_rules


def finding_from_json(doc: dict) -> Finding:
    """A finding of ``check --format json`` as a Finding (what the JSON report keeps)."""
    f = Finding(rule=doc["rule"], line=int(doc["line"]), column=int(doc["column"]),
                message=doc["message"], end_line=int(doc["end_line"]),
                end_column=int(doc["end_column"]), details=doc.get("details") or {},
                path=doc["path"], name=doc.get("name", ""), category=doc.get("category", ""),
                confidence=doc.get("confidence", ""), help_uri=doc.get("help_uri", ""),
                fingerprint=doc.get("fingerprint", ""))
    if doc.get("severity"):
        f.severity = Severity.parse(doc["severity"])
    nb = doc.get("notebook") or {}
    f.cell, f.cell_line = int(nb.get("cell", 0)), int(nb.get("line", 0))
    return f


class Linter:
    """The configuration, rules and engine of one workspace root, and the last full scan."""

    def __init__(self, root: Path) -> None:
        from ..engine import Engine

        self.root = root.resolve()
        self.rules: dict[str, Rule] = load_rules()
        self.cfg: Config = load_config(find_config(self.root), self.rules)
        selected = selected_rules(self.cfg, self.rules, set(self.rules))
        self.engine = Engine(self.cfg, self.rules, selected, jobs=1, cwd=self.root)
        self.phase2 = self.engine.phase2_rules()
        self.project: dict[str, list[Finding]] = {}  # rel -> phase-2 findings of the last full scan
        self.scanned = False

    def rel(self, path: Path) -> str:
        return display_path(path, self.root)

    def live(self, path: Path, text: str) -> list[Finding]:
        """The file's own rules on ``text`` (the buffer), fingerprinted as in a full scan."""
        report = self.engine.scan_buffer(path, text.encode("utf-8", "surrogatepass"))
        return [] if report is None else report.findings

    def findings(self, path: Path, live: list[Finding]) -> list[Finding]:
        """What to show for an open file: its live findings and the last full scan's
        project-level ones."""
        return sorted(live + self.project.get(self.rel(path), []), key=Finding.sort_key)

    def full_scan_command(self) -> list[str]:
        """The full scan: the real command line, run from the root (paths relative to it)."""
        return [sys.executable, "-m", "aiprivlint", "check", str(self.root), "--format", "json",
                "--exit-zero", "--quiet"]

    def full_scan_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("FORCE_COLOR", None)
        env["NO_COLOR"] = "1"
        return env

    def take_full_scan(self, stdout: str) -> None:
        """Keep the project-level findings of a full scan's JSON report."""
        doc = json.loads(stdout)
        project: dict[str, list[Finding]] = {}
        for item in doc.get("findings", []):
            if item.get("rule") in self.phase2:
                f = finding_from_json(item)
                project.setdefault(f.path, []).append(f)
        self.project = project
        self.scanned = True
