"""detect-secrets filters added or adapted by aiprivlint (AIP105).

detect-secrets calls a filter with the arguments it names (``secret``, ``line``, ``plugin``,
``filename``, ``context``) and drops the candidate when it returns True. These run inside
detect-secrets' filter stack, next to its own heuristic filters, in the full-file scan of the
equivalence bench as well as in aiprivlint's prefiltered scan.

Why they exist (measured on nine ML repositories: flower, trl, diffusers, presidio, opacus,
tensorflow/privacy, deepface, opengpts, anthropic-cookbook; every keyword hit there was one):

- ``is_placeholder``: tutorials and SDK examples are full of keys that are not keys:
  ``api_key="EMPTY"`` (vLLM), ``"sk-no-key-required"``, ``"YOUR_API_KEY"``, ``"<token>"``,
  ``hf_xxxxxxxx…``, ``password: postgres`` in a docker-compose file, AWS's documented example
  key. The keyword plugin reports any quoted value after ``api_key``/``password``; this filter
  keeps values that look generated (mixed character classes, no placeholder words).
- ``is_indirect_reference``: detect-secrets' filter of the same name drops a *whole line* when it
  contains ``x = f(...)``, which silences every plugin on ``client = OpenAI(api_key="sk-…")`` —
  the commonest way ML code hard-codes a key. Here it only applies to the generic plugins it was
  written for (keyword and entropy); a token with a provider's prefix is reported.
- ``is_lock_file`` / ``is_hash_pin``: detect-secrets skips a fixed list of lock files that misses
  ``pnpm-lock.yaml``, ``uv.lock``, ``bun.lock`` and others: their ``integrity: sha512-…`` hashes
  were 4,500 of the 5,500 findings of fifteen ML repositories (mem0 alone: 4,213). A lock file is
  never where a credential is kept, and a line that pins a package by its hash (``integrity``,
  ``--hash=sha256:``, a ``sha512-`` SRI string) holds a checksum, in any file.
- more of ``is_placeholder``, from reading every AIP105 finding left on those fifteen
  repositories (48, none a credential): API resource ids in documented responses (``cmpl-…``,
  ``ft-…``, ``file-…`` of an OpenAPI spec), keys public by design (PostHog ``phc_``, Stripe
  ``pk_``), Hub model ids (``RedHatAI/NVIDIA-Nemotron-3-Ultra-550B-…``: many short parts),
  types written as strings in generated API models (``'list[V1LocalObjectReference]'``),
  names of secrets (``DEFAULT_SECRET_NAME = "kserve-secret-"``), short lower-case hand-written
  passwords of tests and local stacks (``hunter2``, ``minio123``, ``s3admin123``), template
  defaults (``${POSTGRES_PASSWORD:postgres}``), and Kubernetes Secret data, which is judged by
  the value it base64-encodes (``bWluaW8xMjM=`` is ``minio123``).
- more of ``is_placeholder`` and ``is_key_block_placeholder``, from every AIP105 finding of onyx,
  quivr and AgentGPT (36, none a credential): keyword values that name what they stand for
  (``"SecurePassword123!"``, ``"AWSSECRET-LEAKED-9999"``), capitalised words and labels in any
  script (``API_KEY_HEADER_NAME = "Authorization"``, ``"Bearer " + token``, translation files'
  ``"API-Schlüssel"``), and key headers whose string ends, or whose block ends, on the same line
  with no key material (``"-----BEGIN PRIVATE KEY-----secret"``). ``is_elided``: a token shown
  cut short (``xoxp-1-Mi0y...MDkw``): the provider plugin's match stops at the dots.
- ``is_named_value``: in configuration files the entropy plugins report any value; a value whose
  key names what it holds (``model_name_or_path: HuggingFaceTB/SmolLM3-3B-checkpoints`` in a
  training recipe) is a model id, a path or a name (alignment-handbook's recipes).
- ``is_potential_uuid``: detect-secrets drops UUID-shaped secrets; Pinecone's pre-2024 keys are
  UUIDs, so UUIDs found by a plugin that expects them (next to the word "pinecone") are kept.
"""

