"""AIP105's use of detect-secrets: the same plugins, filters and passes as ``scan_file``, on fewer lines.

``detect_secrets.core.scan.scan_file`` reads a file's lines (through a transformer for INI-, YAML-
and ``.env``-like files, which rewrites each value as ``key = "value"`` on its own line), runs
every plugin on every line with a code snippet of the surrounding lines as context, filters the
results, and, when that first pass found nothing in a file of unknown type (``.env``, ``.json``),
tries again with the eager INI transformer. ``scan_file_text`` follows the same steps with the same
detect-secrets functions, except that it runs the per-line step only on the lines the prefilter
marks (``prefilter.py``), with the snippet still cut from the full list of lines. When the file
would be read as plain lines (no transformer can apply, which a cheap check of its first lines
decides), the prefilter runs on the raw text first, and a file without a candidate line returns
before detect-secrets is even imported; a file a transformer may rewrite is skipped the same way
when a relaxed prefilter shows that no rewriting of it can hold a candidate
(``Prefilter.may_fire_on``).

Notebooks: detect-secrets 1.5.0 has no notebook transformer; its ``scan_file`` reads an ``.ipynb``
as JSON text, where code is escaped (``\\"``) and its quote-sensitive plugins miss most of it.
aiprivlint scans the decoded lines of every cell source and text output instead
(``scan_lines``), mapped back to raw ``.ipynb`` lines by the checker.

detect-secrets' settings are global: every scan here runs inside ``transient_settings``.
Secrets returned in ``RawHit.secret`` stay in memory; callers hash them and never print them.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property

from .importing import import_detect_secrets
from .patterns import SHAPES
from .prefilter import STANDARD_FRAGMENTS, candidate_indexes, candidate_lines, compile_prefilter

# Every plugin detect-secrets 1.5.0 ships (a test checks the list against the installed package).
STANDARD_PLUGINS = tuple(sorted(STANDARD_FRAGMENTS)) + ("Base64HighEntropyString", "HexHighEntropyString")
OUR_PLUGINS = tuple(s.name for s in SHAPES)

# Off by default. IPPublic: an address is not a credential. The entropy plugins in code,
# notebooks and JSON: on nine ML repositories (flower, trl, diffusers, presidio, opacus,
# tensorflow/privacy, deepface, opengpts, anthropic-cookbook) all 240 of their hits that passed
# the filters were hashes, model revision pins, widget/message/tool ids, Hub model names,
# charset constants or test data; none was a credential. Base64 is on for configuration files
# (CONFIG below), where a value with no telling name can still be a key (no hit there).
NOT_BY_DEFAULT = ("IPPublicDetector", "HexHighEntropyString", "Base64HighEntropyString")

DEFAULT_FILTERS = (
    "detect_secrets.filters.allowlist.is_line_allowlisted",
    "detect_secrets.filters.heuristic.is_sequential_string",
    "detect_secrets.filters.heuristic.is_likely_id_string",
    "detect_secrets.filters.heuristic.is_templated_secret",
    "detect_secrets.filters.heuristic.is_prefixed_with_dollar_sign",
    "aiprivlint.secrets.filters.is_lock_file",
    "aiprivlint.secrets.filters.is_hash_pin",
    "detect_secrets.filters.heuristic.is_not_alphanumeric_string",
    "detect_secrets.filters.heuristic.is_swagger_file",
    # replace detect-secrets' is_potential_uuid and is_indirect_reference (see filters.py)
    "aiprivlint.secrets.filters.is_potential_uuid",
    "aiprivlint.secrets.filters.is_indirect_reference",
    "aiprivlint.secrets.filters.is_placeholder",
    "aiprivlint.secrets.filters.is_key_block_placeholder",
    "aiprivlint.secrets.filters.is_elided",
    "aiprivlint.secrets.filters.is_named_value",
)


@dataclass(frozen=True)
class Profile:
    """A set of plugins (with entropy limits) and filters, and the prefilter that goes with them."""

    name: str
    plugins: tuple[tuple[str, float | None], ...]
    filters: tuple[str, ...] = DEFAULT_FILTERS

    @cached_property
    def prefilter(self) -> re.Pattern[str]:
        return compile_prefilter(self.plugins)

    def settings(self) -> dict:
        used = []
        for name, limit in self.plugins:
            used.append({"name": name} if limit is None else {"name": name, "limit": limit})
        return {"plugins_used": used, "filters_used": [{"path": p} for p in self.filters]}


_BASE = tuple((n, None) for n in STANDARD_PLUGINS if n not in NOT_BY_DEFAULT) + tuple(
    (n, None) for n in OUR_PLUGINS)
# Python, notebooks, JSON: token-shaped plugins and the keyword plugin.
CODE = Profile("code", _BASE)
# .env, YAML, TOML, INI: configuration values are where free-form secrets live; there a quoted
# high-entropy value is worth reporting even without a telling key name.
CONFIG = Profile("config", _BASE + (("Base64HighEntropyString", 4.5),))
# Every other text file (Markdown, .txt, shell scripts, Dockerfiles, Makefiles...): only key
# shapes a provider issues, which are a credential wherever they are written (an OpenAI key in
# a README code block). No keyword, URL-password or entropy plugin: prose and documentation
# are full of `password: <yours>` and long ids, and nothing there names the value as code does.
PROVIDER_PLUGINS = (
    "AWSKeyDetector", "AzureStorageKeyDetector", "GitHubTokenDetector", "GitLabTokenDetector",
    "MailchimpDetector", "NpmDetector", "OpenAIDetector", "PrivateKeyDetector", "PypiTokenDetector",
    "SendGridDetector", "SlackDetector", "SquareOAuthDetector", "StripeDetector",
    "TwilioKeyDetector",
)
TEXT = Profile("text", tuple((n, None) for n in PROVIDER_PLUGINS) + tuple((n, None) for n in OUR_PLUGINS))


@dataclass(frozen=True)
class RawHit:
    line: int  # 1-based, in the list of lines detect-secrets scanned (= the file's line)
    secret_type: str
    secret: str  # in memory only: hash it, never print it
    plugin: str


# --- which lines detect-secrets reads -------------------------------------------------------

# detect_secrets.util.filetype.determine_file_type: extensions with a known type (all else OTHER)
KNOWN_EXTENSIONS = frozenset({
    ".cls", ".example", ".eyaml", ".go", ".java", ".js", ".m", ".php", ".py", ".pyi", ".swift",
    ".tf", ".yaml", ".yml", ".cs", ".c", ".cpp", ".cnf", ".conf", ".cfg", ".cf", ".ini",
    ".properties", ".toml",
})
YAML_EXTENSIONS = frozenset({".yaml", ".yml", ".eyaml"})
_SECTION = re.compile(r"\[.+\]")  # configparser's SECTCRE


def universal_newlines(text: str) -> str:
    """The text as ``open()`` in text mode returns it (``\\r\\n`` and ``\\r`` become ``\\n``)."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _first_significant_line(text: str) -> str | None:
    """The first line configparser does not skip (blank and ``#``/``;`` comment lines), stripped."""
    for line in text.split("\n"):
        s = line.strip()
        if s and not s.startswith(("#", ";")):
            return s
    return None


