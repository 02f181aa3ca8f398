"""Settings: where the constants a call receives are written.

* ``argparse`` (and ``configargparse`` / ``jsonargparse``): ``add_argument("--epsilon",
  default=3.0, type=float)`` registers an option (a ``cli-option`` fact: its name, default, and
  where); ``parser.parse_args()`` is a namespace whose ``args.epsilon`` is an ``option`` label,
  resolved against the options of the module, then of the project; ``set_defaults`` overrides.
* ``absl`` flags: ``flags.DEFINE_float("noise_multiplier", 1.1, ...)`` and ``FLAGS.x`` /
  ``HOLDER.value``.
* ``click`` / ``typer`` options: a parameter of a function decorated with ``@click.option(
  "--epsilon", default=...)`` holds that default.
* Record classes of the module (dataclasses, pydantic settings, plain classes): ``cfg.epsilon``
  of ``cfg = Config(...)`` is the keyword the call gives, else the class's default
  (``field(default=...)`` / ``Field(...)`` unwrapped); ``HfArgumentParser((Args, ...))
  .parse_args_into_dataclasses()`` gives one instance per class.
* Hugging Face / TRL training arguments (``TrainingArguments``, ``SFTConfig`` ...): an object
  that remembers the keywords it was built with (``push_to_hub``, ``hub_private_repo``).
"""

from __future__ import annotations

import math
import re

from ..flow.model import CallSite, Model, Outcome, ParamSite, Use
from ..flow.values import CLEAN, Const, Label, Obj, Val, obj

OPTION = "option"  # an option read by name: tag = the name; data = (how: argparse | absl | cli)
ABSL_DEFINE = re.compile(r"(^|\.)DEFINE_(float|integer|bool|boolean|string|enum|multi_float)$")
PARSERS = {"argparse.ArgumentParser", "configargparse.ArgParser", "configargparse.ArgumentParser",
           "jsonargparse.ArgumentParser"}
INF_NAMES = {"math.inf", "numpy.inf", "numpy.Inf", "numpy.infty", "numpy.PINF", "torch.inf",
             "jax.numpy.inf", "cmath.inf", "sys.float_info.max"}
HF_ARGS_HEADS = ("transformers", "trl", "setfit", "sentence_transformers", "peft", "optimum",
                 "dp_transformers")
NOT_TRAINING_CONFIGS = {"ModelConfig", "GenerationConfig", "LoraConfig", "PeftConfig",
                        "BitsAndBytesConfig", "AutoConfig", "PretrainedConfig", "VLLMConfig"}


def _json(v):
    if isinstance(v, float) and (math.isinf(v) or math.isnan(v)):
        return {"f": repr(v)}
    return v if isinstance(v, (str, int, float, bool)) or v is None else None


def option_value(raw):
    if isinstance(raw, dict) and "f" in raw:
        return float(raw["f"])
    return raw


# --- argparse ---------------------------------------------------------------------------------
def parser(site: CallSite) -> Val:
    return Val(obj=obj("cli.parser", mod=site.module.rel))


def _strings(site: CallSite) -> list[str]:
    out = []
    for v in site.args:
        t = v.text()
        if t is None:
            break
        out.append(t)
    return out


def add_argument(site: CallSite) -> Outcome | Val:
    flags = _strings(site)
    dest = site.text("dest")
    long = [f for f in flags if f.startswith("--")]
    short = [f for f in flags if f.startswith("-") and not f.startswith("--")]
    positional = [f for f in flags if not f.startswith("-")]
    shown = (long or short or positional or [dest or ""])[0]
    if dest is None:
        if long:
            dest = long[0][2:].replace("-", "_")
        elif short:
            dest = short[0][1:].replace("-", "_")
        elif positional:
            dest = positional[0]
    if not dest:
        return CLEAN
    data = {"name": dest, "flag": shown, "how": "argparse", "line": site.line}
    action = site.text("action")
    default = site.arg("default")
    if default is None:
        if action == "store_true":
            data["value"] = False
        elif action == "store_false":
            data["value"] = True
        else:
            data["unknown"] = True  # no default: given at run time
    elif default.consts and len(default.consts) == 1 and _json(default.consts[0].value) is not None \
            or (default.consts and default.consts[0].value is None):
        data["value"] = _json(default.consts[0].value)
    else:
        data["unknown"] = True
    typ = site.arg("type")
    if typ is not None and typ.obj is not None and typ.obj.type == "builtin":
        data["convert"] = typ.obj.get("name")
    return Outcome(CLEAN, [], [("cli-option", data)])