from __future__ import annotations

import math
import re
from typing import Any

GENERIC_TYPES = frozenset({"Secret Keyword", "Base64 High Entropy String", "Hex High Entropy String"})
ENTROPY_TYPES = frozenset({"Base64 High Entropy String", "Hex High Entropy String"})
WORDY_TYPES = frozenset({"Secret Keyword", "Basic Auth Credentials"})

# placeholder words; in a random 160-character token one of the long ones turns up by chance
# about once in 20,000 keys, the short ones only count between non-letters ("sk-ant-your-key")
_LONG_MARKERS = (r"example|placeholder|dummy|sample|changeme|change_me|replace|insert|redacted"
                 r"|xxxxx|\*\*\*|\.\.\.|…|<|>|\{\{|\}\}|\$\{|%\(|%s")
_SHORT_MARKERS = r"your|fake|test|here|todo|xxxx|secret_?key|api_?key"
_MARKERS = re.compile(f"{_LONG_MARKERS}|(?<![a-z])(?:{_SHORT_MARKERS})(?![a-z])", re.IGNORECASE)
# hand-written values (keyword assignments, URL passwords): a placeholder word anywhere, or a
# word that names what the value stands for ("SecurePassword123!", "AWSSECRET-LEAKED-9999",
# "GOCSPX-secret"): a test's stand-in spells out what it is, a credential does not
_NAMING_WORDS = r"password|passwd|secret|leaked|sensitive"
_MARKERS_ANYWHERE = re.compile(f"{_LONG_MARKERS}|{_SHORT_MARKERS}|{_NAMING_WORDS}", re.IGNORECASE)
_WORDY = re.compile(
    r"[a-z]+"  # postgres, inherit, password
    r"|[A-Z][A-Z0-9_]*"  # EMPTY, OPENAI_API_KEY, NONE
    r"|[a-z]+(?:[-_. :=@][a-z0-9]*)+"  # my_api_key, sk-no-key-required, kserve-secret-, users_token:
    r"|[A-Z]?[a-z]+(?:[A-Z][a-z]+)+"  # MyPassword
    r"|(?:[A-Z]?[a-z]+|[A-Z]+)(?:[-_. ](?:[A-Z]?[a-z]+|[A-Z]+))*",  # Authorization, X-Onyx-Authorization, Bearer
)
# a letter of another script than Latin: natural-language text (a UI label in a translation file:
# "API-Schlüssel", "APIキーが無効です"), never a generated credential, which is ASCII
_NON_ASCII_LETTER = re.compile(r"[^\x00-\x7f]")
_PATHLIKE = re.compile(
    r"(?:~|\.{1,2})?/[\w./-]*|[\w.-]+(?:/[\w.-]+)+/?"
    r"|.*\.(?:pem|key|crt|cer|der|p12|pfx|jks|pub|gpg|asc|json|ya?ml|txt|env|ini|cfg|toml|conf)",
    re.IGNORECASE,
)
# a type written as a string (``'list[V1LocalObjectReference]'`` in generated API models)
_TYPE_EXPR = re.compile(r"[A-Za-z_][\w.]*\[[\w., \[\]()]*\]")
_SEQUENCES = ("abcdefghijklmnopqrstuvwxyz", "0123456789", "9876543210", "qwertyuiop", "asdfghjkl")


def _entropy(s: str) -> float:
    n = len(s)
    return -sum(c / n * math.log2(c / n) for c in (s.count(ch) for ch in set(s))) if n else 0.0


def _low_diversity(secret: str) -> bool:
    """Filler rather than random: long runs of one character, alphabet walks, few distinct chars."""
    if re.search(r"(.)\1{5,}", secret):
        return True
    low = secret.lower()
    if any(seq[i:i + 8] in low for seq in _SEQUENCES for i in range(len(seq) - 7)):
        return True
    return len(secret) >= 16 and _entropy(secret) < 3.0