def transformer_may_apply(text: str, filename: str) -> bool:
    """False when detect-secrets will certainly read ``text`` as plain lines in every pass.

    The INI transformer (tried on every file) fails unless the first significant line is a
    ``[section]`` header (configparser raises MissingSectionHeaderError); the YAML transformer
    only takes YAML extensions; the eager INI transformer (second pass, files of unknown type)
    prepends a ``[global]`` header and still fails when the first significant line has no
    ``=``/``:`` and is no header (a parsing error; a pretty-printed JSON document starts with
    ``{``).
    """
    ext = os.path.splitext(filename)[1]
    if ext in YAML_EXTENSIONS:
        return True
    first = _first_significant_line(text)
    if first is None:
        return False
    if _SECTION.match(first):
        return True
    return ext not in KNOWN_EXTENSIONS and ("=" in first or ":" in first)


# --- detect-secrets ------------------------------------------------------------------------


@contextmanager
def settings(profile: Profile) -> Iterator[None]:
    """Run detect-secrets with ``profile``'s plugins and filters (its settings are global)."""
    import_detect_secrets()
    from detect_secrets.settings import transient_settings

    from . import plugins

    plugins.register()
    with transient_settings(profile.settings()):
        yield


def _scan_lines(lines: list[str], filename: str, only: Iterable[int] | None) -> list[RawHit]:
    """``detect_secrets.core.scan._process_line_based_plugins`` for the lines numbered ``only``
    (all lines when None), with each snippet cut from the full ``lines`` as detect-secrets does.
    Run inside :func:`settings`, which has imported detect-secrets."""
    from detect_secrets.core.scan import _is_filtered_out, _scan_line
    from detect_secrets.settings import get_plugins
    from detect_secrets.util.code_snippet import get_code_snippet

    hits: list[RawHit] = []
    numbers = range(1, len(lines) + 1) if only is None else only
    for number in numbers:
        line = lines[number - 1].rstrip()
        snippet = get_code_snippet(lines=lines, line_number=number)
        if _is_filtered_out(required_filter_parameters=["line"], filename=filename, line=line,
                            context=snippet):
            continue
        for plugin in get_plugins():
            for secret in _scan_line(plugin=plugin, filename=filename, line=line,
                                     line_number=number, context=snippet):
                if _is_filtered_out(required_filter_parameters=["context"],
                                    filename=secret.filename, secret=secret.secret_value,
                                    plugin=plugin, line=line, context=snippet):
                    continue
                hits.append(RawHit(number, secret.type, secret.secret_value or "",
                                   type(plugin).__name__))
    return hits