def set_defaults(site: CallSite) -> Outcome:
    facts = []
    for k, v in site.kwargs.items():
        if v.consts and len(v.consts) == 1 and _json(v.consts[0].value) is not None:
            facts.append(("cli-option", {"name": k, "flag": k, "how": "set_defaults",
                                         "value": _json(v.consts[0].value), "line": site.line,
                                         "override": True}))
    return Outcome(CLEAN, [], facts)


def parser_method(site: CallSite) -> Outcome | Val | None:
    name = site.name
    if name == "add_argument":
        return add_argument(site)
    if name == "set_defaults":
        return set_defaults(site)
    mod = site.recv.obj.get("mod") or site.module.rel
    if name in ("add_argument_group", "add_mutually_exclusive_group", "add_subparsers",
                "add_parser"):
        return Val(obj=obj("cli.parser", mod=mod))
    if name in ("parse_args", "parse_known_args", "parse_intermixed_args"):
        ns = Val(obj=obj("cli.namespace", how="argparse", mod=mod))
        return Val(elems=(ns, CLEAN), obj=ns.obj) if name == "parse_known_args" else ns
    return None


def namespace_attr(base: Val, name, is_attr: bool):
    if not isinstance(name, str) or name.startswith("_"):
        return None
    how = base.obj.get("how") or "argparse"
    return Val(frozenset({Label(OPTION, name, f"{how}:{name}", 0, (how, base.obj.get("mod") or ""))}))


# --- absl ----------------------------------------------------------------------------------------
def absl_define(site: CallSite) -> Outcome | None:
    if not ABSL_DEFINE.search(site.q or ""):
        return None
    name = site.text("name", 0)
    if name is None:
        return None
    default = site.arg("default", 1)
    data = {"name": name, "flag": name, "how": "absl", "line": site.line}
    if default is not None and default.consts and len(default.consts) == 1:
        data["value"] = _json(default.consts[0].value)
        if data["value"] is None and default.consts[0].value is not None:
            data["unknown"] = True
    else:
        data["unknown"] = True
    return Outcome(Val(obj=obj("cli.flag", name=name)), [], [("cli-option", data)])


def flag_attr(base: Val, name, is_attr: bool):
    if name == "value":
        n = base.obj.get("name")
        return Val(frozenset({Label(OPTION, n, f"absl:{n}", 0, ("absl",))}))
    return None


# --- click / typer -------------------------------------------------------------------------------
def click_param(p: ParamSite) -> Val | None:
    for name, call in p.decorators or ():
        if name not in ("click.option", "click.decorators.option", "typer.Option") or call is None:
            continue
        names = _strings(call)
        explicit = [n for n in names if not n.startswith("-")]
        long = [n for n in names if n.startswith("--")]
        short = [n for n in names if n.startswith("-") and not n.startswith("--")]
        if explicit:
            pname = explicit[0]
        elif long:
            pname = long[0][2:].split("/")[0]
        elif short:
            pname = short[0][1:]
        else:
            continue
        if pname.replace("-", "_").lower() != p.name:
            continue
        default = call.arg("default")
        if default is None or not default.consts:
            return None
        shown = (long or short or explicit)[0].split("/")[0]
        return Val(consts=tuple(Const(c.value, "click", f"click default of {shown} at line {call.line}",
                                      call.line) for c in default.consts))
    return None