def _identifier_like(secret: str) -> bool:
    """A CamelCase or snake_case name (``Mistral3ForConditionalGeneration``), not a random token:
    most of it is runs of 4+ lower-case letters (in a random base62 token, half of it is so
    covered less than once in a thousand)."""
    return sum(len(run) for run in re.findall(r"[a-z]{4,}", secret)) >= 0.5 * len(secret)


# identifiers that API responses and their documented examples are full of, with the shape of a
# token but nothing to authenticate with: OpenAI's completion/file/fine-tune/assistant/batch ids,
# Anthropic's message and tool-use ids
_RESOURCE_ID = re.compile(
    r"(?:chatcmpl|cmpl|file|ft|ft-event|ftjob|ftckpt|asst|thread|msg|run|step|batch|vs|resp|call"
    r"|toolu|req|evt|org)[-_][A-Za-z0-9_-]{8,}\\*")
# keys made to be public: PostHog project keys and Stripe publishable keys ship in client code
_PUBLIC_BY_DESIGN = re.compile(r"(?:phc_|pk_live_|pk_test_)[A-Za-z0-9]{16,}")
# hand-written passwords of demos, tests and local stacks: lower-case letters and digits, short
# (``secret123``, ``hunter2``, ``s3admin123``); a generated credential is longer or mixes case
_HAND_WRITTEN = re.compile(r"(?=.*[a-z].*[a-z])[a-z0-9]{1,12}")
# a name with many short parts (``RedHatAI/NVIDIA-Nemotron-3-Ultra-550B-FP8``): a model id or
# a path, not a random token, whose parts are long
_NAME_PARTS = re.compile(r"[/_.:-]")


def _name_like(secret: str) -> bool:
    parts = [p for p in _NAME_PARTS.split(secret) if p]
    return len(parts) >= 4 and max(map(len, parts)) <= 12


# GraphQL global object ids (the Relay convention): base64 of "<Type>:<id>"
_GLOBAL_ID = re.compile(r"[A-Z][A-Za-z0-9]*:[A-Za-z0-9_-]{1,64}")
_PATH_WORD = re.compile(r"[a-z][a-z0-9_-]*|:[A-Za-z]\w*")


def _global_ids(secret: str) -> bool:
    """A GraphQL global id, or a URL path of words and such ids (``/projects/UHJvamVjdDo0Nw==/
    config``): the ids of rows, not credentials."""
    parts = [p for p in secret.split("/") if p]
    ids = [p for p in parts if _GLOBAL_ID.fullmatch(_k8s_base64(p) or "")]
    return bool(ids) and all(p in ids or _PATH_WORD.fullmatch(p) for p in parts)


_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


def _k8s_base64(secret: str) -> str | None:
    """The text a short base64 value encodes (``cGFzc3dvcmQ=``: ``password``), as Kubernetes
    Secrets store theirs; None when it is no such encoding of printable text."""
    if len(secret) > 64 or not _BASE64.fullmatch(secret):
        return None
    from .manifests import base64_text

    text = (base64_text(secret) or "").strip()
    return text if text and text.isprintable() and text != secret else None


# The claims of the example token of jwt.io and of most JWT tutorials ({"sub": "1234567890",
# "name": "John Doe", "iat": 1516239022}): a token that claims nothing else is that example.
_EXAMPLE_JWT_CLAIMS = {"sub": "1234567890", "name": "John Doe", "iat": 1516239022, "admin": True}


def _example_jwt(secret: str) -> bool:
    import base64
    import binascii
    import json

    parts = secret.split(".")
    if len(parts) != 3:
        return False
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (binascii.Error, ValueError):
        return False
    return isinstance(claims, dict) and "sub" in claims and all(
        _EXAMPLE_JWT_CLAIMS.get(k, object()) == v for k, v in claims.items())


