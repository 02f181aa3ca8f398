"""The AIP105 prefilter: finds every line a detect-secrets plugin could fire on, fast.

detect-secrets runs every plugin and a stack of filters on every line of a file, through
dependency injection; that costs ~1 ms per line (51 s for the 1,223 Python files of flower).
Nearly all lines hold no secret, so aiprivlint hands it only *candidate* lines: lines on which
this prefilter matches. detect-secrets stays the judge of every candidate (its plugins, its
filters, the surrounding lines it wants for context), so the prefilter may let through lines that
turn out to hold nothing, but it must never drop a line on which a plugin would fire.

How each fragment is a superset of its plugin (plugin regexes from detect-secrets 1.5.0):

- Fixed-token plugins (AWS access key ids, GitHub, GitLab, Slack, Stripe, PyPI, npm, private
  keys, JWT, OpenAI's ``T3BlbkFJ`` marker, …): the plugin's regex, or a part of it every match
  contains.
- Assignment-shaped plugins (IBM Cloud IAM, Cloudant, SoftLayer, IBM COS, AWS secret keys): the
  keyword part of the assignment, which every match contains.
- ``KeywordDetector``: every one of its regexes, whatever the file type, contains a word of its
  denylist (``password``, ``secret``, ``api_key`` …, matched case-insensitively, like the plugin).
- ``Base64HighEntropyString``: it only considers quoted strings of its alphabet, and a string of
  ``n`` characters has Shannon entropy at most ``log2(n)``; above the limit (4.5) that takes at
  least 23 characters, so the fragment is a quote, 23+ characters of the alphabet and a quote.
  (``HexHighEntropyString`` likewise needs 9+ hex digits.)
- aiprivlint's own plugins: their patterns without look-arounds (``patterns.py``).

Speed. Python's ``re`` has no multi-literal search, and a case-insensitive alternation is ~20x
slower than a case-sensitive one, so the fragments are searched as follows, all in C:

1. each fragment names literals one of which every match contains (``"password"``, ``"AKIA"``,
   ``"sk-"``); a fragment none of whose literals occurs in the file (``str.__contains__``) is left
   out, so the regex actually searched is usually small;
2. case-sensitive fragments form one regex searched in the text; case-insensitive ones are written
   in lower case and form one regex searched in the case-folded text (``fold``), which matches the
   same characters as ``re.IGNORECASE`` would (a test checks it over all of Unicode);
3. after a match the search resumes at the start of the next line, so each candidate line costs
   one match. A match that runs across a line end can only add a candidate, never hide one; no
   fragment uses ``^``/``$``, and look-arounds treat the newline like the end of the string, so a
   fragment that matches a line on its own also matches it inside the joined text.

``tests/test_secrets.py`` checks the superset property plugin by plugin on lines generated from
each plugin's own regexes, and ``bench/secrets_equivalence.py`` checks on a real corpus that the
findings equal a full scan's.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from .patterns import SHAPES, Fragment

# detect_secrets.plugins.keyword.DENYLIST (1.5.0); a test checks that they agree.
KEYWORD_DENYLIST = (
    "api_?key", "auth_?key", "service_?key", "account_?key", "db_?key", "database_?key",
    "priv_?key", "private_?key", "client_?key", "db_?pass", "database_?pass", "key_?pass",
    "password", "passwd", "pwd", "secret", "contraseña", "contrasena",
)

_BASIC_AUTH_EXCLUDED = re.escape(":/?#[]@" + "!$&'()*+,;=")
_BASE64_ALPHABET = re.escape(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789" + "+/" + "\\-_" + "=")


def _f(pattern: str, *literals: str) -> Fragment:
    return Fragment(pattern, literals)


def _fi(pattern: str, *literals: str) -> Fragment:
    return Fragment(pattern, literals, folded=True)


_KEY_WORDS = ("key", "pwd", "pass", "token")
# the tail of RegexBasedDetector.build_assignment_regex after the keyword: quote, bracket, spaces,
# assignment, spaces, quote (lower case: for folded fragments)
_ASSIGNED = r"""['"]?\]? *(?:=|:|:=|=>| +|::) *['"]?"""


def _keyword_fragments() -> tuple[Fragment, ...]:
    """KeywordDetector's denylist as one fragment per anchor word ("key", "pass", …).

    Each fragment starts with its anchor, a literal ``re`` finds fast, and checks the rest of
    the denylist word around it: ``key(?:(?<=api_key)|(?<=apikey)|…)``. Together they match
    exactly where ``|``.join(KEYWORD_DENYLIST) matches, in the folded text.
    """
    anchors = ("key", "pass", "pwd", "secret", "contrase")
    alternatives: dict[str, list[str]] = {a: [] for a in anchors}
    for entry in KEYWORD_DENYLIST:
        words = [entry.replace("_?", "_"), entry.replace("_?", "")] if "_?" in entry else [entry]
        for word in words:
            anchor = next(a for a in anchors if a in word)
            pre, post = word.split(anchor, 1)
            alt = (f"(?<={re.escape(pre + anchor)})" if pre else "") + re.escape(post)
            if alt not in alternatives[anchor]:
                alternatives[anchor].append(alt)
    return tuple(_fi(f"{a}(?:{'|'.join(alts)})", a) for a, alts in alternatives.items())


# The fragments of each detect-secrets 1.5.0 plugin, by plugin class name.
STANDARD_FRAGMENTS: dict[str, tuple[Fragment, ...]] = {
    "ArtifactoryDetector": (_f(r"AKC[a-zA-Z0-9]{10}|AP[\dABCDEF][a-zA-Z0-9]{8}", "AKC", "AP"),),
    "AWSKeyDetector": (
        _f(r"(?:A3T[A-Z0-9]|ABIA|ACCA|AKIA|ASIA)[0-9A-Z]{16}", "A3T", "ABIA", "ACCA", "AKIA", "ASIA"),
        _fi(r"aws.{0,20}?(?:key|pwd|pw|password|pass|token).{0,20}?['\"][0-9a-z/+]{40}['\"]", "aws"),
    ),
    "AzureStorageKeyDetector": (_f(r"AccountKey=", "AccountKey="),),
    "BasicAuthDetector": (_f(rf"://[^{_BASIC_AUTH_EXCLUDED}\s]+:[^{_BASIC_AUTH_EXCLUDED}\s]+@", "://"),),
    "CloudantDetector": (
        _fi(r"cl(?:oudant|ou)?[-_]?(?:api)?(?:key|pwd|pw|password|pass|token)" + _ASSIGNED
            + r"(?:[0-9a-f]{64}|[a-z]{24})", "key", "pw", "pass", "token"),
        _fi(r"cloudant\.com", "cloudant.com"),
    ),
    "DiscordBotTokenDetector": (
        _f(r"\.(?<=[a-zA-Z\d_-]{23}\.)[a-zA-Z\d_-]{6}\.[a-zA-Z\d_-]{27}", "."),),
    "GitHubTokenDetector": (
        _f(r"(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9_]{36}", "ghp_", "gho_", "ghu_", "ghs_", "ghr_"),),
    "GitLabTokenDetector": (
        _f(r"(?:glpat|gldt|glft|glsoat|glrt|glcbt|glimt|glptt|glagent|gloas)-|GR1348941",
           "glpat-", "gldt-", "glft-", "glsoat-", "glrt-", "glcbt-", "glimt-", "glptt-",
           "glagent-", "gloas-", "GR1348941"),),
    "IbmCloudIamDetector": tuple(
        _fi(word + _ASSIGNED + r"[a-z0-9_\-]{44}", literal)
        for word, literal in (("key", "key"), ("pwd", "pwd"), ("pass(?:word)?", "pass"),
                              ("token", "token"))),
    "IbmCosHmacDetector": (_fi(r"secret", "secret"),),
    "IPPublicDetector": (_f(r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]", "."),),
    "JwtTokenDetector": (_f(r"eyJ[A-Za-z0-9-_=]+\.[A-Za-z0-9-_=]+", "eyJ"),),
    "KeywordDetector": _keyword_fragments(),
    "MailchimpDetector": (_f(r"-us[0-9](?<=[0-9a-z]{32}-us[0-9])", "-us"),),
    "NpmDetector": (_f(r"/:_authToken=", "/:_authToken="),),
    "OpenAIDetector": (_f(r"T3BlbkFJ", "T3BlbkFJ"),),
    "PrivateKeyDetector": (
        _f(r"BEGIN (?:DSA |EC |OPENSSH |PGP |RSA |SSH2 ENCRYPTED |)PRIVATE KEY|PuTTY-User-Key-File-2",
           "PRIVATE KEY", "PuTTY-User-Key-File-2"),),
    "PypiTokenDetector": (_f(r"pypi-AgE", "pypi-AgE"),),
    "SendGridDetector": (_f(r"SG\.[a-zA-Z0-9_-]{22}\.", "SG."),),
    "SlackDetector": (
        _fi(r"xox[abposr]-|https://hooks\.slack\.com/services/t", "xox", "hooks.slack.com"),),
    "SoftlayerDetector": (
        _fi(r"(?:softlayer|sl)[-_]?(?:api)?[-_]?(?:key|pwd|password|pass|token)" + _ASSIGNED
            + r"[a-z0-9]{64}", *_KEY_WORDS),
        _fi(r"softlayer.com/soap/", "softlayer"),
    ),
    "SquareOAuthDetector": (_f(r"sq0csp-", "sq0csp-"),),
    "StripeDetector": (_f(r"[rs]k_live_", "k_live_"),),
    "TelegramBotTokenDetector": (_f(r":[0-9A-Za-z_-]{35}(?<=\d{8}:[0-9A-Za-z_-]{35})", ":"),),
    "TwilioKeyDetector": (_f(r"(?:AC|SK)[a-z0-9]{32}", "AC", "SK"),),
}


# For text a transformer rewrites before detect-secrets reads it (INI, TOML, YAML, .env: each value
# becomes `key = "value"` or `key: "value"` on the value's line), fragments that are plain tokens
# still hold: a transformed line only re-arranges keys and values of the file and adds spaces,
# quotes, `=`/`:` and backslashes before quotes, none of which such a token contains. Fragments
# that span a key and its value are replaced here by conjunctions of plain tokens that must all
# occur in the file (``Prefilter.may_fire_on``).
RELAXED_FRAGMENTS: dict[str, tuple[tuple[Fragment, ...], ...]] = {
    "AWSKeyDetector": ((STANDARD_FRAGMENTS["AWSKeyDetector"][0],),
                       (_fi(r"aws", "aws"), _fi(r"[0-9a-z/+]{40}"))),
    "BasicAuthDetector": ((_f(r"://\S*@", "://"),),),
    "CloudantDetector": ((_fi(r"cl(?:oudant|ou)?[-_]?(?:api)?(?:key|pw|pass|token)",
                              "key", "pw", "pass", "token"),
                          _fi(r"[0-9a-f]{64}|[a-z]{24}")),
                         (_fi(r"cloudant\.com", "cloudant.com"),)),
    "IbmCloudIamDetector": ((_fi(r"key|pwd|pass|token", *_KEY_WORDS), _fi(r"[a-z0-9_\-]{44}")),),
    "JwtTokenDetector": ((_f(r"eyJ", "eyJ"),),),
    "PrivateKeyDetector": ((_f(r"PRIVATE|PuTTY-User-Key-File-2", "PRIVATE",
                               "PuTTY-User-Key-File-2"),),),
    "SoftlayerDetector": ((_fi(r"sl[-_]?(?:api)?[-_]?(?:key|pwd|pass|token)", *_KEY_WORDS),
                           _fi(r"[a-z0-9]{64}")),
                          (_fi(r"softlayer", "softlayer"),)),
    "AIPPineconeKeyDetector": ((_f(r"pcsk_[A-Za-z0-9]{4,10}_[A-Za-z0-9]{40}", "pcsk_"),),
                               (_fi(r"pinecone", "pinecone"),
                                _fi(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-"))),
    "AIPCohereKeyDetector": ((_fi(r"cohere|co_api_key", "cohere", "co_api_key"),
                              _fi(r"[a-z0-9]{40}")),),
    "AIPMistralKeyDetector": ((_fi(r"mistral", "mistral"), _fi(r"[a-z0-9]{32}")),),
    "AIPWandbKeyDetector": ((_fi(r"wandb", "wandb"), _fi(r"[0-9a-f]{40}")),),
}


def min_entropy_length(limit: float) -> int:
    """Shortest string whose Shannon entropy can exceed ``limit`` bits (at most log2(len))."""
    return math.floor(2 ** limit) + 1


def entropy_fragment(plugin: str, limit: float) -> Fragment:
    n = min_entropy_length(limit)
    alphabet = _BASE64_ALPHABET if plugin == "Base64HighEntropyString" else "0-9a-fA-F"
    return _f(rf"['\"][{alphabet}]{{{n},}}['\"]", "'", '"')


def fragments_for(plugin: str, limit: float | None = None) -> tuple[Fragment, ...]:
    if plugin in STANDARD_FRAGMENTS:
        return STANDARD_FRAGMENTS[plugin]
    if plugin in ("Base64HighEntropyString", "HexHighEntropyString"):
        default = 4.5 if plugin == "Base64HighEntropyString" else 3.0
        return (entropy_fragment(plugin, default if limit is None else limit),)
    for shape in SHAPES:
        if shape.name == plugin:
            return shape.fragments
    raise KeyError(f"no prefilter fragment for plugin {plugin}")


def fold(text: str) -> str:
    """Lower-case ``text`` so that a lower-case pattern matches where ``re.IGNORECASE`` would.

    ``str.lower`` maps A-Z, Ñ and the Kelvin sign; ``re.IGNORECASE`` also equates ``ı``/``İ``
    with ``i`` and ``ſ`` with ``s``. ``İ`` is replaced first because its ``lower()`` is two
    characters: the folded text keeps every offset and every newline of ``text``.
    """
    if "\u0130" in text:
        text = text.replace("\u0130", "i")
    text = text.lower()
    if "\u0131" in text:
        text = text.replace("\u0131", "i")
    if "\u017f" in text:
        text = text.replace("\u017f", "s")
    return text


@lru_cache(maxsize=512)
def _compile(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


@lru_cache(maxsize=64)
def _literals(fragments: tuple[Fragment, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    plain = {lit for f in fragments if not f.folded for lit in f.literals}
    low = {lit for f in fragments if f.folded for lit in f.literals}
    return tuple(sorted(plain)), tuple(sorted(low))


def _active(fragments: tuple[Fragment, ...], text: str, folded: str | None) -> list[Fragment]:
    """The fragments one of whose literals occurs (in the folded text for folded fragments)."""
    plain_lits, low_lits = _literals(fragments)
    present = {lit for lit in plain_lits if lit in text}
    if folded is not None:
        present.update(lit for lit in low_lits if lit in folded)
    return [f for f in fragments if (folded is not None or not f.folded)
            and (not f.literals or not present.isdisjoint(f.literals))]


def _regexes(fragments: tuple[Fragment, ...], text: str, folded: str | None
             ) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """The case-sensitive and the folded regex of the fragments one of whose literals occurs."""
    active = _active(fragments, text, folded)
    return (_compile(tuple(f.pattern for f in active if not f.folded)),
            _compile(tuple(f.pattern for f in active if f.folded)))


def _matching_lines(text: str, rx: re.Pattern[str], out: set[int]) -> None:
    """Add the 1-based numbers of the lines ``rx`` matches on (where a match starts); after a
    match, the search goes on from the next line. Line numbers are counted between matches,
    which are few: no table of line starts for a whole file."""
    m = rx.search(text)
    line, pos = 1, 0  # ``line`` is the number of the line that starts at ``pos``
    while m is not None:
        start = m.start()
        line += text.count("\n", pos, start)
        out.add(line)
        nl = text.find("\n", start)
        if nl < 0:
            return
        pos, line = nl + 1, line + 1
        m = rx.search(text, pos)


_JSON_U_ESCAPE = re.compile(r"\\u(?!001b)", re.IGNORECASE)


@dataclass(frozen=True)
class Prefilter:
    fragments: tuple[Fragment, ...]
    relaxed: tuple[tuple[Fragment, ...], ...] = ()  # for transformed files: see RELAXED_FRAGMENTS
    entropy: tuple[tuple[str, float], ...] = ()  # (entropy plugin, limit)

    def regexes(self, text: str, folded: str | None) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
        """The case-sensitive and the folded regex, of the fragments whose literals occur."""
        return _regexes(self.fragments, text, folded)

    @property
    def has_folded(self) -> bool:
        return any(f.folded for f in self.fragments)

    def lines(self, text: str) -> list[int]:
        """1-based numbers of the ('\\n'-separated) lines of ``text`` the fragments match on.

        Each active fragment is searched on its own: most start with a literal, which ``re``
        finds with a fast scan, where an alternation of them would try every branch at every
        position (3x slower on real files)."""
        folded = fold(text) if self.has_folded else None
        active = _active(self.fragments, text, folded)
        if not active:
            return []
        found: set[int] = set()
        for frag in active:
            rx = _compile((frag.pattern,))
            _matching_lines(folded if frag.folded else text, rx, found)  # type: ignore[arg-type]
        return sorted(found)

    def line_indexes(self, lines: list[str]) -> list[int]:
        """1-based indexes of the lines (each searched on its own: it may hold newlines)."""
        whole = "\n".join(lines)
        folded = fold(whole) if self.has_folded else None
        rx_plain, rx_low = self.regexes(whole, folded)
        if rx_plain is None and rx_low is None:
            return []
        out = []
        for i, line in enumerate(lines, start=1):
            if (rx_plain is not None and rx_plain.search(line)) or (
                    rx_low is not None and rx_low.search(fold(line))):
                out.append(i)
        return out

    def search(self, line: str) -> bool:
        """Whether the prefilter matches this one line."""
        return bool(self.line_indexes([line]))

    def may_fire_on(self, text: str, *, yaml: bool = False, notebook: bool = False) -> bool:
        """False only if no plugin can fire on any line a transformer makes of ``text``.

        Used to skip files without parsing them: INI, TOML, YAML and .env files (which
        detect-secrets' transformers rewrite) and notebooks (whose decoded JSON strings are
        scanned). What could create a match that is not in the raw text makes this answer True:
        YAML escape sequences (a backslash in a YAML file), configparser interpolation (``%(``),
        YAML binary values (re-encoded as base64), and JSON ``\\uXXXX`` and ``\\/`` escapes in
        a notebook (``\\u001b``, the colour codes of tracebacks, only decodes to a character no
        fragment contains). Otherwise every plain-token fragment must occur in the raw text; an
        entropy plugin needs a run of its alphabet with as many distinct characters as its limit
        requires (entropy is at most log2 of the number of distinct characters), less one for a
        backslash added before a quote.
        """
        if notebook:
            if "\\/" in text or _JSON_U_ESCAPE.search(text):
                return True
        elif "%(" in text or (yaml and ("\\" in text or "binary" in text)):
            return True
        folded = fold(text)
        found: dict[Fragment, bool] = {}

        def occurs(f: Fragment) -> bool:
            if f not in found:
                t = folded if f.folded else text
                found[f] = (not f.literals or any(lit in t for lit in f.literals)) and bool(
                    _compile((f.pattern,)).search(t))  # type: ignore[union-attr]
            return found[f]

        if any(all(occurs(f) for f in conj) for conj in self.relaxed):
            return True
        for plugin, limit in self.entropy:
            need = min_entropy_length(limit)
            if plugin == "Base64HighEntropyString":
                run, need = rf"[{_BASE64_ALPHABET}]", need - 1
            else:
                run = "[0-9a-fA-F]"
            for m in re.finditer(rf"{run}{{{need},}}", text):
                if len(set(m.group())) >= need:
                    return True
        return False


@lru_cache(maxsize=16)
def compile_prefilter(plugins: tuple[tuple[str, float | None], ...]) -> Prefilter:
    """The prefilter for a set of (plugin name, entropy limit) pairs."""
    frags: list[Fragment] = []
    relaxed: list[tuple[Fragment, ...]] = []
    entropy: list[tuple[str, float]] = []
    for name, limit in plugins:
        if name in ("Base64HighEntropyString", "HexHighEntropyString"):
            default = 4.5 if name == "Base64HighEntropyString" else 3.0
            entropy.append((name, default if limit is None else limit))
        for frag in fragments_for(name, limit):
            if frag not in frags:
                frags.append(frag)
        if name in RELAXED_FRAGMENTS:
            conjs = RELAXED_FRAGMENTS[name]
        elif name in ("Base64HighEntropyString", "HexHighEntropyString"):
            conjs = ()
        else:
            conjs = tuple((f,) for f in fragments_for(name, limit))
        relaxed.extend(c for c in conjs if c not in relaxed)
    return Prefilter(tuple(frags), tuple(relaxed), tuple(entropy))


def candidate_lines(text: str, prefilter: Prefilter) -> list[int]:
    """1-based numbers of the lines of ``text`` ('\\n'-separated) that are candidates."""
    return prefilter.lines(text)


def candidate_indexes(lines: list[str], prefilter: Prefilter) -> list[int]:
    """1-based indexes of the candidates among ``lines`` (each searched on its own)."""
    return prefilter.line_indexes(lines)
