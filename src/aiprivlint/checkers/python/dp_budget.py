"""AIP202 weak-dp-budget. Docs live in rules/AIP202.toml.

How the check works: calls of differential-privacy APIs are recognised through imports (Opacus
``PrivacyEngine`` / ``make_private`` / ``make_private_with_epsilon`` / ``DPOptimizer``,
TF-Privacy DP optimizers, ``DPModel`` / ``DPSequential`` and ``compute_dp_sgd_privacy*``,
jax-privacy, dp-transformers ``PrivacyArguments``, Flower DP strategies and ``LocalDpMod``,
TFF DP aggregators, diffprivlib, ``dp_accounting.calibrate_dp_mechanism``). Each DP argument
(epsilon, delta, noise multiplier, clipping norm, secure mode; by keyword or position) is
resolved with :mod:`._values` - literals, module constants, local assignments, argparse / absl /
click defaults, class defaults - at the end of the file, so a parser defined below its use is
known. A finding needs *every* value the argument can take to be outside the budget:
``target_epsilon`` > ``max-epsilon``, ``delta`` > ``max-delta`` or > 1/N when the same call
gives the dataset size N, ``noise_multiplier`` < ``min-noise-multiplier``, a clipping norm that
is None, infinite or huge (>= 1e4), and, with ``require-secure-mode``, an Opacus
``PrivacyEngine`` without ``secure_mode=True``. Values that cannot be resolved (function
parameters, ``context.run_config[...]``, computed values) stay quiet; Flower run-configs in
``pyproject.toml`` are checked by ``checkers/run_config.py``. Test files (``is_test_path``, which
also counts ``e2e/`` folders) are skipped unless ``test-code = "check"``: zero noise and huge
budgets are deliberate there.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from ._lazy import cst

from . import CodeRule
from ._ast_base import Summary
from ._values import Resolved, TracksValues, ValueIndex
from ...findings import Severity

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


@dataclass
class _Site:
    call: cst.Call
    api: Api
    where: tuple  # ValueIndex snapshot


class WeakDpBudget(TracksValues, CodeRule):
    rule_id = "AIP202"
    test_code = "skip"
    needs = ("opacus", "PrivacyEngine", "make_private", "tensorflow_privacy", "jax_privacy",
             "dp_transformers", "private_transformers", "DifferentialPrivacy", "LocalDpMod",
             "DPFedAvg", "gaussian_fixed", "gaussian_adaptive", "dp_aggregator", "diffprivlib",
             "dp_accounting")

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

    def __init__(self, runner) -> None:
        super().__init__(runner)
        self.values = ValueIndex(self)
        self.sites: list[_Site] = []

    # --- collection ----------------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        self.values.on_call(node)
        api = self._api(node)
        if api is not None:
            self.sites.append(_Site(node, api, self.values.snapshot()))

    def _api(self, node: cst.Call) -> Api | None:
        qual = self.qualified_name(node.func)
        if qual is not None:
            return api_of(qual)
        if not isinstance(node.func, cst.Attribute):
            return None
        method = node.func.attr.value
        if method not in ("make_private", "make_private_with_epsilon"):
            return None
        if not (self.is_imported("opacus") or self.is_imported("private_transformers")):
            return None
        if method == "make_private":
            return Api("make_private", "opacus", MAKE_PRIVATE)
        return Api("make_private_with_epsilon", "opacus", MAKE_PRIVATE_EPS)

    # --- decision ------------------------------------------------------------------------
    def leave_Module(self, node: cst.Module) -> None:
        if self.skips(self.path, self.options):
            return
        for site in self.sites:
            self._check_site(site)

    def _arg(self, call: cst.Call, param: Param) -> cst.Arg | None:
        for kw in param.keywords:
            arg = self.kwarg(call, kw)
            if arg is not None:
                return arg
        if param.position is not None:
            positional = []
            for arg in call.args:
                if arg.keyword is not None or arg.star:
                    break
                positional.append(arg)
            if param.position < len(positional) and not any(a.star for a in call.args[:param.position]):
                return positional[param.position]
        return None

    def _check_site(self, site: _Site) -> None:
        call, api = site.call, site.api
        if api.label == "PrivacyArguments" and self.kwarg_is(call, "disable_dp", True):
            return  # DP switched off: AIP201's business, not a budget question
        scope, order = site.where
        n = None
        for param in api.params:
            if param.role == "n":
                arg = self._arg(call, param)
                got = self.values.resolve(arg.value, scope, order) if arg else None
                if got and len(got) == 1 and isinstance(got[0].value, int) \
                        and not isinstance(got[0].value, bool):
                    n = got[0].value
        for param in api.params:
            if param.role == "n":
                continue
            if param.role == "secure":
                self._check_secure(call, api, param, scope, order)
                continue
            arg = self._arg(call, param)
            if arg is None:
                continue
            got = self.values.resolve(arg.value, scope, order)
            if not got:
                continue
            problems = [check_value(param.role, r.value, self.options, n) for r in got]
            if not all(problems):
                continue
            name = arg.keyword.value if arg.keyword is not None else param.keywords[0]
            self._report(arg, api, param.role, name, got[0], problems[0])

    def _check_secure(self, call: cst.Call, api: Api, param: Param, scope, order) -> None:
        if not self.options.get("require-secure-mode"):
            return
        arg = self._arg(call, param)
        if arg is None:
            if self.has_star_kwargs(call):
                return
            self.report(call, f"{api.label}: secure_mode is not set (default False), but the "
                        "configuration requires it (require-secure-mode); "
                        f"{CONSEQUENCE['secure']}",
                        details={"parameter": "secure_mode", "framework": api.framework,
                                 "api": api.label, "value": None, "source": "default",
                                 "budget": {"require-secure-mode": True}})
            return
        got = self.values.resolve(arg.value, scope, order)
        if got and all(r.value is False for r in got):
            name = arg.keyword.value if arg.keyword is not None else "secure_mode"
            self._report(arg, api, "secure", name, got[0], check_value("secure", False, self.options))

    def _report(self, arg: cst.Arg, api: Api, role: str, name: str, value: Resolved,
                problem: Problem) -> None:
        source = f" ({value.origin})" if value.origin else ""
        budget = {
            "epsilon": {"max-epsilon": self.options.get("max-epsilon")},
            "delta": {"max-delta": self.options.get("max-delta")},
            "noise": {"min-noise-multiplier": self.options.get("min-noise-multiplier")},
            "clip": {"max-clipping-norm": HUGE_CLIP},
            "secure": {"require-secure-mode": True},
        }[role]
        why = "" if problem.explained else f"; {CONSEQUENCE[role]}"
        details = {"parameter": name, "role": ROLE_WORDS[role], "framework": api.framework,
                   "api": api.label, "value": _json_value(value.value),
                   "source": value.describe(), "budget": budget}
        if value.line:
            details["source_line"] = value.line
        self.report(arg.value, f"{api.label}: {name} = {_fmt(value.value)}{source} is "
                    f"{problem.text}{why}", details=details, severity=problem.severity)


def _json_value(v: Any) -> Any:
    if isinstance(v, float) and (math.isinf(v) or math.isnan(v)):
        return str(v)
    return v