def is_placeholder(secret: str, plugin: Any) -> bool:
    """True for values that keep a credential's place without being one."""
    # ``${DB_PASSWORD:postgres}``, ``"{token}"``: the value without the template's punctuation
    secret = secret.strip("{}\"'`,; \\")  # and an escaped quote's backslash
    if not secret:
        return True
    secret_type = getattr(plugin, "secret_type", "")
    if secret_type == "JSON Web Token" and _example_jwt(secret):
        return True
    wordy = secret_type in WORDY_TYPES
    decoded = _k8s_base64(secret) if wordy else None
    if decoded is not None:
        return is_placeholder(decoded, plugin)  # a Kubernetes Secret's data: judge the value
    if _RESOURCE_ID.fullmatch(secret) or _PUBLIC_BY_DESIGN.fullmatch(secret):
        return True
    if secret_type in GENERIC_TYPES and _name_like(secret):
        return True
    if secret_type in ENTROPY_TYPES and _global_ids(secret):
        return True  # a GraphQL global id, base64 of "Project:47" (alone or in a URL path)
    if (_MARKERS_ANYWHERE if wordy else _MARKERS).search(secret) or _low_diversity(secret):
        return True
    if getattr(plugin, "aiprivlint_plugin", False):
        if _identifier_like(secret):
            return True
        if getattr(plugin, "mixed_case", False) and not (
                re.search(r"[A-Z]", secret) and re.search(r"[a-z]", secret) and re.search(r"[0-9]", secret)):
            return True
    if wordy:
        # a hand-written value: keep it only if it looks generated or deliberately complex
        if len(secret) < 6 or any(ch.isspace() for ch in secret):
            return True
        if _NON_ASCII_LETTER.search(secret):
            return True
        if _WORDY.fullmatch(secret) or _PATHLIKE.fullmatch(secret) or _TYPE_EXPR.fullmatch(secret):
            return True
        if _HAND_WRITTEN.fullmatch(secret):
            return True
    return False


_KEY_BODY = re.compile(r"[A-Za-z0-9+/=]{32,}")
_KEY_PART = re.compile(r"\s*[bBrRuU]*[\"'`][A-Za-z0-9+/=]{32,}")  # "MIIEowIBAAKCAQEAy8Dbv8p...\n"


def is_key_block_placeholder(secret: str, plugin: Any, context: Any) -> bool:
    """A ``-----BEGIN ... PRIVATE KEY-----`` line whose block holds no key material before its
    END line, within the lines detect-secrets shows around it (``[...]``, ``<your key>``): the
    shape of a key in documentation, not a key. (A key's body is base64 lines of 64 characters.)"""
    if getattr(plugin, "secret_type", "") != "Private Key":
        return False
    lines = getattr(context, "lines", None)
    index = getattr(context, "target_index", None)
    if not lines or index is None:
        return False
    # the block can start and end on the line itself: a string with escaped newlines
    # ("-----BEGIN PRIVATE KEY-----\nabc\n-----END ...") or a string that closes after the header
    # ("-----BEGIN PRIVATE KEY-----secret", placeholder: "-----BEGIN PRIVATE KEY-----")
    rest = re.split(r"PRIVATE KEY(?:-----)?", lines[index], maxsplit=1)[-1]
    if _KEY_BODY.search(rest.replace("\\n", "\n")):
        return False
    if "-----END" in rest:
        return True
    if re.search(r"[\"'`]", rest):
        # the string ends after the header: a key goes on in the next string part
        # ("-----BEGIN ... KEY-----\n" then "MIIEow...\n"), anything else holds none
        following = [ln for ln in lines[index + 1:] if ln.strip()]
        return not (following and _KEY_PART.match(following[0]))
    for line in lines[index + 1:]:
        if "-----END" in line:
            return True
        if _KEY_BODY.search(line):
            return False
    return False  # the block goes on beyond what is shown: it may hold a key


def is_elided(secret: str, line: str) -> bool:
    """A token shown cut short in the line (``xoxp-1-Mi0yLTU5...MDkw``): documentation or a test
    of a redacted value, not a credential that can be used (the plugin's match stops at the
    dots, so the secret alone does not show it)."""
    at = line.find(secret)
    return at >= 0 and line[at + len(secret):].startswith(("...", "\u2026"))