# --- records and training arguments -------------------------------------------------------------
def field_default(site: CallSite) -> Val:
    """``field(default=0.5)`` / ``Field(0.5)``: the default is the value."""
    v = site.arg("default")
    if v is None and site.name == "Field":
        v = site.arg(None, 0)
    return v if v is not None else Val()


def training_args(site: CallSite) -> Val | None:
    q = site.q or ""
    last = q.rsplit(".", 1)[-1]
    if not (last.endswith("TrainingArguments") or (q.split(".")[0] == "trl" and last.endswith("Config")
                                                    and last not in NOT_TRAINING_CONFIGS)):
        return None
    keys = tuple((k, v) for k, v in site.kwargs.items() if k != "**") or None
    built = Val(obj=obj("hf.training-args", cls=last, built=True), keys=keys)
    push = site.arg("push_to_hub")
    if push is None or (push.consts and push.const() in (False, None)):
        return built
    # TrainingArguments(push_to_hub=...) publishes every saved checkpoint (AIP301)
    args = {k: v for k, v in site.kwargs.items() if k in ("push_to_hub", "hub_private_repo",
                                                          "hub_model_id")}
    return Outcome(built, [Use("hub.publish", {"kind": "config", "call": last, "always": True,
                                               "star_kwargs": site.star_kwargs}, CLEAN, args)])


def hf_parser(site: CallSite) -> Val:
    classes = []
    first = site.arg("dataclass_types", 0)
    parts = list(first.elems) if first is not None and first.elems is not None else (
        [first] if first is not None else [])
    for v in parts:
        if v.obj is not None and v.obj.type in ("class", "ref"):
            classes.append((v.obj.type, v.obj.get("q")))
    return Val(obj=obj("cli.hfparser", classes=tuple(classes)))


def hf_parser_method(site: CallSite) -> Val | None:
    if site.name not in ("parse_args_into_dataclasses", "parse_dict", "parse_json_file",
                         "parse_yaml_file", "parse_args_and_config"):
        return None
    out = []
    for kind, q in site.recv.obj.get("classes") or ():
        if kind == "class":
            out.append(Val(obj=Obj("inst", (("q", q),))))
        else:
            last = q.rsplit(".", 1)[-1]
            out.append(Val(obj=obj("hf.training-args", cls=last, built=False)) if last.endswith(
                ("TrainingArguments", "Config")) else CLEAN)
    return Val(elems=tuple(out)) if out else None


def inf_value(q: str) -> Val:
    return Val(consts=(Const(math.inf),))


MODEL = Model(
    "config",
    calls={**{q: parser for q in PARSERS},
           "dataclasses.field": field_default, "pydantic.Field": field_default,
           "pydantic.fields.Field": field_default,
           "transformers.HfArgumentParser": hf_parser, "trl.TrlParser": hf_parser},
    prefixes=[("absl.flags.", absl_define), ("tensorflow.compat.v1.flags.", absl_define),
              ("tensorflow.compat.v1.app.flags.", absl_define), ("tensorflow.app.flags.", absl_define),
              *[(h + ".", training_args) for h in HF_ARGS_HEADS]],
    values={**{q: Val(consts=(Const(math.inf),)) for q in INF_NAMES},
            "absl.flags.FLAGS": Val(obj=obj("cli.namespace", how="absl")),
            "tensorflow.compat.v1.flags.FLAGS": Val(obj=obj("cli.namespace", how="absl")),
            "tensorflow.compat.v1.app.flags.FLAGS": Val(obj=obj("cli.namespace", how="absl"))},
    methods={"cli.parser": {"*": parser_method}, "cli.hfparser": {"*": hf_parser_method}},
    attrs={"cli.namespace": namespace_attr, "cli.flag": flag_attr},
    params=[click_param],
)
