"""Token shapes of ML provider credentials (AIP105), as plain regular expressions.

Each entry is used twice: by the detect-secrets plugin of that provider (``plugins.py``, which
yields capture group 1) and, without its look-arounds, by the prefilter (``prefilter.py``). The
module imports nothing heavy, so the prefilter can run before detect-secrets is imported.

Shapes are strict (prefix, alphabet, length) so that a match is almost always a real key;
placeholders that keep the shape (``hf_xxxx…``) are dropped later by ``filters.is_placeholder``.
Context-keyed shapes (Cohere, Mistral, Weights & Biases, Pinecone's older UUID keys) have no
prefix of their own, so they only match when the provider is named on the same line.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fragment:
    """A prefilter piece: a regex that matches (at least) wherever a plugin could fire.

    ``folded`` fragments are written in lower case and searched in the case-folded text (see
    ``prefilter.fold``), which is how case-insensitive patterns are matched fast. ``literals``:
    the searched text must contain one of them for the fragment to match at all (a quick ``in``
    test that keeps the regex small); empty means "always search".
    """

    pattern: str
    literals: tuple[str, ...] = ()
    folded: bool = False


@dataclass(frozen=True)
class TokenShape:
    name: str  # detect-secrets plugin class name
    secret_type: str  # what findings call it (details.secret_type)
    patterns: tuple[str, ...]  # for the plugin: group 1 is the secret
    fragments: tuple[Fragment, ...]  # for the prefilter: together a superset of every pattern
    allows_uuid: bool = False  # the key may be shaped like a UUID (exempt from the UUID filter)
    mixed_case: bool = False  # a random mixed-case key: one without upper, lower and digit is not


def _f(pattern: str, *literals: str) -> Fragment:
    return Fragment(pattern, literals)


def _fi(pattern: str, *literals: str) -> Fragment:
    return Fragment(pattern, literals, folded=True)


_B = r"(?<![A-Za-z0-9_-])"  # no token character before
_E = r"(?![A-Za-z0-9_-])"  # no token character after
_ASSIGN = r"""['"\]]{0,2}[ \t]*(?:=|:|,|=>)[ \t]*['"]?"""  # key"] = "  /  key: '  /  "key", "

SHAPES: tuple[TokenShape, ...] = (
    TokenShape(
        "AIPOpenAIKeyDetector", "OpenAI API key",
        (_B + r"(sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,})" + _E,
         _B + r"(sk-[A-Za-z0-9]{48})" + _E),
        (_f(r"sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40}|sk-[A-Za-z0-9]{48}", "sk-"),),
    ),
    TokenShape(
        "AIPAnthropicKeyDetector", "Anthropic API key",
        (_B + r"(sk-ant-[a-z]{2,10}[0-9]{2}-[A-Za-z0-9_-]{60,})" + _E,),
        (_f(r"sk-ant-[a-z]{2,10}[0-9]{2}-[A-Za-z0-9_-]{60}", "sk-ant-"),),
    ),
    TokenShape(
        "AIPHuggingFaceTokenDetector", "Hugging Face token",
        (_B + r"((?:hf|api_org)_[A-Za-z0-9]{34})" + _E,),
        (_f(r"(?:hf|api_org)_[A-Za-z0-9]{34}", "hf_", "api_org_"),),
    ),
    TokenShape(
        "AIPGroqKeyDetector", "Groq API key",
        (_B + r"(gsk_[A-Za-z0-9]{52})" + _E,),
        (_f(r"gsk_[A-Za-z0-9]{52}", "gsk_"),),
    ),
    TokenShape(
        "AIPReplicateTokenDetector", "Replicate API token",
        (_B + r"(r8_[A-Za-z0-9]{37})" + _E,),
        (_f(r"r8_[A-Za-z0-9]{37}", "r8_"),),
    ),
    TokenShape(
        "AIPGoogleAPIKeyDetector", "Google API key",
        (_B + r"(AIza[0-9A-Za-z_-]{35})" + _E,),
        (_f(r"AIza[0-9A-Za-z_-]{35}", "AIza"),),
    ),
    TokenShape(
        "AIPLangSmithKeyDetector", "LangSmith API key",
        (_B + r"(lsv2_(?:pt|sk)_[0-9a-f]{32}_[0-9a-f]{10})" + _E,
         _B + r"(ls__[0-9a-f]{32})" + _E),
        (_f(r"lsv2_(?:pt|sk)_[0-9a-f]{32}_[0-9a-f]{10}|ls__[0-9a-f]{32}", "lsv2_", "ls__"),),
    ),
    TokenShape(
        "AIPPineconeKeyDetector", "Pinecone API key",
        (_B + r"(pcsk_[A-Za-z0-9]{4,10}_[A-Za-z0-9]{40,})" + _E,
         # keys issued before 2024 are UUIDs: only next to the word "pinecone"
         r"(?i:pinecone)[^\n]{0,80}?(?<![0-9A-Za-z-])"
         r"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
         r"(?![0-9A-Za-z-])"),
        (_f(r"pcsk_[A-Za-z0-9]{4,10}_[A-Za-z0-9]{40}", "pcsk_"),
         _fi(r"pinecone[^\n]{0,80}?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-", "pinecone")),
        allows_uuid=True,
    ),
    TokenShape(
        "AIPCohereKeyDetector", "Cohere API key",
        (r"(?i:cohere|co_api_key)[^\n]{0,80}?(?<![A-Za-z0-9])([A-Za-z0-9]{40})(?![A-Za-z0-9])",),
        (_fi(r"(?:cohere|co_api_key)[^\n]{0,80}?[a-z0-9]{40}", "cohere", "co_api_key"),),
        mixed_case=True,
    ),
    TokenShape(
        "AIPMistralKeyDetector", "Mistral API key",
        (r"(?i:mistral)[^\n]{0,80}?(?<![A-Za-z0-9])([A-Za-z0-9]{32})(?![A-Za-z0-9])",),
        (_fi(r"mistral[^\n]{0,80}?[a-z0-9]{32}", "mistral"),),
        mixed_case=True,
    ),
    TokenShape(
        "AIPWandbKeyDetector", "Weights & Biases API key",
        # WANDB_API_KEY=<40 hex>, wandb.login(key="<40 hex>"), `wandb login <40 hex>`
        (r"(?i:wandb_?api_?key)" + _ASSIGN + r"([0-9a-f]{40})(?![0-9A-Za-z])",
         r"(?i:wandb[ \t]*\.[ \t]*login[ \t]*\()[^\n]{0,200}?(?<![0-9A-Za-z])([0-9a-f]{40})(?![0-9A-Za-z])",
         r"(?i:wandb[ \t]+login)[ \t][^\n]{0,80}?(?<![0-9A-Za-z])([0-9a-f]{40})(?![0-9A-Za-z])"),
        (_fi(r"wandb[^\n]*?[0-9a-f]{40}", "wandb"),),
    ),
)


def shape_by_type(secret_type: str) -> TokenShape | None:
    for shape in SHAPES:
        if shape.secret_type == secret_type:
            return shape
    return None


_TOKENS = None


def redact_tokens(text: str) -> str:
    """``text`` with each provider token shape in it replaced by ``<secret>``: for names shown
    to the user that may themselves be a key (a dict key echoed as another finding's field)."""
    global _TOKENS
    if _TOKENS is None:
        import re

        _TOKENS = [re.compile(p) for shape in SHAPES for p in shape.patterns]
    for rx in _TOKENS:
        if rx.search(text):
            text = rx.sub(lambda m: m.group(0).replace(m.group(1), "<secret>"), text)
    return text
