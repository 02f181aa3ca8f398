"""``aiprivlint server``: a Language Server over stdio (pygls).

- diagnostics on didOpen, didChange (debounced) and didSave: the file's own rules run on the
  buffer; project-level rules come from the last full scan (``workspace.Linter``), which runs
  when the client is initialized and again after each save;
- code actions: the rules' fixes (``aiprivlint.fixes``, as ``check --fix`` applies them: a
  safe fix is the preferred quick fix, an unsafe one says so in its title), and suppressing the
  finding on its line or in the file (``suppress``);
- hover over a finding: the rule's ``aiprivlint explain`` text.

A diagnostic's message is the finding's message, which is masked when the finding is made: it
never quotes a detected personal value or secret.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from .. import __version__
from ..findings import Finding, Severity
from ..fixes import fixes_for
from . import suppress
from .workspace import Linter

SOURCE = "aiprivlint"
DEBOUNCE_SECONDS = 0.25
SEVERITY = {Severity.CRITICAL: types.DiagnosticSeverity.Error,
            Severity.HIGH: types.DiagnosticSeverity.Error,
            Severity.MEDIUM: types.DiagnosticSeverity.Warning,
            Severity.LOW: types.DiagnosticSeverity.Information}
log = logging.getLogger(__name__)


class AiprivlintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("aiprivlint", __version__,
                         text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.linter: Linter | None = None
        self.live: dict[str, list[Finding]] = {}  # uri -> live findings of the buffer
        self.shown: dict[str, list[Finding]] = {}  # uri -> findings last published
        self.pending: dict[str, asyncio.Task] = {}
        # one scan at a time: the checkers are shared, and the machine's CPUs are the user's
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aiprivlint-scan")
        self.full_task: asyncio.Task | None = None
        self.full_again = False

    # -- state -----------------------------------------------------------------------------------
    def get_linter(self) -> Linter | None:
        if self.linter is None:
            root = Path(self.workspace.root_path or ".")
            try:
                self.linter = Linter(root)
            except Exception as exc:  # noqa: BLE001 - a bad config: say so, serve nothing
                self.window_show_message(types.ShowMessageParams(
                    type=types.MessageType.Error, message=f"aiprivlint: {exc}"))
                return None
        return self.linter

    def lines(self, uri: str) -> list[str]:
        return self.workspace.get_text_document(uri).lines

    def publish(self, uri: str) -> None:
        linter = self.get_linter()
        path = _path(uri)
        if linter is None or path is None:
            return
        findings = linter.findings(path, self.live.get(uri, []))
        self.shown[uri] = findings
        doc = self.workspace.get_text_document(uri)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=uri, version=doc.version,
            diagnostics=[self.diagnostic(f, doc.lines) for f in findings]))

    def diagnostic(self, f: Finding, lines: list[str]) -> types.Diagnostic:
        rng = self.workspace.position_codec.range_to_client_units(lines, _range(f, lines))
        return types.Diagnostic(
            range=rng, message=f.message, source=SOURCE, code=f.rule,
            code_description=types.CodeDescription(href=f.help_uri) if f.help_uri else None,
            severity=SEVERITY.get(f.severity or Severity.MEDIUM, types.DiagnosticSeverity.Warning),
            data={"fingerprint": f.fingerprint, "rule": f.rule})

    async def scan_live(self, uri: str, delay: float = 0.0) -> None:
        if delay:
            await asyncio.sleep(delay)
        linter, path = self.get_linter(), _path(uri)
        if linter is None or path is None:
            return
        doc = self.workspace.get_text_document(uri)
        version, text = doc.version, doc.source
        loop = asyncio.get_running_loop()
        try:
            found = await loop.run_in_executor(self.executor, linter.live, path, text)
        except Exception as exc:  # noqa: BLE001 - one bad buffer must not stop the server
            log.error("aiprivlint: scan of %s failed: %s", path, type(exc).__name__)
            return
        current = self.workspace.text_documents.get(uri)
        if current is None or current.version != version:
            return  # closed or edited meanwhile: a newer scan is on its way
        self.live[uri] = found
        self.publish(uri)

    def schedule_live(self, uri: str, delay: float) -> None:
        old = self.pending.pop(uri, None)
        if old is not None:
            old.cancel()
        self.pending[uri] = asyncio.ensure_future(self.scan_live(uri, delay))

    def schedule_full(self) -> None:
        if self.full_task is not None and not self.full_task.done():
            self.full_again = True
            return
        self.full_task = asyncio.ensure_future(self.full_scan())

    async def full_scan(self) -> None:
        linter = self.get_linter()
        if linter is None:
            return
        while True:
            self.full_again = False
            proc = await asyncio.create_subprocess_exec(
                *linter.full_scan_command(), cwd=str(linter.root), env=linter.full_scan_env(),
                stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE)
            out, err = await proc.communicate()
            if proc.returncode == 0:
                try:
                    linter.take_full_scan(out.decode("utf-8"))
                except (ValueError, KeyError, TypeError) as exc:
                    log.error("aiprivlint: unreadable full scan report: %s", type(exc).__name__)
            else:
                last = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
                self.window_show_message(types.ShowMessageParams(
                    type=types.MessageType.Warning,
                    message=f"aiprivlint: the project scan failed: {last[0]}"))
            for uri in list(self.workspace.text_documents):
                if uri in self.live:
                    self.publish(uri)
            if not self.full_again:
                return

    def finding_at(self, uri: str, fingerprint: str) -> Finding | None:
        return next((f for f in self.shown.get(uri, []) if f.fingerprint == fingerprint), None)


def _path(uri: str) -> Path | None:
    if not uri.startswith("file:"):
        return None
    fs = to_fs_path(uri)
    return Path(fs) if fs else None


def _range(f: Finding, lines: list[str]) -> types.Range:
    """The finding's place, 0-based in code points: its columns are 1-based, its end column
    exclusive; an empty range becomes the rest of the line (visible in every editor)."""
    last = max(len(lines) - 1, 0)
    line = min(max(f.line - 1, 0), last)
    text = lines[line].rstrip("\r\n") if lines else ""
    start = min(max(f.column - 1, 0), len(text))
    end_line = min(max(f.end_line - 1, line), last)
    end = max(f.end_column - 1, 0)
    if end_line == line and end <= start:
        end = len(text)
    if end_line != line:
        end = min(end, len(lines[end_line].rstrip("\r\n")))
    else:
        end = min(end, len(text))
    return types.Range(start=types.Position(line=line, character=start),
                       end=types.Position(line=end_line, character=end))


def _contains(rng: types.Range, pos: types.Position) -> bool:
    after_start = (pos.line, pos.character) >= (rng.start.line, rng.start.character)
    before_end = (pos.line, pos.character) <= (rng.end.line, rng.end.character)
    return after_start and before_end


def _fix_actions(ls: AiprivlintServer, uri: str, path: Path, text: str,
                 findings: list[Finding], diagnostics: dict[str, types.Diagnostic]
                 ) -> list[types.CodeAction]:
    """The fixes of ``findings`` as code actions (``aiprivlint.fixes``: edits with 1-based
    lines and 0-based columns in code points, which the codec turns into the client's units)."""
    if not findings:
        return []
    lines = ls.lines(uri)
    codec = ls.workspace.position_codec
    out = []
    for fix in fixes_for(str(path), text, findings, ls.linter.rules if ls.linter else None):
        edits = [types.TextEdit(range=codec.range_to_client_units(lines, types.Range(
            start=types.Position(line=e.line - 1, character=e.column),
            end=types.Position(line=e.end_line - 1, character=e.end_column))), new_text=e.new_text)
            for e in fix.edits]
        safe = fix.applicability == "safe"
        diag = diagnostics.get(fix.finding)
        out.append(types.CodeAction(
            title=f"{fix.description}{'' if safe else ' (unsafe fix)'}",
            kind=types.CodeActionKind.QuickFix, is_preferred=safe,
            diagnostics=[diag] if diag is not None else None,
            edit=types.WorkspaceEdit(changes={uri: edits})))
    return out


server = AiprivlintServer()


@server.feature(types.INITIALIZED)
def _initialized(ls: AiprivlintServer, params: types.InitializedParams) -> None:
    if ls.get_linter() is not None:
        ls.schedule_full()


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def _did_open(ls: AiprivlintServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.schedule_live(params.text_document.uri, 0.0)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def _did_change(ls: AiprivlintServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.schedule_live(params.text_document.uri, DEBOUNCE_SECONDS)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def _did_save(ls: AiprivlintServer, params: types.DidSaveTextDocumentParams) -> None:
    ls.schedule_live(params.text_document.uri, 0.0)
    ls.schedule_full()


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def _did_close(ls: AiprivlintServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    task = ls.pending.pop(uri, None)
    if task is not None:
        task.cancel()
    ls.live.pop(uri, None)
    ls.shown.pop(uri, None)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
def _code_action(ls: AiprivlintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    path = _path(uri)
    if path is None:
        return []
    text = ls.workspace.get_text_document(uri).source
    linter = ls.get_linter()
    shown_path = linter.rel(path) if linter is not None else path.name
    findings: list[Finding] = []
    diagnostics: dict[str, types.Diagnostic] = {}
    for diag in params.context.diagnostics:
        data: Any = diag.data
        if diag.source != SOURCE or not isinstance(data, dict):
            continue
        f = ls.finding_at(uri, str(data.get("fingerprint", "")))
        if f is not None and f.fingerprint not in diagnostics:
            findings.append(f)
            diagnostics[f.fingerprint] = diag
    actions = []
    for f in findings:
        for edit in suppress.suppression_edits(shown_path, text, f):
            rng = ls.workspace.position_codec.range_to_client_units(ls.lines(uri), types.Range(
                start=types.Position(line=edit.start_line, character=edit.start_col),
                end=types.Position(line=edit.end_line, character=edit.end_col)))
            actions.append(types.CodeAction(
                title=edit.title, kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostics[f.fingerprint]],
                edit=types.WorkspaceEdit(changes={uri: [types.TextEdit(range=rng,
                                                                       new_text=edit.text)]})))
    return _fix_actions(ls, uri, path, text, findings, diagnostics) + actions


@server.feature(types.TEXT_DOCUMENT_HOVER)
def _hover(ls: AiprivlintServer, params: types.HoverParams) -> types.Hover | None:
    from ..cli import explain_text

    uri = params.text_document.uri
    linter = ls.get_linter()
    if linter is None:
        return None
    lines = ls.lines(uri)
    codec = ls.workspace.position_codec
    pos = codec.position_from_client_units(lines, params.position)
    here = types.Position(line=pos.line, character=pos.character)
    hits = [f for f in ls.shown.get(uri, []) if _contains(_range(f, lines), here)]
    rules = sorted({f.rule for f in hits})
    if not rules:
        return None
    text = "\n\n---\n\n".join(explain_text(linter.rules[r]) for r in rules if r in linter.rules)
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.PlainText, value=text),
                       range=codec.range_to_client_units(lines, _range(hits[0], lines)))


def serve() -> int:
    server.start_io()
    return 0
