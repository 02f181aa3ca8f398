"""AIP105 hardcoded-secret: API keys, tokens, passwords and private keys written into the repository.

How the check works (the rule's documentation is ``rules/AIP105.toml``):

1. A prefilter (``aiprivlint.secrets.prefilter``: a regex over the text and one over its
   case-folded copy, no detect-secrets import) marks the lines any plugin could fire on. A file
   without such a line is done, before detect-secrets is imported or the file parsed (for INI,
   TOML, YAML, .env files and notebooks a relaxed form of it is checked on the raw text).
2. detect-secrets 1.5.0 judges the candidate lines with its own plugins and filters, plus
   aiprivlint's plugins for ML provider credentials (OpenAI, Anthropic, Hugging Face, Cohere,
   Mistral, Groq, Replicate, Google AI, Weights & Biases, Pinecone, LangSmith) and filters for
   placeholders (``aiprivlint.secrets``). It runs the same passes as its ``scan_file`` (INI/YAML
   transformers, the eager pass for ``.env``-like files, which in ``.env`` files runs even when
   the first pass found something) and sees the same surrounding lines, so
   ``# pragma: allowlist secret`` (and ``allowlist nextline secret``) work as detect-secrets users
   expect. ``bench/secrets_equivalence.py`` shows the findings equal a full-file scan's.
3. Notebooks: the decoded lines of every cell source and stored text output are scanned and
   reported at their raw ``.ipynb`` line.
4. One finding per secret and line: when several plugins see the same value, the most specific
   wins (a provider's token shape over a keyword assignment over an entropy match).

Plugins by file kind: Python, notebooks and JSON get the token-shaped and keyword plugins; .env,
YAML, TOML and INI files also get the Base64 high-entropy plugin. Every other text file (Markdown,
.txt, shell scripts, Dockerfiles, Makefiles: discovery's "other" kind) is read as plain lines with
the provider key shapes only (``scanner.TEXT``). The hex-entropy and public-IP plugins are off
(hashes, revision pins and widget ids, not credentials). Lock files are not read at all, and
embedded binary payloads (base64 data URIs) are blanked before any line is scanned. A finding on a
multi-line YAML/INI value is anchored on the line that holds the secret (``_anchor``).

The secret never leaves this module: messages name its type, ``details`` hold only
``secret_type``, and the fingerprint context is a hash of the value.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING

from ..findings import Severity
from . import CheckerError, FileChecker, FileContext

if TYPE_CHECKING:  # pragma: no cover
    from ..secrets.scanner import RawHit

RULE = "AIP105"
CONFIG_KINDS = frozenset({"env", "yaml", "toml", "ini"})
CODE_KINDS = frozenset({"python", "notebook", "json"})
TEXT_KINDS = frozenset({"markdown", "text", "other"})  # provider key shapes only (scanner.TEXT)

# detect-secrets' type names -> what aiprivlint calls them (the rest keep detect-secrets' names)
DISPLAY = {"OpenAI Token": "OpenAI API key"}
GENERIC = {"Secret Keyword": 1, "Basic Auth Credentials": 1, "Base64 High Entropy String": 0,
           "Hex High Entropy String": 0}


def _display(hit: RawHit) -> str:
    return DISPLAY.get(hit.secret_type, hit.secret_type)


def _priority(hit: RawHit) -> int:
    if hit.secret_type in GENERIC:
        return GENERIC[hit.secret_type]
    return 3 if hit.plugin.startswith("AIP") else 2


def _dedupe(hits: list[RawHit]) -> list[RawHit]:
    """Per line, drop a hit whose value overlaps the value of a more specific hit."""
    by_line: dict[int, list[RawHit]] = {}
    for h in hits:
        by_line.setdefault(h.line, []).append(h)
    out: list[RawHit] = []
    for line in sorted(by_line):
        kept: list[RawHit] = []
        for h in sorted(by_line[line], key=lambda h: (-_priority(h), -len(h.secret), h.secret_type)):
            if any(h.secret in k.secret or k.secret in h.secret for k in kept):
                continue
            kept.append(h)
        out.extend(kept)
    return out


def _message(hit: RawHit, in_output: bool) -> str:
    kind = _display(hit)
    where = " in a stored notebook output" if in_output else ""
    if hit.secret_type == "Secret Keyword":
        return (f"A literal value is assigned to a password, secret or API-key name{where}; "
                "read it from the environment or a secret manager instead")
    if hit.secret_type == "Basic Auth Credentials":
        return (f"A URL embeds a password (user:password@host){where}; "
                "pass the credentials separately, from the environment")
    if hit.secret_type in GENERIC:
        return (f"A high-entropy value that looks like a credential is hardcoded{where}; "
                "if it is one, revoke it and read it from the environment")
    return (f"{kind} hardcoded{where}; revoke it and read it from the environment "
            "or a secret manager")


def _context(hit: RawHit) -> str:
    digest = hashlib.sha256(hit.secret.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"secret:{digest}:{_display(hit)}"


_DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+")


def blank_payloads(text: str) -> str:
    """``text`` with each embedded binary payload (a base64 data URI: an image in Markdown, HTML
    or a notebook) blanked out, same length: pixels hold no secret, and an ``AKIA``-shaped run
    turns up in them by chance."""
    if "base64," not in text:
        return text
    return _DATA_URI.sub(lambda m: " " * len(m.group()), text)


def notebook_lines(text: str) -> tuple[list[str], list[tuple[int, int, bool] | None]]:
    """The decoded lines of a notebook's cell sources and text outputs, for detect-secrets, and
    where each comes from: (raw .ipynb line, raw column, is an output), None for the blank line
    put between blocks so that no allow-list pragma or context leaks from one cell to the next.
    Raises NotebookError."""
    from ..notebook import parse_notebook

    lines: list[str] = []
    origin: list[tuple[int, int, bool] | None] = []

    def block(source_lines, is_output: bool) -> None:
        for sl in source_lines:
            lines.append(blank_payloads(sl.text.replace("\n", " ")) + "\n")
            origin.append((sl.raw_line, sl.raw_column, is_output))
        lines.append("\n")
        origin.append(None)

    for cell in parse_notebook(text):
        block(cell.source, False)
        for out in cell.outputs:
            block(out.lines, True)
    return lines, origin


_ANCHOR_LOOKAHEAD = 200  # lines of one multi-line value searched for the secret


def _anchor(raw_lines: list[str], hit: RawHit) -> tuple[int, int, int]:
    """(line, 0-based column or -1, length) of the secret. detect-secrets' YAML and INI
    transformers put a multi-line value (a block scalar, a quoted string over several lines, a
    continued INI value) on the line of its key, and escape quotes in it with a backslash that
    the entropy plugins keep: the finding belongs on the line that holds the value."""
    secret = hit.secret.replace("\\", "")
    if not secret:
        return hit.line, -1, 0
    last = min(len(raw_lines), hit.line - 1 + _ANCHOR_LOOKAHEAD)
    for i in range(hit.line - 1, last):
        col = raw_lines[i].find(secret)
        if col >= 0:
            return i + 1, col, len(secret)
    return hit.line, -1, 0


class HardcodedSecretChecker(FileChecker):
    rule_ids = (RULE,)
    # "other": any file no other kind names (shell scripts, Dockerfiles, Makefiles...)
    kinds = CODE_KINDS | CONFIG_KINDS | TEXT_KINDS

    def prepare(self) -> None:
        from ..secrets.importing import import_detect_secrets

        import_detect_secrets()
        from ..secrets import plugins  # noqa: F401
        from ..secrets.scanner import CODE, CONFIG, TEXT  # noqa: F401

    def check(self, ctx: FileContext) -> None:
        from ..secrets.filters import is_lock_file
        from ..secrets.scanner import CODE, CONFIG, TEXT

        if is_lock_file(ctx.rel):
            return  # versions and checksums (integrity hashes), never a credential: not even read
        prefilter = bool(ctx.options.get("_prefilter", True))
        if "notebook" in ctx.kinds:
            self._check_notebook(ctx, CODE, prefilter)
            return
        if ctx.kinds & {"json", "data"} and not ctx.kinds & CONFIG_KINDS:
            limit = ctx.options.get("max-file-size")
            if limit and ctx.path.stat().st_size > limit:
                return  # a data file: AIP101 reads those; no secrets scan of bulk data
        if ctx.kinds & (CODE_KINDS | CONFIG_KINDS):
            self._check_file(ctx, CONFIG if ctx.kinds & CONFIG_KINDS else CODE, prefilter)
        else:
            self._check_text(ctx, TEXT, prefilter)

    # -- plain files ---------------------------------------------------------------------------

    def _check_file(self, ctx: FileContext, profile, prefilter: bool) -> None:
        from ..secrets.scanner import scan_file_text, universal_newlines

        text = ctx.text
        if ctx.data.startswith(b"\xef\xbb\xbf"):
            text = "\ufeff" + text  # detect-secrets reads the BOM as part of line 1
        text = universal_newlines(text)
        scanned = text
        if "yaml" in ctx.kinds:  # Kubernetes manifests: a Secret judged decoded, a CRD unread
            from ..secrets.manifests import read_manifests

            scanned = read_manifests(text)
        hits = scan_file_text(scanned, ctx.rel, profile, prefilter=prefilter,
                              all_passes="env" in ctx.kinds)
        if hits:
            self._report_lines(ctx, hits, text.split("\n"))

    def _check_text(self, ctx: FileContext, profile, prefilter: bool) -> None:
        """Any other text file, read as plain lines (no transformer: a README is no INI file),
        with embedded binary payloads blanked out."""
        from ..secrets.prefilter import candidate_lines
        from ..secrets.scanner import scan_lines, universal_newlines

        try:
            text = universal_newlines(ctx.text)
        except CheckerError:
            if ctx.kinds == {"other"}:
                return  # a file of no known kind that is not UTF-8: not a text file we read
            raise
        if prefilter and not candidate_lines(text, profile.prefilter):
            return  # blanking payloads only removes candidates: none in the raw text, none at all
        lines = [line + "\n" for line in blank_payloads(text).split("\n")]
        hits = scan_lines(lines, ctx.rel, profile, prefilter=prefilter)
        if hits:
            self._report_lines(ctx, hits, text.split("\n"))

    def _report_lines(self, ctx: FileContext, hits: list[RawHit], raw_lines: list[str]) -> None:
        seen: set[tuple[int, str, str]] = set()
        for hit in _dedupe(hits):
            key = (hit.line, hit.secret, _display(hit))
            if key in seen:  # found in both passes of a .env file
                continue
            seen.add(key)
            line, col, length = _anchor(raw_lines, hit)
            self._report(ctx, hit, line, col + 1 if col >= 0 else 1, length, False)

    # -- notebooks -----------------------------------------------------------------------------

    def _check_notebook(self, ctx: FileContext, profile, prefilter: bool) -> None:
        from ..notebook import NotebookError
        from ..secrets.scanner import scan_lines

        if prefilter and not profile.prefilter.may_fire_on(ctx.text, notebook=True):
            return  # no plugin can fire on any decoded line: the notebook is not even parsed
        try:
            lines, origin = notebook_lines(ctx.text)
        except NotebookError as exc:
            raise CheckerError(str(exc)) from None
        if not lines:
            return
        hits = scan_lines(lines, ctx.rel, profile, prefilter=prefilter)
        if not hits:
            return
        raw_lines = ctx.text.split("\n")
        seen: set[tuple[int, str, str]] = set()
        for hit in _dedupe(hits):
            where = origin[hit.line - 1]
            if where is None:  # pragma: no cover - blank separators hold nothing
                continue
            raw_line, raw_col, is_output = where
            key = (raw_line, hit.secret, _display(hit))
            if key in seen:
                continue
            seen.add(key)
            raw = raw_lines[raw_line - 1] if raw_line <= len(raw_lines) else ""
            col = raw.find(hit.secret) if hit.secret else -1
            self._report(ctx, hit, raw_line, col + 1 if col >= 0 else raw_col,
                         len(hit.secret) if col >= 0 else 0, is_output)

    # -- reporting -----------------------------------------------------------------------------

    @staticmethod
    def _report(ctx: FileContext, hit: RawHit, line: int, column: int, length: int,
                in_output: bool) -> None:
        ctx.report(
            RULE, line, column, _message(hit, in_output),
            end_column=column + length if length else 0,
            details={"secret_type": _display(hit)},
            context=_context(hit),
            severity=Severity.MEDIUM if hit.secret_type in GENERIC else None,
        )
