"""AIP301 public-artifact-upload. Docs live in rules/AIP301.toml.

What counts is the data behind a publication (``private_data``): the labels a site carries (a
trainer's ``train_dataset``, a pushed dataset's sources, the data file of an ``upload_file``), or
else what the file's training calls train on and its other publications carry. Only the project's
own data (a local file, a personal field, user input) makes a finding; public Hub datasets, or
nothing traced, keep the site quiet.

How the check works: a flow rule. Its own model (below) makes every Hugging Face Hub
publication a ``hub.publish`` sink; ``TrainingArguments`` and the trainers are shared models
(``models/config.py``, ``models/train.py``): a trainer remembers the arguments it was built with,
so ``trainer.push_to_hub()`` is judged by *its* arguments, even cells later in a notebook. The
sites of a module are decided together when the project is linked, because what makes an upload
private is often written elsewhere in the same file (a ``create_repo(..., private=True)`` at the
top of ``main()``, ``hub_private_repo=True`` in the training arguments). There are four kinds of
site:

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

import re
from dataclasses import dataclass

from ...findings import Severity
from ...flow.model import CallSite, Model, Outcome, Use
from ...flow.summary import Event
from ...flow.values import CLEAN, PARAM, Val, obj
from ...flow.values import Label, flat
from ...models.config import OPTION
from ...models.kinds import FILE, PERSONAL, USER
from ._ast_base import Summary
from ._flow_rule import Context, FlowRule

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
API_NAME_RE = re.compile(r"(?i)api")


# --- the rule's model: Hub publications are sinks ----------------------------------------------
def _value(site: CallSite, key: str):
    """(visibility, switch name) of a private=/hub_private_repo= argument: public | private |
    runtime | passthrough."""
    v = site.arg(key)
    if v is None:
        return ("passthrough" if site.star_kwargs else "public"), None
    return visibility(v, bool(site.func))


def visibility(v: Val, in_function: bool):
    if v.consts and len(v.consts) == 1:
        return ("private" if v.const() is True else "public"), None
    params = [lb for lb in v.labels if lb.kind == PARAM]
    if params and not any(len(lb.data) > 1 for lb in params):
        return "passthrough", None  # a parameter: its caller decides
    if in_function and not v.labels and v.consts is None and v.obj is None:
        return "passthrough", None  # a local taken from the parameters (kwargs.pop("private"))
    return "runtime", switch_name(v)


def switch_name(v: Val) -> str | None:
    for lb in sorted(v.labels, key=lambda lb: lb.sort_key()):
        if lb.kind == OPTION:
            return f"args.{lb.tag}"
        if lb.kind == PARAM and len(lb.data) > 1 and lb.data[-1][0] == "a":
            return f"{lb.origin}.{lb.data[-1][1]}"
    return None


def _push_flag(site: CallSite):
    """None when the call does not push; else (conditional, flag name)."""
    v = site.arg("push_to_hub")
    if v is None:
        return None
    if v.consts and len(v.consts) == 1:
        return (False, None) if v.const() is True else None
    params = [lb for lb in v.labels if lb.kind == PARAM]
    if params and not any(len(lb.data) > 1 for lb in params):
        return None  # forwarded from the enclosing function: its caller decides
    return True, switch_name(v)


def _repo(site: CallSite) -> str | None:
    """What identifies the repository: the repo_id argument as written (its value when it is a
    constant written elsewhere)."""
    v = site.arg("repo_id", 0)
    if v is None:
        return None
    if v.text() is not None:
        return "=" + v.text()
    written = None
    if site.source is not None:
        written = site.source("repo_id", None) if "repo_id" in site.kwargs else site.source(None, 0)
    return written if written is not None else switch_name(v)


# files that hold data (not weights, configs or cards): uploading one publishes its content
DATA_SUFFIXES = (".csv", ".tsv", ".json", ".jsonl", ".parquet", ".arrow", ".txt", ".xlsx", ".xls",
                 ".feather", ".avro", ".orc", ".pkl", ".sqlite", ".db")


def _uploaded(site: CallSite, short: str) -> Val:
    """The data file an ``upload_file`` sends, as a local-file label (else nothing)."""
    v = site.arg("path_or_fileobj", 0) if short == "upload_file" else None
    path = v.text() if v is not None else None
    if not path or "://" in path or not path.lower().endswith(DATA_SUFFIXES):
        return CLEAN
    return Val(frozenset({Label(FILE, "", f'{short}("{path}")', site.line, (path, (), False))}))


def _use(site: CallSite, kind: str, call: str, vis, content: Val | None = None,
         **more) -> Outcome:
    visibility_, switch = vis
    info = {"kind": kind, "call": call, "visibility": visibility_, "switch": switch,
            "repo": _repo(site) if kind in ("push", "create") else None,
            "private_kw": site.const("private") if site.has("private") else None,
            "always": True, **more}
    # what is published: the receiver's content (a dataset built from a local file)
    if content is None:
        content = Val(flat(site.recv)) if kind == "push" and site.recv is not None else CLEAN
    return Outcome(CLEAN, [Use("hub.publish", info, content)])


# a file read over the web is as public as its URL; any other file (a path, a bucket) is yours
_PUBLIC_URL = ("http://", "https://")


def private_data(labels) -> Label | None:
    """The first label saying that data behind an artefact is not public: a file of the
    project or of its storage (not a web URL), a field named as personal data, user input.
    Hugging Face Hub and library datasets (MNIST, ``trl-lib/tldr``) are public data."""
    for lb in sorted(labels, key=lambda lb: lb.sort_key()):
        if lb.kind == FILE and not str(lb.data[0] if lb.data else "").startswith(_PUBLIC_URL):
            return lb
        if lb.kind in (PERSONAL, USER):
            return lb
    return None


def describe(lb: Label) -> str:
    where = f" at line {lb.line}" if lb.line else ""
    if lb.kind == FILE:
        return f"local data ({lb.origin}{where})"
    if lb.kind == PERSONAL:
        return f"personal data (field '{lb.tag}', {lb.origin}{where})"
    return f"user input ({lb.origin}{where})"


def hub_call(site: CallSite, short: str) -> Outcome | None:
    if short in VISIBILITY_FUNCS:
        ok, value = site.const("private")
        if ok and value is True:
            return Outcome(CLEAN, [Use("hub.publish", {"kind": "private-marker", "call": short,
                                                       "always": True})])
        if ok and value is False:
            return _use(site, "create", short, ("public", None))
        return CLEAN
    if short in UPLOAD_FUNCS:
        return _use(site, "upload", short, ("unknown", None), content=_uploaded(site, short))
    kind = "create" if short in CREATE_FUNCS else "push"
    return _use(site, kind, short, _value(site, "private"))


def hub_function(site: CallSite) -> Outcome | Val | None:
    short = (site.q or "").rsplit(".", 1)[-1]
    if short == "HfApi":
        return Val(obj=obj("hub.api"))
    if short in HFAPI_METHODS | PUSH_FUNCS:
        return hub_call(site, short)
    return None


def timm_push(site: CallSite) -> Outcome | None:
    if (site.q or "").rsplit(".", 1)[-1] == "push_to_hf_hub":
        return hub_call(site, "push_to_hf_hub")
    return None


def api_method(site: CallSite) -> Outcome | None:
    if site.name in HFAPI_METHODS:
        return hub_call(site, site.name)
    return None


def api_named(site: CallSite) -> Outcome | None:
    """``self.api.create_repo(...)``: an HfApi built in another file, in a file that uses
    huggingface_hub."""
    if site.name not in HFAPI_METHODS or not site.module.imports("huggingface_hub"):
        return None
    return hub_call(site, site.name)


def push_method(site: CallSite) -> Outcome | None:
    """``.push_to_hub(...)`` / ``.save_to_hub(...)`` of a model, tokenizer, dataset, pipeline;
    ``save_pretrained(..., push_to_hub=True)``; a card's ``push_to_hub`` writes README.md into
    an existing repository."""
    name = site.name
    recv = site.recv
    if recv is not None and recv.obj is not None and recv.obj.type in ("ref", "ext", "train.trainer"):
        return None  # another library's push_to_hub, a project helper, a trainer (models/train)
    is_self = site.recv_name in ("self", "cls", "super")
    conditional, flag = False, None
    if name == "save_pretrained":
        push = _push_flag(site)
        if push is None:
            return None
        conditional, flag = push
    elif name not in PUSH_METHODS:
        return None
    rname = (site.recv_name or "").lower()
    if "card" in rname:
        return _use(site, "upload", name, ("unknown", None))
    return _use(site, "push", name, _value(site, "private"), conditional=conditional, flag=flag,
                trainer="trainer" in rname, is_self=is_self)


HUB_MODEL = Model(
    "hub",
    prefixes=[("huggingface_hub.", hub_function), *[(p + ".", timm_push) for p in HF_PACKAGES]],
    methods={"hub.api": {"*": api_method}},
    receivers=[(API_NAME_RE, api_named)],
    any_methods={"push_to_hub": push_method, "save_to_hub": push_method,
                 "save_pretrained": push_method},
)


@dataclass
class _Site:
    ev: Event
    kind: str  # create | push | config | upload | private-marker
    call: str
    visibility: str
    switch: str | None = None
    conditional: bool = False
    flag: str | None = None
    trainer: bool = False
    repo: str | None = None
    count: int = 1
    is_self: bool = False
    private_kw: object = None


PATIENTS = ("import pandas as pd\nfrom datasets import Dataset\n"
            "ds = Dataset.from_pandas(pd.read_csv('patients.csv'))\n")
TRAINED = PATIENTS + ("from transformers import Trainer, TrainingArguments\n"
                      "trainer = Trainer(model=model, train_dataset=ds)\ntrainer.train()\n")


class PublicArtifactUpload(FlowRule):
    """AIP301: model/dataset uploads to the Hugging Face Hub that end up public, of artefacts
    built from data that is not public."""

    rule_id = "AIP301"
    sinks = frozenset({"hub.publish", "train"})
    model = HUB_MODEL

    VALID = [
        TRAINED + "model.push_to_hub('org/clinical-bert', private=True)",
        "from datasets import load_dataset\nfrom transformers import Trainer\n"
        "trainer = Trainer(model=model, train_dataset=load_dataset('imdb', split='train'))\n"
        "trainer.train()\nmodel.push_to_hub('org/imdb-sentiment')",
        "model.push_to_hub('org/converted-checkpoint')",
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
    # what makes an upload a finding is the data behind it: every INVALID snippet publishes
    # something built from a local file (PATIENTS) or trained on it (TRAINED)
    INVALID = [
        TRAINED + "model.push_to_hub('org/clinical-bert')",
        PATIENTS + "ds.push_to_hub('org/patients', private=False)",
        TRAINED + "args = TrainingArguments('out', push_to_hub=True)",
        PATIENTS + "from trl import SFTConfig, SFTTrainer\n"
        "cfg = SFTConfig(output_dir='out', push_to_hub=True)\n"
        "SFTTrainer(model='m', args=cfg, train_dataset=ds).train()",
        TRAINED + "from huggingface_hub import HfApi\napi = HfApi()\napi.create_repo('org/ehr-model')",
        "import huggingface_hub as hh\nhh.upload_file(path_or_fileobj='exports/patients.csv', "
        "path_in_repo='data.csv', repo_id='org/m')",
        TRAINED + "from huggingface_hub import create_repo\n"
        "create_repo(args.hub_model_id, private=args.private)",
        TRAINED + "model.save_pretrained('out', push_to_hub=True)",
        TRAINED + "trainer.push_to_hub()",
    ]

    # push_to_hub covers push_to_hub_keras / _fastai, upload_ upload_folder / _file / ...
    needs = ("push_to_h", "save_to_hub", "create_repo", "upload_", "update_repo_")

    @classmethod
    def gate(cls, summary: Summary) -> bool:
        words = {"push_to_hub", "save_to_hub", "create_repo", "upload_folder", "upload_file",
                 "upload_large_folder", "update_repo_visibility", "update_repo_settings",
                 "push_to_hf_hub", "push_to_hub_keras", "push_to_hub_fastai"}
        return bool(summary.names & words)

    def __init__(self) -> None:
        self.sites: dict[str, list[_Site]] = {}
        # module -> labels of the data its training calls use and its publications carry
        self.trained: dict[str, set] = {}

    def judge(self, ev: Event, ctx: Context) -> None:
        info = ev.info
        kind = info.get("kind")
        rel = ev.module
        if ev.sink == "train":
            self.trained.setdefault(rel, set()).update(ev.value.labels)
            return
        # the file's publications are one release: what one carries counts for the others
        self.trained.setdefault(rel, set()).update(ev.value.labels)
        s = None
        if kind == "config":
            push = ev.args.get("push_to_hub")
            conditional, flag = False, None
            if push is not None and not (push.consts and push.const() is True):
                if any(lb.kind == PARAM and len(lb.data) == 1 for lb in push.labels):
                    return
                conditional, flag = True, switch_name(push)
            hub = ev.args.get("hub_private_repo")
            vis = ("passthrough", None) if info.get("star_kwargs") and hub is None else (
                visibility(hub, bool(ev.func)) if hub is not None else ("public", None))
            s = _Site(ev, "config", info["call"], vis[0], vis[1], conditional, flag)
        elif kind == "push" and info.get("trainer") is True and "args_known" in info:
            # trainer.push_to_hub(): the trainer's own arguments decide
            s = self._trainer_push(ev)
        elif kind:
            s = _Site(ev, kind, info["call"], info.get("visibility", "public"), info.get("switch"),
                      bool(info.get("conditional")), info.get("flag"), bool(info.get("trainer")),
                      info.get("repo"), is_self=bool(info.get("is_self")),
                      private_kw=info.get("private_kw"))
        if s is not None:
            self.sites.setdefault(rel, []).append(s)

    def _trainer_push(self, ev: Event) -> _Site | None:
        info, args = ev.info, ev.args
        own = args.get("private")
        if own is not None:
            vis = visibility(own, bool(ev.func))
            return _Site(ev, "push", "push_to_hub", vis[0], vis[1], trainer=True)
        hub = args.get("args.hub_private_repo")
        if hub is not None and visibility(hub, bool(ev.func))[0] in ("private", "passthrough"):
            return None  # the arguments make it private (also args.hub_private_repo = True)
        if not info.get("args_known") or not info.get("args_built"):
            # arguments from the command line (HfArgumentParser, TrlParser) or unknown:
            # hub_private_repo defaults to public
            return _Site(ev, "push", "push_to_hub", "runtime", "hub_private_repo", trainer=True)
        if args.get("args.push_to_hub") is not None:
            return None  # the arguments publish already: reported at TrainingArguments(...)
        return _Site(ev, "push", "push_to_hub", "public", None, trainer=True, private_kw=None)

    def finish(self, ctx: Context) -> None:
        for rel in sorted(self.sites):
            self._decide(rel, sorted(self.sites[rel], key=lambda s: (s.ev.pos.line, s.ev.pos.col)),
                         ctx)

    def _decide(self, rel: str, sites: list[_Site], ctx: Context) -> None:
        mod = ctx.modules.get(rel)
        defined = {q.rsplit(".", 1)[-1] for q in (mod.funcs if mod is not None else {})}
        markers = [s for s in sites if s.kind == "private-marker"]
        sites = [s for s in sites if s.kind != "private-marker"]
        creates = [s for s in sites if s.kind == "create"]
        repo_decided = bool(creates) or bool(markers)
        publishes = any(s.kind != "upload" for s in sites)
        first_push: dict[str, _Site] = {}
        pending: list[_Site] = []
        seen = set()
        for s in sites:
            key = (s.ev.pos.line, s.ev.pos.col)
            if key in seen:
                continue
            seen.add(key)
            if s.visibility in ("private", "passthrough"):
                continue
            if s.kind == "push":
                if s.is_self and s.call in defined:
                    continue  # a class overriding push_to_hub and forwarding to its base
                if repo_decided and s.visibility == "public" and s.private_kw is None \
                        and not s.trainer:
                    continue  # the file creates the repo: decided (and reported) there
            elif s.kind == "create":
                if markers and s.call == "create_repo":
                    continue  # made private right after: update_repo_visibility(private=True)
            elif s.kind == "upload":
                if publishes or markers:
                    continue
            repo = s.repo if s.kind in ("push", "create") and not s.trainer else None
            if repo is not None:
                if repo in first_push:
                    # private= only counts when the repository is created: the first push to a
                    # repository decides its visibility, later pushes to it are the same
                    first_push[repo].count += 1
                    continue
                first_push[repo] = s
            pending.append(s)
        for s in pending:
            # what is published is built from what the site carries (a trainer's data, a
            # dataset's files) or else from what the module trains on; public data, or none
            # traced, is no finding: the upload shares nothing that was not public already
            source = private_data(s.ev.value.labels) or private_data(self.trained.get(rel, ()))
            if source is not None:
                self._report(s, rel, ctx, source)

    def _report(self, s: _Site, rel: str, ctx: Context, source: Label) -> None:
        # site: which kind of call decides the visibility (the fix of rules/AIP301.toml reads it)
        details = {"call": s.call, "site": "trainer" if s.trainer else s.kind,
                   "visibility": s.visibility, "conditional": s.conditional,
                   "pushes_to_same_repo": s.count, "data": describe(source)}
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
            elif s.private_kw is not None and s.private_kw[0]:
                msg = f"{what} with private={s.private_kw[1]}: the repository is public"
            else:
                msg = f"{what} without private=True: the repository is public"
            if s.conditional:
                msg += f" (when {s.flag or 'push_to_hub'} is set)"
            if s.count > 1:
                msg += (f"; {s.count - 1} more push(es) to the same repository in this file follow "
                        "this one, which creates it")
        msg += f"; what it publishes is built from {describe(source)}"
        ev = s.ev
        ctx.report(self.rule_id, rel, ev.pos, ev.context, msg, details,
                   Severity.LOW if low else None)
