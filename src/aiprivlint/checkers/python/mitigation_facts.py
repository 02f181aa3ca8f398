"""Mitigation evidence for ``aiprivlint audit``: a facts-only code rule (no rule id, no findings).

It runs only when the audit switches it on (``options["_audit"]``) and emits one fact per file
and mitigation API, at the first place it is used. The audit's adoption table lists them as
evidence that a mitigation is present. What counts:

* ``pseudonymisation`` {api}: Presidio's ``AnonymizerEngine`` / ``BatchAnonymizerEngine`` /
  ``ImageRedactorEngine``, LangChain's ``PresidioAnonymizer`` / ``PresidioReversibleAnonymizer``,
  ``scrubadub``; ``hashlib`` / ``hmac`` only where the code says it pseudonymises (the hashed
  expression names personal data, ``hashlib.sha256(row["email"].encode())``, or the result or the
  enclosing function is named for it, ``user_hash = ...``, ``def pseudonymise(...)``); Faker only
  as a replacement (a Faker call inside a ``lambda`` or in a function named for
  anonymising/replacing), not as a generator of synthetic test data. Hashes and Faker in test
  files do not count.
* ``trace-masking`` {api}: ``LANGSMITH_HIDE_INPUTS`` / ``..._OUTPUTS`` (and the ``LANGCHAIN_`` and
  ``OPENINFERENCE_`` spellings) set to a true value through ``os.environ``; OpenTelemetry GenAI
  content capture (``OTEL_INSTRUMENTATION_*_CAPTURE_MESSAGE_CONTENT``) or
  ``TRACELOOP_TRACE_CONTENT`` set to false; ``langsmith.Client(hide_inputs=..., hide_outputs=...,
  anonymizer=...)``; ``langsmith.anonymizer.create_anonymizer``; ``Langfuse(mask=...)``;
  OpenInference ``TraceConfig(hide_inputs=True)``; OpenAI Agents
  ``RunConfig(trace_include_sensitive_data=False)``.
* ``pinned-revision`` {api, revision}: ``*.from_pretrained``, ``transformers.pipeline``,
  ``datasets.load_dataset``, ``huggingface_hub.hf_hub_download`` / ``snapshot_download`` with
  ``revision=`` a 40-hex commit sha (a literal or a module-level constant); a branch or tag name
  is not a pin.
* ``safe-serialization`` {api}: ``safetensors`` (imported or called), ``safe_serialization=True``,
  ``use_safetensors=True``, ``save_safetensors=True``, ``torch.load(..., weights_only=True)``,
  ``skops.io``. (``yaml.safe_load`` is too common to be evidence of anything.)
"""

from __future__ import annotations

import re

from ._lazy import cst

from . import CodeRule, literal_value
from ._ast_base import Summary
from ...discovery import is_test_path
from ...models.data import PRESIDIO_TEXT

SHA40 = re.compile(r"^[0-9a-f]{40}$")

PRESIDIO = {
    **PRESIDIO_TEXT,
    "presidio_image_redactor.ImageRedactorEngine": "presidio ImageRedactorEngine",
    "presidio_image_redactor.DicomImageRedactorEngine": "presidio DicomImageRedactorEngine",
}
HASH_FUNCS = {f"hashlib.{n}" for n in (
    "sha1", "sha224", "sha256", "sha384", "sha512", "sha3_256", "sha3_512", "blake2b", "blake2s",
    "md5", "new", "pbkdf2_hmac", "scrypt")} | {"hmac.new", "hmac.digest"}
# words (identifier parts, string keys) that denote a person or their identifiers
PD_WORDS = {
    "email", "emails", "mail", "user", "users", "username", "userid", "uid", "patient",
    "patients", "customer", "customers", "phone", "msisdn", "ssn", "iban", "person", "persons",
    "people", "pii", "employee", "employees", "member", "surname", "firstname", "lastname",
    "fullname", "dob", "birthdate", "birthday", "mrn", "participant", "ip", "sender", "recipient",
}
PSEUDO_WORDS = re.compile(r"pseudonym|anonymi[sz]|deidentif|de_identif|redact|mask|scrub")
REPLACE_WORDS = re.compile(r"pseudonym|anonymi[sz]|deidentif|redact|mask|scrub|replac|substitut|swap")

TRACE_HIDE_ENV = {"LANGSMITH_HIDE_INPUTS", "LANGSMITH_HIDE_OUTPUTS", "LANGCHAIN_HIDE_INPUTS",
                  "LANGCHAIN_HIDE_OUTPUTS", "OPENINFERENCE_HIDE_INPUTS", "OPENINFERENCE_HIDE_OUTPUTS",
                  "OPENINFERENCE_HIDE_INPUT_MESSAGES", "OPENINFERENCE_HIDE_OUTPUT_MESSAGES"}