# ``key: value`` / ``key = value`` of a configuration line (YAML, TOML, INI, .env, a dict entry)
_KEY_VALUE = re.compile(r"""^\s*(?:-\s+)?["']?([A-Za-z_][\w.-]*)["']?\s*[:=]\s*(.+)$""")
# the last word of a key that says its value names a thing or a place
NAMING_KEY_WORDS = frozenset({
    "name", "names", "path", "paths", "dir", "dirs", "directory", "file", "filename", "folder",
    "model", "models", "repo", "repository", "dataset", "datasets", "checkpoint", "tokenizer",
    "revision", "branch", "image", "template"})


def is_named_value(secret: str, line: str, plugin: Any) -> bool:
    """A high-entropy string that is the value of a key naming what it holds
    (``model_name_or_path: HuggingFaceTB/SmolLM3-3B-checkpoints``, ``output_dir: ...``,
    ``dataset_name = ...``): a model id, a path or a name, not a credential. Only the entropy
    plugins are concerned: they report any value, whatever its key, in configuration files."""
    if getattr(plugin, "secret_type", "") not in ENTROPY_TYPES:
        return False
    m = _KEY_VALUE.match(line)
    if m is None or secret not in m.group(2):
        return False
    from ..pii.fields import words  # how field names are cut everywhere (snake, camel)

    key = words(m.group(1))
    return bool(key) and key[-1] in NAMING_KEY_WORDS


def is_indirect_reference(secret: str, line: str, plugin: Any) -> bool:
    """detect-secrets' ``is_indirect_reference``, for the generic plugins only.

    (It names ``secret`` so that detect-secrets runs it per reported secret, when the plugin is
    known, rather than once per line.)"""
    if getattr(plugin, "secret_type", "") not in GENERIC_TYPES:
        return False
    from detect_secrets.filters.heuristic import is_indirect_reference as ds_indirect

    return ds_indirect(line)


def is_potential_uuid(secret: str, plugin: Any) -> bool:
    """detect-secrets' ``is_potential_uuid``, except for plugins whose keys are UUIDs."""
    if getattr(plugin, "allows_uuid", False):
        return False
    from detect_secrets.filters.heuristic import is_potential_uuid as ds_uuid

    return ds_uuid(secret)


LOCK_FILES = frozenset({
    "Brewfile.lock.json", "Cartfile.resolved", "composer.lock", "Gemfile.lock", "Package.resolved",
    "package-lock.json", "Podfile.lock", "yarn.lock", "Pipfile.lock", "poetry.lock", "Cargo.lock",
    "packages.lock.json", "pnpm-lock.yaml", "uv.lock", "bun.lock", "bun.lockb", "pdm.lock",
    "conda-lock.yml", "conda-lock.yaml", "go.sum", "flake.lock", "mix.lock", "pubspec.lock",
    "gradle.lockfile", "npm-shrinkwrap.json", "deno.lock", "pixi.lock", "Manifest.toml",
    "requirements.lock", "Gopkg.lock", "paket.lock", "shard.lock"})
_HASH_PIN = re.compile(r"""(?:^|[\s"'{,])integrity["']?\s*[:=]|--hash[= ](?:sha256|sha384|sha512):|"""
                       r"""\bsha(?:1|256|384|512)-[A-Za-z0-9+/]{20,}={0,2}""")


def is_lock_file(filename: str) -> bool:
    """A package manager's lock file: versions and checksums, never a credential."""
    import os.path

    base = os.path.basename(filename)
    return base in LOCK_FILES or base.endswith((".lock", "-lock.yaml", "-lock.yml", "-lock.json"))


def is_hash_pin(line: str) -> bool:
    """A package pinned by its hash (``integrity: sha512-…``, ``--hash=sha256:…``)."""
    return bool(_HASH_PIN.search(line))
