"""AIP301 public-artifact-upload. Docs live in rules/AIP301.toml.

How the check works. Upload sites are collected during the traversal and decided when the module
ends, because what makes an upload private is often written elsewhere in the same file (a
``create_repo(..., private=True)`` at the top of ``main()``, ``hub_private_repo=True`` in the
training arguments). There are four kinds of site:

* **create** — calls that create the repository and so decide its visibility with ``private=``:
  ``huggingface_hub.create_repo`` (module function or ``HfApi`` method), ``upload_large_folder``,
  ``push_to_hub_keras`` / ``push_to_hub_fastai``, ``timm``'s ``push_to_hf_hub``,
  ``update_repo_visibility`` / ``update_repo_settings`` with ``private=False``.
* **push** — the ``.push_to_hub(...)`` / ``.save_to_hub(...)`` method of a model, tokenizer,
  processor, dataset, pipeline or trainer, and ``save_pretrained(..., push_to_hub=True)``. The
  receiver is usually a variable, and the method name is specific enough; but a call never fires
  when the import says it is something else (``mylib.push_to_hub()``, a name imported relatively
  from the project), nor ``self.push_to_hub`` / ``super().push_to_hub`` in a file that defines its
  own ``push_to_hub`` (a library forwarding to its base class), nor a bare ``push_to_hub(...)``
  (a project helper: HF has no such module-level function).
* **config** — ``TrainingArguments(push_to_hub=...)`` and the HF/TRL argument classes that inherit
  it (``Seq2SeqTrainingArguments``, ``SFTConfig``, ``DPOConfig``, ``GRPOConfig`` ...), whose
  visibility switch is ``hub_private_repo``.
* **upload** — ``upload_folder`` / ``upload_file`` (module function or ``HfApi`` method) and
  ``ModelCard`` / ``DatasetCard`` ``.push_to_hub``, which write into an existing repository and
  have no visibility switch. (``create_commit`` is left out: it is the low-level plumbing of the
  others, mostly used to open pull requests on existing repositories.)

Visibility of a create/push/config site: ``private=True`` (``hub_private_repo=True``) is private;
absent, ``False`` or ``None`` is public (the Hub default). A non-literal value is decided per case:
a bare name inside a function (``private=private``: a parameter, or a local taken from one, as in
``private = kwargs.pop("private", None)``) or a call that forwards ``**kwargs`` is pass-through
API plumbing and stays quiet (the caller is the upload site);
anything else (``private=args.private``) is set at run time and is reported at LOW severity with
``details.visibility = "runtime"``, because the repository is public unless that value is true.
``push_to_hub=args.push_to_hub`` (a flag) is a conditional upload: reported at LOW severity with
``details.conditional = true``; ``push_to_hub=False`` is not an upload.

Deduplication, one finding per publication:

* a push or upload in a file that also creates its repository (a create site) or switches it to
  private (``update_repo_visibility(..., private=True)``) is decided at that create site, and a
  ``create_repo`` followed by such a switch is quiet;
* several pushes to the same repository id (the same source text) are one publication: only the
  first is reported (``details.pushes_to_same_repo`` counts them), since ``private=`` only counts
  when the repository is created;
* ``trainer.push_to_hub()`` follows the training arguments: quiet when an argument class in the
  file sets ``push_to_hub=`` (reported there) or ``hub_private_repo=True`` (or the file assigns
  ``args.hub_private_repo = True``); public when the file builds its arguments without either;
  LOW ("runtime") when the file builds none (they come from a CLI parser such as ``HfArgumentParser``
  / ``TrlParser``, whose ``hub_private_repo`` defaults to public);
* an ``upload_folder`` / ``upload_file`` is reported (LOW, ``visibility = "unknown"``) only when
  nothing else in the file publishes to the Hub: its repository was created elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ._lazy import cst

from . import CodeRule, literal_value
from ...findings import Severity

HF_PACKAGES = (
    "huggingface_hub", "transformers", "datasets", "diffusers", "peft", "trl",
    "sentence_transformers", "setfit", "timm", "accelerate", "evaluate", "optimum", "gradio_client",
)
# repository-creating functions (module level in huggingface_hub, or HfApi methods)
CREATE_FUNCS = {"create_repo", "upload_large_folder"}
# functions that push to a repository they create, with a `private=` switch
PUSH_FUNCS = {"push_to_hub_keras", "push_to_hub_fastai", "push_to_hf_hub"}
# write into an existing repository: no visibility switch
UPLOAD_FUNCS = {"upload_folder", "upload_file"}
VISIBILITY_FUNCS = {"update_repo_visibility", "update_repo_settings"}
HFAPI_METHODS = CREATE_FUNCS | UPLOAD_FUNCS | VISIBILITY_FUNCS
PUSH_METHODS = {"push_to_hub", "save_to_hub"}
SELF_NAMES = {"self", "cls"}
# *Config classes of TRL/transformers/peft that are not training arguments
NOT_TRAINING_CONFIGS = {"ModelConfig", "GenerationConfig", "LoraConfig", "PeftConfig",
                        "BitsAndBytesConfig", "AutoConfig", "PretrainedConfig", "VLLMConfig"}


def _hf(qualified: str) -> bool:
    """Whether a resolved name comes from one of the Hugging Face packages."""
    return qualified.split(".")[0] in HF_PACKAGES


@dataclass
class _Site:
    node: cst.Call
    kind: str  # create | push | config | upload
    call: str  # short name shown in the message
    visibility: str  # public | runtime | private | passthrough
    conditional: bool = False  # push_to_hub=<non-literal flag>
    trainer: bool = False  # receiver looks like a Trainer
    flag: str | None = None  # dotted name of the push_to_hub flag, when it is one
    switch: str | None = None  # dotted name of the private= value, when it is one
    count: int = 1  # pushes to the same repository id in the file
    is_self: bool = False  # receiver is self / cls / super()


@dataclass
class _State:
    sites: list[_Site] = field(default_factory=list)
    hfapi_names: set[str] = field(default_factory=set)  # dotted names bound to HfApi(...)
    defined: set[str] = field(default_factory=set)  # names of functions defined in the file
    relative: set[str] = field(default_factory=set)  # names imported relatively (project code)
    private_marker: bool = False  # update_repo_visibility(private=True) and friends
    hub_private_set: bool = False  # some training arguments pass hub_private_repo=True
    hub_private_assigned: bool = False  # x.hub_private_repo = True
    config_calls: int = 0  # training-argument constructors seen (any kwargs)


class PublicArtifactUpload(CodeRule):
    """AIP301: model/dataset uploads to the Hugging Face Hub that end up public."""

    rule_id = "AIP301"
    needs = ("push_to_hub", "upload_folder", "upload_file", "create_repo", "upload_large_folder",
             "update_repo_", "save_to_hub", "push_to_hf_hub")

    VALID = [
        "model.push_to_hub('org/clinical-bert', private=True)",
        "from transformers import TrainingArguments, Trainer\n"
        "args = TrainingArguments('out', push_to_hub=True, hub_private_repo=True)\n"
        "trainer = Trainer(model=m, args=args)\ntrainer.push_to_hub()",
        "from huggingface_hub import create_repo, upload_folder\n"
        "create_repo('org/ehr-model', private=True, exist_ok=True)\n"
        "upload_folder(repo_id='org/ehr-model', folder_path='out')",
        "from .hub import push_to_hub\npush_to_hub(model, 'org/x')",
        "class Wrapper(PreTrainedModel):\n    def push_to_hub(self, *a, **kw):\n"
        "        return super().push_to_hub(*a, **kw)",
        "from huggingface_hub import create_repo\n"
        "def publish(repo_id, private=None):\n    return create_repo(repo_id, private=private)",
        "from transformers import TrainingArguments\n"
        "args = TrainingArguments('out', push_to_hub=False)",
        "import mylib\nmylib.push_to_hub(model)",
    ]
    INVALID = [
        "model.push_to_hub('org/clinical-bert')",
        "dataset.push_to_hub('org/patients', private=False)",
        "from transformers import TrainingArguments\n"
        "args = TrainingArguments('out', push_to_hub=True)",
        "from trl import SFTConfig\ncfg = SFTConfig(output_dir='out', push_to_hub=True)",
        "from huggingface_hub import HfApi\napi = HfApi()\napi.create_repo('org/ehr-model')",
        "import huggingface_hub as hh\nhh.upload_folder(repo_id='org/m', folder_path='out')",
        "from huggingface_hub import create_repo\n"
        "create_repo(args.hub_model_id, private=args.private)",
        "model.save_pretrained('out', push_to_hub=True)",
        "trainer.push_to_hub()",
    ]

    def __init__(self, runner) -> None:
        super().__init__(runner)
        self.st = _State()
        self._params: list[set[str]] = []  # parameter names of the enclosing functions

    # --- bookkeeping ---------------------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.st.defined.add(node.name.value)
        p = node.params
        names = {x.name.value for x in (*p.posonly_params, *p.params, *p.kwonly_params)}
        for star in (p.star_arg, p.star_kwarg):
            if isinstance(star, cst.Param):
                names.add(star.name.value)
        self._params.append(names)
        for param in (*p.posonly_params, *p.params, *p.kwonly_params):
            if self._is_hfapi_annotation(param.annotation):
                self.st.hfapi_names.add(param.name.value)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._params.pop()

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.relative and not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                if alias.asname and isinstance(alias.asname.name, cst.Name):
                    self.st.relative.add(alias.asname.name.value)
                elif isinstance(alias.name, cst.Name):
                    self.st.relative.add(alias.name.value)

    def visit_Assign(self, node: cst.Assign) -> None:
        if isinstance(node.value, cst.Call) and self._is_hfapi_ctor(node.value):
            for target in node.targets:
                name = self.dotted_name(target.target)
                if name:
                    self.st.hfapi_names.add(name)
        for target in node.targets:
            t = target.target
            if (isinstance(t, cst.Attribute) and t.attr.value == "hub_private_repo"
                    and literal_value(node.value) == (True, True)):
                self.st.hub_private_assigned = True

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        name = self.dotted_name(node.target)
        if name and (self._is_hfapi_annotation(node.annotation)
                     or (isinstance(node.value, cst.Call) and self._is_hfapi_ctor(node.value))):
            self.st.hfapi_names.add(name)

    def _is_hfapi_ctor(self, call: cst.Call) -> bool:
        q = self.qualified_name(call.func) or ""
        return q.split(".")[0] == "huggingface_hub" and q.split(".")[-1] == "HfApi"

    def _is_hfapi_annotation(self, ann: cst.Annotation | None) -> bool:
        if ann is None:
            return False
        q = self.qualified_name(ann.annotation) or ""
        return q.split(".")[0] == "huggingface_hub" and q.split(".")[-1] == "HfApi"

    # --- sites ---------------------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        qual = self.qualified_name(func)
        if qual is not None and qual.split(".")[0] == "huggingface_hub" and "." in qual:
            short = qual.split(".")[-1]
            if short in HFAPI_METHODS | PUSH_FUNCS and not self._is_hfapi_ctor(node):
                self._hub_function(node, short)
                return
        if qual is not None and qual.split(".")[-1] == "push_to_hf_hub" and _hf(qual):
            self._hub_function(node, "push_to_hf_hub")
            return
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if method in HFAPI_METHODS and self._is_hfapi_receiver(func.value):
                self._hub_function(node, method)
                return
            if method in PUSH_METHODS:
                self._push_method(node, func, method)
                return
            if method == "save_pretrained" and self._push_flag(node) is not None:
                self._push_method(node, func, method)
                return
        self._maybe_config(node, qual)

    def _hub_function(self, node: cst.Call, short: str) -> None:
        if short in VISIBILITY_FUNCS:
            ok, value = self._literal_kw(node, "private")
            if ok and value is True:
                self.st.private_marker = True
            elif ok and value is False:
                self._add(node, "create", short, "public")
            return
        if short in UPLOAD_FUNCS:
            self._add(node, "upload", short, "unknown")
            return
        kind = "create" if short in CREATE_FUNCS else "push"
        self._add(node, kind, short, *self._visibility(node, "private"))

    def _push_method(self, node: cst.Call, func: cst.Attribute, method: str) -> None:
        receiver = func.value
        qual = self.qualified_name(func)
        if qual is not None and not _hf(qual):
            return  # the import says this is some other library's push_to_hub
        head = self._head(receiver)
        if head in self.st.relative:
            return  # the project's own helper module
        is_self = head in SELF_NAMES or self._is_super(receiver)
        conditional, flag = False, None
        if method == "save_pretrained":
            push = self._push_flag(node)
            if push is None:
                return
            conditional, flag = push
        recv = (self.dotted_name(receiver) or "").split(".")[-1].lower()
        if "card" in recv:
            # ModelCard / DatasetCard.push_to_hub writes README.md into an existing repository
            self._add(node, "upload", method, "unknown")
            return
        visibility, switch = self._visibility(node, "private")
        self._add(node, "push", method, visibility, conditional=conditional, flag=flag,
                  switch=switch, trainer="trainer" in recv, is_self=is_self)

    def _maybe_config(self, node: cst.Call, qual: str | None) -> None:
        name = qual or self.dotted_name(node.func) or ""
        last = name.split(".")[-1]
        if qual is not None:
            if not _hf(qual) or not last.endswith(("Arguments", "Config", "Args")):
                return
        else:
            # a project subclass (class MyArgs(TrainingArguments)) or a relatively imported one
            if not last.endswith(("TrainingArguments", "Config")) or not (
                    self.is_imported("transformers") or self.is_imported("trl")):
                return
        if self._is_training_args(name):
            self.st.config_calls += 1
            if self._visibility(node, "hub_private_repo")[0] in ("private", "passthrough"):
                self.st.hub_private_set = True
        push = self._push_flag(node)
        if push is None:
            return
        conditional, flag = push
        visibility, switch = self._visibility(node, "hub_private_repo")
        self._add(node, "config", last, visibility, conditional=conditional, flag=flag,
                  switch=switch)

    @staticmethod
    def _is_training_args(name: str) -> bool:
        """Argument classes that carry push_to_hub / hub_private_repo (TrainingArguments and
        its subclasses: Seq2SeqTrainingArguments, the TRL *Config classes)."""
        last = name.split(".")[-1]
        if last.endswith("TrainingArguments"):
            return True
        return (name.split(".")[0] == "trl" or "." not in name) and last.endswith("Config") \
            and last not in NOT_TRAINING_CONFIGS

    # --- helpers -------------------------------------------------------------------------
    def _add(self, node: cst.Call, kind: str, call: str, visibility: str,
             switch: str | None = None, *, conditional: bool = False, flag: str | None = None,
             trainer: bool = False, is_self: bool = False) -> None:
        self.st.sites.append(_Site(node, kind, call, visibility, conditional, trainer, flag, switch,
                                   is_self=is_self))

    def _literal_kw(self, node: cst.Call, name: str) -> tuple[bool, object]:
        arg = self.kwarg(node, name)
        if arg is None:
            return False, None
        return literal_value(arg.value)

    def _visibility(self, node: cst.Call, key: str) -> tuple[str, str | None]:
        """public | private | runtime | passthrough, and the dotted name of a runtime switch."""
        arg = self.kwarg(node, key)
        if arg is None:
            return ("passthrough" if self.has_star_kwargs(node) else "public"), None
        ok, value = literal_value(arg.value)
        if ok:
            return ("private" if value is True else "public"), None
        if self._is_param(arg.value):
            return "passthrough", None
        return "runtime", self.dotted_name(arg.value)

    def _push_flag(self, node: cst.Call) -> tuple[bool, str | None] | None:
        """None when the call does not push; else (conditional, flag name)."""
        arg = self.kwarg(node, "push_to_hub")
        if arg is None:
            return None
        ok, value = literal_value(arg.value)
        if ok:
            return (False, None) if value is True else None
        if self._is_param(arg.value):
            return None  # forwarded from the enclosing function: its caller decides
        return True, self.dotted_name(arg.value)

    def _is_param(self, value: cst.BaseExpression) -> bool:
        """A bare name inside a function: one of its parameters, or a local computed from them
        (``private = kwargs.pop("private", None)``): the value is forwarded from the caller."""
        return isinstance(value, cst.Name) and value.value not in ("True", "False", "None") \
            and bool(self._params)

    def _is_hfapi_receiver(self, receiver: cst.BaseExpression) -> bool:
        if isinstance(receiver, cst.Call):
            return self._is_hfapi_ctor(receiver)
        name = self.dotted_name(receiver)
        if name is None:
            return False
        if name in self.st.hfapi_names:
            return True
        # `self.api` / `hf_api` bound to HfApi in another file: accept when this file uses
        # huggingface_hub and the receiver is not an import of some other library
        if self.qualified_name(receiver) is not None:
            return False
        last = name.split(".")[-1].lower()
        return self.is_imported("huggingface_hub") and "api" in last

    @staticmethod
    def _is_super(node: cst.BaseExpression) -> bool:
        return (isinstance(node, cst.Call) and isinstance(node.func, cst.Name)
                and node.func.value == "super")

    @staticmethod
    def _head(node: cst.BaseExpression) -> str | None:
        while isinstance(node, (cst.Attribute, cst.Subscript, cst.Call)):
            node = node.value if not isinstance(node, cst.Call) else node.func
        return node.value if isinstance(node, cst.Name) else None

    # --- decision ------------------------------------------------------------------------
    def leave_Module(self, node: cst.Module) -> None:
        st = self.st
        creates = [s for s in st.sites if s.kind == "create"]
        configs = [s for s in st.sites if s.kind == "config"]
        repo_decided = bool(creates) or st.private_marker
        publishes = any(s.kind != "upload" for s in st.sites)
        config_private = st.hub_private_set or st.hub_private_assigned
        first_push: dict[str, _Site] = {}
        pending: list[_Site] = []
        for s in st.sites:
            if s.visibility in ("private", "passthrough"):
                continue
            if s.kind == "push":
                if s.is_self and s.call in st.defined:
                    continue  # a class overriding push_to_hub and forwarding to its base
                if repo_decided and s.visibility == "public" and self.kwarg(s.node, "private") is None:
                    continue  # the file creates the repo: decided (and reported) there
                if s.trainer and s.call == "push_to_hub":
                    if configs or config_private:
                        continue  # the training arguments decide: reported there, or private
                    if st.config_calls == 0:
                        s.visibility = "runtime"
                        s.switch = "hub_private_repo"
            elif s.kind == "create":
                if st.private_marker and s.call == "create_repo":
                    continue  # made private right after: update_repo_visibility(private=True)
            elif s.kind == "config":
                if st.hub_private_assigned:
                    continue  # args.hub_private_repo = True after construction
            elif s.kind == "upload":
                if publishes or st.private_marker:
                    continue
            repo = self._repo_key(s) if s.kind in ("push", "create") and not s.trainer else None
            if repo is not None:
                if repo in first_push:
                    # private= only counts when the repository is created: the first push to a
                    # repository decides its visibility, later pushes to it are the same publication
                    first_push[repo].count += 1
                    continue
                first_push[repo] = s
            pending.append(s)
        for s in pending:
            self._report(s)

    def _repo_key(self, s: _Site) -> str | None:
        """The source text of the repository id argument (first positional or repo_id=)."""
        arg = self.kwarg(s.node, "repo_id")
        if arg is None and s.node.args and s.node.args[0].keyword is None and not s.node.args[0].star:
            arg = s.node.args[0]
        if arg is None:
            return None
        return self._run.module.code_for_node(arg.value)

    def _report(self, s: _Site) -> None:
        details = {"call": s.call, "visibility": s.visibility, "conditional": s.conditional,
                   "pushes_to_same_repo": s.count}
        low = s.visibility in ("runtime", "unknown") or s.conditional
        if s.kind == "upload":
            msg = (f"{s.call} uploads files to a Hugging Face Hub repository created outside this "
                   "file; they are public unless that repository is private. Create it with "
                   "private=True (or check its visibility before uploading)")
        elif s.kind == "config":
            msg = (f"{s.call}(push_to_hub=...) publishes every saved checkpoint to the Hugging "
                   "Face Hub, and hub_private_repo is not True, so the repository is public")
            if s.conditional:
                msg = (f"{s.call} pushes checkpoints to the Hugging Face Hub when "
                       f"{s.flag or 'its push_to_hub value'} is true, and hub_private_repo is not "
                       "True, so that repository is public")
            if s.visibility == "runtime":
                msg += (f" unless {s.switch or 'the hub_private_repo value'} is true at run time; "
                        "default it to private")
            else:
                msg += "; pass hub_private_repo=True"
        else:
            what = {
                "create_repo": "create_repo() creates a Hugging Face Hub repository",
                "upload_large_folder": "upload_large_folder() creates a Hugging Face Hub "
                                       "repository and uploads to it",
                "update_repo_visibility": "update_repo_visibility(private=False) makes a "
                                          "Hugging Face Hub repository public",
                "update_repo_settings": "update_repo_settings(private=False) makes a Hugging "
                                        "Face Hub repository public",
                "save_pretrained": "save_pretrained(push_to_hub=...) pushes the model to the "
                                   "Hugging Face Hub",
            }.get(s.call, f"{s.call}() publishes to the Hugging Face Hub")
            if s.trainer and s.switch == "hub_private_repo":
                msg = (f"trainer.{s.call}() publishes the model to the Hugging Face Hub; its "
                       "repository is public unless the training arguments (built outside this "
                       "file, e.g. from the command line) set hub_private_repo=True")
            elif s.trainer:
                msg = (f"trainer.{s.call}() publishes the model to the Hugging Face Hub, and the "
                       "training arguments in this file do not set hub_private_repo=True, so the "
                       "repository is public")
            elif s.visibility == "runtime":
                msg = (f"{what}; its visibility is decided at run time by "
                       f"{s.switch or 'the private= value'}, and the repository is public unless "
                       "that is true: default it to private")
            elif s.call in ("update_repo_visibility", "update_repo_settings"):
                msg = what
            elif self._literal_kw(s.node, "private")[0]:
                msg = f"{what} with private={self._literal_kw(s.node, 'private')[1]}: the repository is public"
            else:
                msg = f"{what} without private=True: the repository is public"
            if s.conditional:
                msg += f" (when {s.flag or 'push_to_hub'} is set)"
            if s.count > 1:
                msg += (f"; {s.count - 1} more push(es) to the same repository in this file follow "
                        "this one, which creates it")
        self.report(s.node, msg, details=details, severity=Severity.LOW if low else None)