TRACE_CONTENT_ENV = re.compile(r"^(OTEL_INSTRUMENTATION_\w*CAPTURE\w*CONTENT\w*|TRACELOOP_TRACE_CONTENT)$")
TRUE_WORDS = {"true", "1", "yes", "on"}
FALSE_WORDS = {"false", "0", "no", "off"}

PIN_FUNCS = {
    "transformers.pipeline": "pipeline",
    "datasets.load_dataset": "load_dataset",
    "huggingface_hub.hf_hub_download": "hf_hub_download",
    "huggingface_hub.snapshot_download": "snapshot_download",
    "huggingface_hub.file_download.hf_hub_download": "hf_hub_download",
}
SAFE_FLAGS = ("safe_serialization", "use_safetensors", "save_safetensors")
# keywords a fact can hang on: revision= (pins), weights_only=True, the SAFE_FLAGS
FACT_KEYWORDS = frozenset({"revision", "weights_only", *SAFE_FLAGS})
# packages whose import or call is (or can be) the evidence
FACT_PACKAGES = ("safetensors", "skops", "scrubadub", "hashlib", "hmac", "faker", "langsmith",
                 "langfuse", "agents", *{name.split(".")[0] for name in PRESIDIO})


def _words(text: str) -> list[str]:
    """Lower-case identifier parts of some code: ``userEmail_hash`` -> user, email, hash."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)
    return [word.lower() for word in re.findall(r"[A-Za-z]+", spaced)]


def _names_person(words: list[str]) -> bool:
    if any(w in PD_WORDS for w in words):
        return True
    pairs = {a + b for a, b in zip(words, words[1:])}  # first_name -> firstname
    return bool(pairs & PD_WORDS)


class MitigationFacts(CodeRule):
    facts_only = True
    facts_option = "_audit"
    needs = ("presidio", "Presidio", "scrubadub", "hashlib", "hmac", "aker", "HIDE_", "hide_",
             "CAPTURE", "TRACE_CONTENT", "trace_include_sensitive_data", "mask", "anonymizer",
             "revision", "safetensors", "safe_serialization", "weights_only", "skops")

    # snippets -> the fact kind they must emit (tests/test_audit.py runs them)
    EMITS = [
        ("from presidio_anonymizer import AnonymizerEngine\nengine = AnonymizerEngine()",
         "pseudonymisation"),
        ("import scrubadub\nclean = scrubadub.clean(text)", "pseudonymisation"),
        ("import hashlib\ndf['email'] = df['email'].map(lambda e: hashlib.sha256(e.encode()).hexdigest())",
         "pseudonymisation"),
        ("import hmac, hashlib\ndef pseudonymise(v, key):\n    return hmac.new(key, v, hashlib.sha256).hexdigest()",
         "pseudonymisation"),
        ("from faker import Faker\nfake = Faker()\ndf['name'] = df['name'].apply(lambda _: fake.name())",
         "pseudonymisation"),
        ("import os\nos.environ['LANGSMITH_HIDE_INPUTS'] = 'true'", "trace-masking"),
        ("import os\nos.environ.setdefault('OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT', 'false')",
         "trace-masking"),
        ("from langsmith import Client\nc = Client(hide_inputs=lambda i: {})", "trace-masking"),
        ("from langfuse import Langfuse\nlf = Langfuse(mask=masking_function)", "trace-masking"),
        ("from transformers import AutoModel\nm = AutoModel.from_pretrained('bert-base-uncased', "
         "revision='86b5e0934494bd15c9632b12f734a8a67f723594')", "pinned-revision"),
        ("from datasets import load_dataset\nREV = '0123456789abcdef0123456789abcdef01234567'\n"
         "ds = load_dataset('imdb', revision=REV)", "pinned-revision"),
        ("from safetensors.torch import save_file\nsave_file(sd, 'model.safetensors')", "safe-serialization"),
        ("model.save_pretrained('out', safe_serialization=True)", "safe-serialization"),
        ("import torch\nsd = torch.load('ckpt.pt', weights_only=True)", "safe-serialization"),
    ]
    # snippets that must emit no fact
    SILENT = [
        "import hashlib\nkey = hashlib.sha256(prompt.encode()).hexdigest()",
        "import hashlib\nh = hashlib.md5(open(path, 'rb').read()).hexdigest()",
        "from faker import Faker\nfake = Faker()\nrows = [{'name': fake.name()} for _ in range(10)]",
        "import os\nos.environ['LANGSMITH_HIDE_INPUTS'] = 'false'",
        "import os\nos.environ['OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT'] = 'true'",
        "from langsmith import Client\nc = Client(hide_inputs=False)",
        "from transformers import AutoModel\nm = AutoModel.from_pretrained('gpt2', revision='main')",
        "model.save_pretrained('out', safe_serialization=False)",
        "import torch\nsd = torch.load('ckpt.pt')",
        "import yaml\ncfg = yaml.safe_load(f)",
    ]

    @classmethod
    def gate(cls, summary: Summary) -> bool:
        if not FACT_KEYWORDS.isdisjoint(summary.keywords):
            return True
        if summary.imports_any(*FACT_PACKAGES) or summary.import_prefix("openinference"):
            return True
        # os.environ[K] = V / setdefault / putenv / update with a trace-masking key K, a literal
        # or an update() keyword
        return summary.imports_any("os") and any(
            k in TRACE_HIDE_ENV or ("CONTENT" in k and TRACE_CONTENT_ENV.match(k))
            for k in (*summary.strings, *summary.keywords))

    def __init__(self, runner) -> None:
        super().__init__(runner)
        self._seen: set[tuple[str, str]] = set()
        self._funcs: list[str] = []
        self._targets: list[list[str]] = []
        self._lambdas = 0
        self._fakers: set[str] = set()
        self._constants: dict[str, str] = {}
        self._depth = 0  # function/class nesting: module-level constants only
        self._test = self.options.get("test-code", "skip") == "skip" and is_test_path(self.path)

    # --- scope tracking ------------------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._funcs.append(node.name.value)
        self._depth += 1

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._funcs.pop()
        self._depth -= 1

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._depth += 1

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self._depth -= 1

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._lambdas += 1

    def leave_Lambda(self, node: cst.Lambda) -> None:
        self._lambdas -= 1

    def visit_Assign(self, node: cst.Assign) -> None:
        words: list[str] = []
        for t in node.targets:
            words += _words(self._code(t.target))
        self._targets.append(words)
        # module constants (for revision=REV) and Faker instances
        ok, value = literal_value(node.value)
        for t in node.targets:
            if isinstance(t.target, cst.Name):
                if ok and isinstance(value, str) and self._depth == 0:
                    self._constants[t.target.value] = value
                if isinstance(node.value, cst.Call) and self._is_faker_class(node.value.func):
                    self._fakers.add(t.target.value)
            elif isinstance(t.target, cst.Attribute) and isinstance(node.value, cst.Call) \
                    and self._is_faker_class(node.value.func):
                self._fakers.add(self.dotted_name(t.target) or "")
        # os.environ["LANGSMITH_HIDE_INPUTS"] = "true"
        for t in node.targets:
            if isinstance(t.target, cst.Subscript) and self.qualified_name(t.target.value) == "os.environ":
                key = self._subscript_key(t.target)
                if key is not None:
                    self._env(node, key, node.value)

    def leave_Assign(self, node: cst.Assign) -> None:
        self._targets.pop()

    # --- calls ---------------------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        name = self.qualified_name(node.func)
        attr = node.func.attr.value if isinstance(node.func, cst.Attribute) else None
        self._pseudonymisation(node, name)
        self._trace_masking(node, name)
        self._pinned(node, name, attr)
        self._safe(node, name, attr)

    def _pseudonymisation(self, node: cst.Call, name: str | None) -> None:
        if name in PRESIDIO:
            self._fact("pseudonymisation", node, PRESIDIO[name])
        elif name and (name == "scrubadub" or name.startswith("scrubadub.")):
            self._fact("pseudonymisation", node, "scrubadub")
        elif name in HASH_FUNCS and not self._test and self._hash_pseudonymises(node):
            self._fact("pseudonymisation", node, f"{name.split('.')[0]} pseudonym (keyed hash)"
                       if name.startswith("hmac") else f"{name} pseudonym")
        elif not self._test and self._is_faker_call(node) and (
                self._lambdas or any(REPLACE_WORDS.search(f.lower()) for f in self._funcs)):
            self._fact("pseudonymisation", node, "Faker replacement")

    def _hash_pseudonymises(self, node: cst.Call) -> bool:
        if _names_person(_words(" ".join(self._code(a.value) for a in node.args))):
            return True
        if any(PSEUDO_WORDS.search(f.lower()) for f in self._funcs):
            return True
        # the hash replaces or keys a person's field: df["email"] = ..., user_hash = ...
        return any(PSEUDO_WORDS.search("_".join(w)) or _names_person(w) for w in self._targets)

    def _trace_masking(self, node: cst.Call, name: str | None) -> None:
        if name in ("os.environ.setdefault", "os.putenv") and len(node.args) >= 2:
            ok, key = literal_value(node.args[0].value)
            if ok and isinstance(key, str):
                self._env(node, key, node.args[1].value)
        elif name == "os.environ.update":
            for arg in node.args:
                if arg.keyword is not None:
                    self._env(node, arg.keyword.value, arg.value)
                elif isinstance(arg.value, cst.Dict):
                    for el in arg.value.elements:
                        if isinstance(el, cst.DictElement):
                            ok, key = literal_value(el.key)
                            if ok and isinstance(key, str):
                                self._env(node, key, el.value)
        elif name in ("langsmith.Client", "langsmith.client.Client", "langsmith.AsyncClient"):
            for kw in ("hide_inputs", "hide_outputs", "anonymizer"):
                arg = self.kwarg(node, kw)
                if arg is not None and literal_value(arg.value) not in ((True, False), (True, None)):
                    self._fact("trace-masking", node, f"langsmith Client({kw}=...)")
                    break
        elif name == "langsmith.anonymizer.create_anonymizer":
            self._fact("trace-masking", node, "langsmith create_anonymizer")
        elif name in ("langfuse.Langfuse", "langfuse.get_client") and self.kwarg(node, "mask") is not None:
            self._fact("trace-masking", node, "Langfuse(mask=...)")
        elif name and name.endswith("TraceConfig") and name.startswith("openinference"):
            if any(self.kwarg_is(node, k, True) for k in ("hide_inputs", "hide_outputs",
                                                          "hide_input_messages", "hide_output_messages")):
                self._fact("trace-masking", node, "openinference TraceConfig(hide_*)")
        elif name in ("agents.RunConfig", "agents.run.RunConfig"):
            if self.kwarg_is(node, "trace_include_sensitive_data", False):
                self._fact("trace-masking", node, "openai-agents RunConfig(trace_include_sensitive_data=False)")

    def _env(self, node: cst.CSTNode, key: str, value_node: cst.CSTNode) -> None:
        ok, value = literal_value(value_node)
        if not ok:
            return
        text = str(value).strip().lower()
        if key in TRACE_HIDE_ENV and text in TRUE_WORDS:
            self._fact("trace-masking", node, f"{key}={text}")
        elif TRACE_CONTENT_ENV.match(key) and text in FALSE_WORDS:
            self._fact("trace-masking", node, f"{key}={text}")

    def _pinned(self, node: cst.Call, name: str | None, attr: str | None) -> None:
        if attr == "from_pretrained" or (name and name.endswith(".from_pretrained")):
            api = "from_pretrained"
        elif name in PIN_FUNCS:
            api = PIN_FUNCS[name]
        else:
            return
        arg = self.kwarg(node, "revision")
        if arg is None:
            return
        ok, value = literal_value(arg.value)
        if not ok and isinstance(arg.value, cst.Name):
            value = self._constants.get(arg.value.value)
        if isinstance(value, str) and SHA40.match(value):
            self._fact("pinned-revision", node, api, revision=value[:12])

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            if (self.dotted_name(alias.name) or "").split(".")[0] == "safetensors":
                self._fact("safe-serialization", node, "safetensors")

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        # the import is the evidence: the loader is often passed around, not called by name
        if not node.relative and (self.dotted_name(node.module) or "").split(".")[0] == "safetensors":
            self._fact("safe-serialization", node, "safetensors")

    def _safe(self, node: cst.Call, name: str | None, attr: str | None) -> None:
        if name and name.split(".")[0] == "safetensors":
            self._fact("safe-serialization", node, "safetensors")
            return
        if name and name.startswith("skops.io."):
            self._fact("safe-serialization", node, f"skops.io {name.split('.')[-1]}")
            return
        if name == "torch.load" and self.kwarg_is(node, "weights_only", True):
            self._fact("safe-serialization", node, "torch.load(weights_only=True)")
            return
        for flag in SAFE_FLAGS:
            if self.kwarg_is(node, flag, True):
                label = attr or (name or self.dotted_name(node.func) or "call").split(".")[-1]
                self._fact("safe-serialization", node, f"{label}({flag}=True)")
                return

    # --- helpers -------------------------------------------------------------------------
    def _fact(self, kind: str, node: cst.CSTNode, api: str, **data) -> None:
        if (kind, api) in self._seen:
            return
        self._seen.add((kind, api))
        self.fact(kind, node, api=api, **data)

    def _code(self, node: cst.CSTNode) -> str:
        return self._run.module.code_for_node(node)

    def _subscript_key(self, node: cst.Subscript) -> str | None:
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return None
        ok, key = literal_value(node.slice[0].slice.value)
        return key if ok and isinstance(key, str) else None

    def _is_faker_class(self, func: cst.CSTNode) -> bool:
        return self.qualified_name(func) in ("faker.Faker", "faker.proxy.Faker")

    def _is_faker_call(self, node: cst.Call) -> bool:
        func = node.func
        if not isinstance(func, cst.Attribute):
            return False
        recv = func.value
        if isinstance(recv, cst.Call) and self._is_faker_class(recv.func):
            return True
        dotted = self.dotted_name(recv)
        return dotted is not None and dotted in self._fakers