class _NamedText(io.StringIO):
    """The in-memory file detect-secrets' transformers read (they want ``.name``)."""

    def __init__(self, text: str, name: str) -> None:
        super().__init__(text)
        self.name = name


def _pass(lines: list[str], filename: str, profile: Profile, prefilter: bool,
          raw_text: str | None = None) -> list[RawHit]:
    if not prefilter:
        return _scan_lines(lines, filename, None)
    if raw_text is not None:  # plain lines: search the text once
        only = candidate_lines(raw_text, profile.prefilter)
    else:  # transformed lines may hold newlines of their own: search each
        only = candidate_indexes(lines, profile.prefilter)
    return _scan_lines(lines, filename, only) if only else []


def scan_file_text(text: str, filename: str, profile: Profile, *, prefilter: bool = True,
                   all_passes: bool = False) -> list[RawHit]:
    """What ``detect_secrets.core.scan.scan_file(filename)`` finds, given the file's decoded text.

    ``filename`` must name the file on disk (detect-secrets' file filters look at it: it must
    exist, and lock files and swagger paths are skipped) and decides the file type.

    ``all_passes``: also run the eager pass when the first one found something, and return both
    (``scan_file`` stops after a pass with results). In a ``.env`` file the first pass reads raw
    ``KEY=value`` lines, where only token-shaped plugins can fire; the eager pass quotes every
    value, so the keyword and entropy plugins see them too: without it, one OpenAI key in a
    ``.env`` would hide the database password below it.
    """
    text = universal_newlines(text)
    if prefilter:
        if not transformer_may_apply(text, filename):
            if not candidate_lines(text, profile.prefilter):
                return []  # nothing any plugin could fire on: detect-secrets is not even imported
        elif not profile.prefilter.may_fire_on(text, yaml=os.path.splitext(filename)[1] in YAML_EXTENSIONS):
            return []  # nor on any line a transformer could make of it
    import_detect_secrets()
    from detect_secrets.core.scan import _is_filtered_out
    from detect_secrets.transformers import get_transformed_file

    with settings(profile):
        if _is_filtered_out(required_filter_parameters=["filename"], filename=filename):
            return []
        f = _NamedText(text, filename)
        lines = get_transformed_file(f)
        raw = None
        if not lines:
            f.seek(0)
            lines = f.readlines()
            raw = text
        hits = _pass(lines, filename, profile, prefilter, raw)
        if hits and not all_passes:
            return hits
        f.seek(0)
        eager = get_transformed_file(f, use_eager_transformers=True)
        if not eager:
            return hits
        return hits + _pass(eager, filename, profile, prefilter)


def scan_lines(lines: list[str], filename: str, profile: Profile, *, prefilter: bool = True) -> list[RawHit]:
    """Run the plugins on lines that are not a file of their own (decoded notebook cells).

    ``lines`` end with ``\\n``; ``filename`` is the real file they come from.
    """
    if prefilter:
        only = candidate_lines("".join(lines), profile.prefilter)
        if not only:
            return []
    else:
        only = None
    import_detect_secrets()
    from detect_secrets.core.scan import _is_filtered_out

    with settings(profile):
        if _is_filtered_out(required_filter_parameters=["filename"], filename=filename):
            return []
        return _scan_lines(lines, filename, only)
