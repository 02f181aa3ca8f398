"""AIP202 weak-dp-budget. Docs live in rules/AIP202.toml.

How the check works: a flow rule. Calls of differential-privacy APIs are recognised through
imports (Opacus ``PrivacyEngine`` / ``make_private`` / ``make_private_with_epsilon`` /
``DPOptimizer``, TF-Privacy DP optimizers, ``DPModel`` / ``DPSequential`` and
``compute_dp_sgd_privacy*``, jax-privacy, dp-transformers ``PrivacyArguments``, Flower DP
strategies and ``LocalDpMod``, TFF DP aggregators, diffprivlib, ``dp_accounting.
calibrate_dp_mechanism``): the rule's own model (``api_of``) makes each a ``dp.params`` sink
whose DP arguments (epsilon, delta, noise multiplier, clipping norm, secure mode; by keyword or
position) the dataflow engine resolves to constants: literals, module constants, locals (every
value a branch can give), values passed to a function from its call sites, record-class and
dataclass defaults, ``HfArgumentParser`` dataclasses, and, by name, the argparse / absl / click
options of the module or, failing that, of another module of the project (``models/config.py``:
``args.delta`` where ``--delta`` is declared in ``config.py``; a notebook's cells in order).

A finding needs *every* value the argument can take to be outside the budget:
``target_epsilon`` > ``max-epsilon``, ``delta`` > ``max-delta`` or > 1/N when the same call
gives the dataset size N, ``noise_multiplier`` < ``min-noise-multiplier``, a clipping norm that
is None, infinite or huge (>= 1e4), and, with ``require-secure-mode``, an Opacus
``PrivacyEngine`` without ``secure_mode=True``. Values that cannot be resolved (an unknown
parameter, ``context.run_config[...]``, computed values) stay quiet; Flower run-configs in
``pyproject.toml`` are checked by ``checkers/run_config.py``. A module whose only records are
a published benchmark (``_flow_run.public_data_only``: MNIST, CIFAR10, ``tfds.load("lm1b")``)
gets its findings at low confidence: a loose budget there protects no one's own records. Test files are skipped unless
``test-code = "check"``: zero noise and huge budgets are deliberate there. So is a value
written into a script, notebook or example that draws its tensors at random and reads no data
at all (no file, dataset, database or download: ``_flow_run.random_inputs_only``): it
demonstrates the mechanics on nobody's records. A value taken from the command line there is
still checked: the same script can be run on real data.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from ...findings import Severity
from ...flow.model import CallSite, Model, Outcome, Use
from ...flow.summary import Event, Pos
from ...flow.values import CLEAN, PARAM, Const, Val, obj
from ...models.config import OPTION, option_value
from ._ast_base import Summary
from ._flow_rule import Context, FlowRule

# a value a run can be given from outside (Const.kind): a demo's module may then train on real data
COMMAND_LINE = ("argparse", "absl", "click")
HUGE_CLIP = 1e4  # a clipping norm at or above this disables clipping in practice

ROLE_WORDS = {
    "epsilon": "epsilon",
    "delta": "delta",
    "noise": "noise multiplier",
    "clip": "clipping norm",
    "secure": "secure mode",
}


@dataclass(frozen=True)
class Param:
    role: str  # epsilon | delta | noise | clip | secure | n
    keywords: tuple[str, ...]
    position: int | None = None


@dataclass(frozen=True)
class Api:
    label: str  # what the message calls it: "make_private_with_epsilon"
    framework: str
    params: tuple[Param, ...]


def P(role: str, *keywords: str, pos: int | None = None) -> Param:  # noqa: N802 - table helper
    return Param(role, keywords, pos)


OPACUS_ENGINE = (P("secure", "secure_mode", "secure_rng"), P("noise", "noise_multiplier"),
                 P("clip", "max_grad_norm"), P("epsilon", "target_epsilon"),
                 P("delta", "target_delta"))
MAKE_PRIVATE = (P("noise", "noise_multiplier"), P("clip", "max_grad_norm"))
MAKE_PRIVATE_EPS = (P("epsilon", "target_epsilon"), P("delta", "target_delta"),
                    P("clip", "max_grad_norm"))
CLIP_NOISE = (P("clip", "l2_norm_clip", pos=0), P("noise", "noise_multiplier", pos=1))
GENERIC = (P("epsilon", "epsilon", "target_epsilon", "eps"),
           P("delta", "delta", "target_delta"),
           P("noise", "noise_multiplier"),
           P("clip", "clipping_norm", "l2_clip_norm", "l2_norm_clip", "max_grad_norm", "clip_norm"),
           P("n", "train_size", "num_examples", "number_of_examples", "dataset_size"))
TFP_OPTIMIZER = re.compile(
    r"^(Vectorized)?DP(Sparse)?Keras\w*Optimizer$|^VectorizedDP\w+$|^DP\w*GaussianOptimizer$"
    r"|^DPModel$|^DPSequential$")
FLWR_FIXED = {"DifferentialPrivacyClientSideFixedClipping", "DifferentialPrivacyServerSideFixedClipping"}
FLWR_ADAPTIVE = {"DifferentialPrivacyClientSideAdaptiveClipping",
                 "DifferentialPrivacyServerSideAdaptiveClipping"}


# the packages whose calls api_of() knows (the head of the qualified name)
DP_PACKAGES = ("opacus", "private_transformers", "tensorflow_privacy", "jax_privacy", "dp_accounting",
               "dp_transformers", "flwr", "tensorflow_federated", "diffprivlib")


def api_of(qual: str) -> Api | None:
    """The DP API a fully qualified call name denotes, with where its DP arguments are."""
    head = qual.split(".")[0]
    last = qual.split(".")[-1]
    if head == "opacus":
        if last == "PrivacyEngine":
            return Api("PrivacyEngine", "opacus", OPACUS_ENGINE)
        if ".optimizers" in qual and "Optimizer" in last:
            return Api(last, "opacus", MAKE_PRIVATE)
        if last == "get_noise_multiplier":
            return Api(last, "opacus", (P("epsilon", "target_epsilon"), P("delta", "target_delta")))
        return None
    if head == "private_transformers" and last == "PrivacyEngine":
        return Api("PrivacyEngine", "private-transformers",
                   (P("noise", "noise_multiplier"), P("clip", "max_grad_norm"),
                    P("epsilon", "target_epsilon"), P("delta", "target_delta")))
    if head == "tensorflow_privacy":
        if TFP_OPTIMIZER.match(last):
            return Api(last, "tf-privacy", CLIP_NOISE)
        if last == "compute_dp_sgd_privacy":
            return Api(last, "tf-privacy", (P("n", "n", pos=0), P("noise", "noise_multiplier", pos=2),
                                            P("delta", "delta", pos=4)))
        if last == "compute_dp_sgd_privacy_statement":
            return Api(last, "tf-privacy", (P("n", "number_of_examples", pos=0),
                                            P("noise", "noise_multiplier", pos=3),
                                            P("delta", "delta", pos=4)))
        return None
    if head == "jax_privacy":
        return Api(last, "jax-privacy", GENERIC)
    if head == "dp_accounting" and last == "calibrate_dp_mechanism":
        return Api(last, "dp-accounting", (P("epsilon", "target_epsilon", pos=2),
                                           P("delta", "target_delta", pos=3)))
    if head == "dp_transformers" and last == "PrivacyArguments":
        return Api(last, "dp-transformers",
                   (P("clip", "per_sample_max_grad_norm"), P("noise", "noise_multiplier"),
                    P("epsilon", "target_epsilon"), P("delta", "target_delta")))
    if head == "flwr":
        if last in FLWR_FIXED:
            return Api(last, "flower-dp", (P("noise", "noise_multiplier", pos=1),
                                           P("clip", "clipping_norm", pos=2)))
        if last in FLWR_ADAPTIVE:
            return Api(last, "flower-dp", (P("noise", "noise_multiplier", pos=1),))
        if last == "DPFedAvgFixed":
            return Api(last, "flower-dp", (P("clip", "clip_norm", pos=2),
                                           P("noise", "noise_multiplier", pos=3)))
        if last == "DPFedAvgAdaptive":
            return Api(last, "flower-dp", (P("noise", "noise_multiplier", pos=3),))
        if last == "LocalDpMod":
            return Api(last, "flower-dp", (P("clip", "clipping_norm", pos=0),
                                           P("epsilon", "epsilon", pos=2),
                                           P("delta", "delta", pos=3)))
        return None
    if head == "tensorflow_federated":
        if last == "gaussian_fixed":
            return Api(last, "tff-dp", (P("noise", "noise_multiplier", pos=0),
                                        P("clip", "clip", pos=2)))
        if last in ("gaussian_adaptive", "dp_aggregator"):
            return Api(last, "tff-dp", (P("noise", "noise_multiplier", pos=0),))
        return None
    if head == "diffprivlib":
        return Api(last, "diffprivlib", (P("epsilon", "epsilon"), P("delta", "delta")))
    return None


# --- the budget ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    text: str  # "above the budget max-epsilon = 10"
    severity: Severity | None = None
    explained: bool = False  # the text already says why it matters: no consequence appended


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return f"{v:g}"
    return repr(v) if isinstance(v, str) else str(v)


def _number(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return float(v)


def check_value(role: str, value: Any, options: dict[str, Any], n: int | None = None) -> Problem | None:
    """Whether one value of a DP parameter is outside the configured budget."""
    if role == "clip":
        if value is None:
            return Problem("None: per-example contributions are not bounded", Severity.HIGH)
        num = _number(value)
        if num is None:
            return None
        if math.isinf(num):
            return Problem("infinite: per-example contributions are not bounded", Severity.HIGH)
        if num >= HUGE_CLIP:
            return Problem(f"huge (>= {HUGE_CLIP:g}), which disables clipping in practice")
        return None
    if role == "secure":
        return Problem("off, but the configuration requires secure_mode") if value is False else None
    num = _number(value)
    if num is None:
        return None
    if role == "epsilon":
        budget = float(options.get("max-epsilon", 10.0))
        if math.isinf(num):
            return Problem("infinite: no privacy guarantee at all", Severity.HIGH, explained=True)
        if num > budget:
            return Problem(f"above the budget max-epsilon = {_fmt(budget)}")
    elif role == "delta":
        budget = float(options.get("max-delta", 1e-5))
        if num > budget:
            return Problem(f"above the budget max-delta = {_fmt(budget)}",
                           Severity.HIGH if num >= 0.01 else None)
        if n and n > 0 and num > 1.0 / n:
            return Problem(f"above 1/N = {_fmt(1.0 / n)} for N = {n} training examples")
    elif role == "noise":
        budget = float(options.get("min-noise-multiplier", 0.5))
        if num <= 0:
            return Problem("zero: no noise is added, so there is no privacy guarantee",
                           Severity.HIGH, explained=True)
        if num < budget:
            return Problem(f"below the budget min-noise-multiplier = {_fmt(budget)}")
    return None


CONSEQUENCE = {
    "epsilon": "the larger epsilon, the more the trained model can reveal about any one "
               "training record (membership, memorised text)",
    "delta": "delta is the probability that the guarantee fails outright; keep it well "
             "below 1/N for N training records",
    "noise": "too little noise for the clipping norm gives a weak (large-epsilon) guarantee",
    "clip": "without a finite clipping norm the added noise cannot hide one record's gradient",
    "secure": "the noise comes from a pseudo-random generator that is not cryptographically "
              "secure; pass secure_mode=True",
}




# --- the rule's model: DP calls are sinks of their DP arguments ---------------------------------
def _find(site: CallSite, param: Param) -> tuple[Val | None, Any]:
    for kw in param.keywords:
        v = site.arg(kw)
        if v is not None:
            return v, site.where(kw, None)
    if param.position is not None and not site.star_args and param.position < len(site.args):
        return site.args[param.position], site.where(None, param.position)
    return None, None


def dp_use(site: CallSite, api: Api) -> Use:
    args, where = {}, {}
    for param in api.params:
        v, pos = _find(site, param)
        if v is None:
            continue
        name = next((kw for kw in param.keywords if kw in site.kwargs), param.keywords[0])
        args[param.role] = v
        where[param.role] = [name, pos.to_json() if pos is not None else None]
    ok, disable = site.const("disable_dp")
    info = {"api": api.label, "framework": api.framework, "where": where,
            "star_kwargs": site.star_kwargs, "disabled": bool(ok and disable), "always": True}
    return Use("dp.params", info, CLEAN, args)


def dp_call(site: CallSite) -> Outcome | None:
    api = api_of(site.q or "")
    if api is None:
        return None
    ret = Val(obj=obj("dp.engine")) if api.label == "PrivacyEngine" else CLEAN
    return Outcome(ret, [dp_use(site, api)])


def engine_method(site: CallSite) -> Outcome | None:
    if site.name == "make_private":
        return Outcome(CLEAN, [dp_use(site, Api("make_private", "opacus", MAKE_PRIVATE))])
    if site.name == "make_private_with_epsilon":
        return Outcome(CLEAN, [dp_use(site, Api("make_private_with_epsilon", "opacus",
                                                MAKE_PRIVATE_EPS))])
    return None


def make_private_named(site: CallSite) -> Outcome | None:
    """``pe.make_private(...)`` on an engine of unknown type, in a file that imports Opacus."""
    if site.name not in ("make_private", "make_private_with_epsilon"):
        return None
    if not (site.module.imports("opacus") or site.module.imports("private_transformers")):
        return None
    return engine_method(site)


DP_MODEL = Model("dp", prefixes=[(p + ".", dp_call) for p in DP_PACKAGES],
                 methods={"dp.engine": {"*": engine_method}},
                 receivers=[(re.compile(r""), make_private_named)])


class WeakDpBudget(FlowRule):
    rule_id = "AIP202"
    test_code = "skip"
    needs = DP_PACKAGES
    sinks = frozenset({"dp.params"})
    model = DP_MODEL

    VALID = [
        "from opacus import PrivacyEngine\npe = PrivacyEngine()\n"
        "m, o, dl = pe.make_private_with_epsilon(module=m, optimizer=o, data_loader=dl,\n"
        "    target_epsilon=3.0, target_delta=1e-5, epochs=10, max_grad_norm=1.0)",
        "from opacus import PrivacyEngine\npe = PrivacyEngine()\n"
        "m, o, dl = pe.make_private(module=m, optimizer=o, data_loader=dl,\n"
        "    noise_multiplier=1.1, max_grad_norm=1.0)",
        # unresolved values stay quiet
        "from opacus import PrivacyEngine\ndef setup(pe, eps):\n"
        "    return pe.make_private_with_epsilon(target_epsilon=eps, target_delta=1e-5,\n"
        "        epochs=1, max_grad_norm=1.0)",
        "from tensorflow_privacy import DPKerasSGDOptimizer\n"
        "opt = DPKerasSGDOptimizer(l2_norm_clip=1.0, noise_multiplier=1.1, num_microbatches=1)",
        "from flwr.client.mod import LocalDpMod\nmod = LocalDpMod(1.0, 1.0, 2.0, 1e-6)",
        # an unrelated make_private method without DP arguments
        "class Layer:\n    def make_private(self, mode): ...\nLayer().make_private('hooks')",
        # a conditional value is quiet when one branch is within budget
        "from opacus import PrivacyEngine\nimport sys\neps = 3.0\nif len(sys.argv) > 2:\n"
        "    eps = 50.0\nPrivacyEngine().make_private_with_epsilon(target_epsilon=eps,\n"
        "    target_delta=1e-5, epochs=1, max_grad_norm=1.0)",
    ]
    INVALID = [
        "from opacus import PrivacyEngine\npe = PrivacyEngine()\n"
        "m, o, dl = pe.make_private_with_epsilon(module=m, optimizer=o, data_loader=dl,\n"
        "    target_epsilon=50, target_delta=1e-5, epochs=10, max_grad_norm=1.0)",
        "import argparse\nfrom opacus import PrivacyEngine\n"
        "def main(args):\n    pe = PrivacyEngine()\n"
        "    pe.make_private(module=m, optimizer=o, data_loader=dl,\n"
        "        noise_multiplier=args.sigma, max_grad_norm=1.0)\n"
        "p = argparse.ArgumentParser()\np.add_argument('--sigma', type=float, default=0.1)\n"
        "main(p.parse_args())",
        "from absl import flags\nfrom tensorflow_privacy import DPKerasAdamOptimizer\n"
        "flags.DEFINE_float('l2_norm_clip', float('inf'), 'clip')\nFLAGS = flags.FLAGS\n"
        "opt = DPKerasAdamOptimizer(FLAGS.l2_norm_clip, 1.1)",
        "from flwr.client.mod import LocalDpMod\nmod = LocalDpMod(1.0, 1.0, 40.0, 1e-6)",
        "from flwr.server.strategy import DifferentialPrivacyClientSideFixedClipping\n"
        "NOISE = 0.0\nstrategy = DifferentialPrivacyClientSideFixedClipping(base, NOISE, 1.0, 10)",
        "from tensorflow_privacy import compute_dp_sgd_privacy\n"
        "eps = compute_dp_sgd_privacy(n=1000, batch_size=32, noise_multiplier=1.1, epochs=5,"
        " delta=1e-3)",
        "import dp_transformers\nargs = dp_transformers.PrivacyArguments(target_epsilon=64,"
        " per_sample_max_grad_norm=1.0)",
    ]

    @classmethod
    def gate(cls, summary: Summary) -> bool:
        # every report is at a call api_of() knows: its qualified name's head is one of these
        # imported packages and its last part (a called name or an import's last part) one api_of
        # accepts (".optimizers" in the probe: opacus optimizers need it); or a make_private*
        # method of an object when opacus is imported
        heads = {i.partition(".")[0] for i in summary.imports}.intersection(DP_PACKAGES)
        if not heads:
            return False
        if "jax_privacy" in heads or "diffprivlib" in heads:
            return True
        if ("make_private" in summary.calls or "make_private_with_epsilon" in summary.calls) \
                and ("opacus" in heads or "private_transformers" in heads):
            return True
        lasts = summary.calls | {i.rpartition(".")[2] for i in summary.imports}
        return any(api_of(f"{head}.optimizers.{last}") is not None for head in heads for last in lasts)

    def judge(self, ev: Event, ctx: Context) -> None:
        from ...discovery import is_test_path

        if ctx.options.get("test-code", "skip") == "skip" and is_test_path(ev.module):
            return
        info = ev.info
        if info.get("disabled"):
            return  # DP switched off: AIP201's business, not a budget question
        demo = bool(ctx.meta(ev.module).get("random_inputs"))
        n = None
        if "n" in ev.args:
            got = self._resolve(ev.args["n"], ev.module, ctx)
            if got and len(got) == 1 and isinstance(got[0].value, int) \
                    and not isinstance(got[0].value, bool):
                n = got[0].value
        for role, v in sorted(ev.args.items()):
            if role == "n":
                continue
            if role == "secure":
                if not ctx.options.get("require-secure-mode"):
                    continue
                got = self._resolve(v, ev.module, ctx)
                if got and all(r.value is False for r in got):
                    self._report(ev, ctx, role, got[0], check_value("secure", False, ctx.options))
                continue
            got = self._resolve(v, ev.module, ctx)
            if not got:
                continue
            if demo and not any(r.kind in COMMAND_LINE for r in got):
                continue  # written into a demo on random tensors: no one's records to protect
            problems = [check_value(role, r.value, ctx.options, n) for r in got]
            if not all(problems):
                continue
            self._report(ev, ctx, role, got[0], problems[0])
        if info.get("api") == "PrivacyEngine" and info.get("framework") == "opacus" \
                and ctx.options.get("require-secure-mode") and "secure" not in ev.args \
                and not info.get("star_kwargs"):
            ctx.report(self.rule_id, ev.module, ev.pos, ev.context,
                       f"{info['api']}: secure_mode is not set (default False), but the "
                       "configuration requires it (require-secure-mode); "
                       f"{CONSEQUENCE['secure']}",
                       {"parameter": "secure_mode", "framework": info["framework"],
                        "api": info["api"], "value": None, "source": "default",
                        "budget": {"require-secure-mode": True}})

    def _resolve(self, v: Val, rel: str, ctx: Context) -> list[Const] | None:
        """Every value the argument can take, or None when any is unknown."""
        if v.consts and all(lb.kind == PARAM for lb in v.labels):
            return list(v.consts)  # a literal, a constant, or a parameter's click default
        names = [lb for lb in v.labels if lb.kind in (OPTION, PARAM)]
        if not names or len(names) != len(v.labels):
            return None
        out: list[Const] = []
        for lb in names:
            where = rel
            if lb.kind == OPTION:
                name = lb.tag
                if len(lb.data) > 1 and lb.data[1]:
                    where = lb.data[1]  # the module whose parser declares it
            else:
                path = lb.data[1:] if len(lb.data) > 1 else ()
                # args.sigma / opts.sigma: a parameter holding the parsed options
                if len(path) != 1 or path[0][0] != "a" or (lb.data and lb.data[0] == "self"):
                    return None
                name = path[0][1]
            got = self._option(name, where, ctx, rel)
            if got is None:
                return None
            out.extend(got)
        return out or None

    @staticmethod
    def _option(name: str, rel: str, ctx: Context, user: str) -> list[Const] | None:
        """The defaults of the options called ``name``: in the module ``rel`` that declares
        them, else in the nearest module of the project that does (``user`` reads them)."""
        def options(mod_rel: str) -> list[dict]:
            s = ctx.modules.get(mod_rel)
            if s is None:
                return []
            return [d for k, _line, d in s.facts if k == "cli-option" and d.get("name") == name]

        found = options(rel)
        elsewhere = rel if rel != user else ""
        if not found:
            def near(other: str) -> tuple:
                a, b = other.split("/"), user.split("/")
                common = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
                return (-common, other)
            for other in sorted(ctx.modules, key=near):
                if other != rel:
                    found = options(other)
                    if found:
                        elsewhere = other
                        break
        if not found:
            return None
        overrides = [d for d in found if d.get("override")]
        chosen = overrides[-1:] or found
        out = []
        for d in chosen:
            if d.get("unknown") or "value" not in d:
                return None
            value = option_value(d["value"])
            if value is None:
                return None  # "no default": the value is given at run time
            conv = d.get("convert")
            try:
                if conv == "float":
                    value = float(value)
                elif conv == "int":
                    value = int(value)
            except (TypeError, ValueError):
                return None
            how = d.get("how", "argparse")
            what = {"argparse": "argparse default", "absl": "absl flag default",
                    "set_defaults": "argparse set_defaults"}.get(how, f"{how} default")
            flag = d.get("flag", name)
            shown = flag if flag.startswith("-") or how != "absl" else "--" + flag
            if how == "set_defaults":
                origin = f"argparse set_defaults({name}=...) at line {d.get('line', 0)}"
            else:
                origin = f"{what} of {shown} at line {d.get('line', 0)}"
            if elsewhere:
                origin += f" in {elsewhere}"
            out.append(Const(value, "absl" if how == "absl" else "argparse", origin,
                             d.get("line", 0)))
        return out

    def _report(self, ev: Event, ctx: Context, role: str, value: Const, problem: Problem) -> None:
        info = ev.info
        name, pos_raw = info.get("where", {}).get(role, [role, None])
        pos = Pos.from_json(pos_raw) if pos_raw else ev.pos
        context = ev.context
        source = f" ({value.origin})" if value.origin else ""
        budget = {
            "epsilon": {"max-epsilon": ctx.options.get("max-epsilon")},
            "delta": {"max-delta": ctx.options.get("max-delta")},
            "noise": {"min-noise-multiplier": ctx.options.get("min-noise-multiplier")},
            "clip": {"max-clipping-norm": HUGE_CLIP},
            "secure": {"require-secure-mode": True},
        }[role]
        why = "" if problem.explained else f"; {CONSEQUENCE[role]}"
        public = ctx.meta(ev.module).get("public_data")
        if public:
            why += (f" (low confidence: the module trains only on the published benchmark "
                    f"{', '.join(public)}, the same records for everyone; the value matters "
                    "where the code is run on private data)")
        details = {"parameter": name, "role": ROLE_WORDS[role], "framework": info["framework"],
                   "api": info["api"], "value": _json_value(value.value),
                   "source": value.describe(), "budget": budget}
        if value.line:
            details["source_line"] = value.line
        f = ctx.report(self.rule_id, ev.module, pos, context,
                       f"{info['api']}: {name} = {_fmt(value.value)}{source} is {problem.text}{why}",
                       details, problem.severity)
        if public:
            f.confidence = "low"


def _json_value(v: Any) -> Any:
    if isinstance(v, float) and (math.isinf(v) or math.isnan(v)):
        return str(v)
    return v
