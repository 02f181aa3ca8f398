"""Per-file facts for AIP201 (training entry points, DP mechanisms, federated learning), and the
options and value resolution of AIP202 (weak-dp-budget), on small files run through the engine."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from aiprivlint.config import Config
from aiprivlint.engine import Engine
from aiprivlint.registry import load_rules

RULES = load_rules()


def _run(tmp_path: Path, files: dict[str, str], select: set[str], options: dict | None = None):
    for name, code in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(code if name.endswith(".ipynb") else textwrap.dedent(code), encoding="utf-8")
    cfg = Config(root=tmp_path, options=dict(options or {}))
    report = Engine(cfg, RULES, frozenset(select), jobs=1, cwd=tmp_path).run([str(tmp_path)])
    assert report.errors == []
    return report


def facts(tmp_path: Path, code: str, name: str = "train.py", kind: str | None = None):
    report = _run(tmp_path, {name: code}, {"AIP201"})
    # the per-file facts of TrainingFacts (training-data, the engine's trace, has tests of its own)
    return [(f.kind, f.line, f.data) for f in report.facts
            if f.path.endswith(name) and f.kind != "training-data" and (kind is None or f.kind == kind)]


def entries(tmp_path: Path, code: str, name: str = "train.py"):
    return [(line, data["framework"], data["api"])
            for _, line, data in facts(tmp_path, code, name, "training-entry")]


def mechanisms(tmp_path: Path, code: str, name: str = "train.py"):
    return [(line, data["framework"], data["api"])
            for _, line, data in facts(tmp_path, code, name, "dp-mechanism")]


# --- training entry points ------------------------------------------------------------------
def test_hf_and_trl_trainers(tmp_path):
    code = """\
        from transformers import Trainer, TrainingArguments
        from trl import SFTTrainer

        class WeightedTrainer(Trainer):
            pass

        trainer = Trainer(model=model, args=TrainingArguments("out"), train_dataset=ds)
        trainer.train()
        sft = SFTTrainer(model="Qwen/Qwen2.5-0.5B", train_dataset=ds)
        sft.train(resume_from_checkpoint=True)
        WeightedTrainer(model=model).train()
        model.train()  # a mode switch, not training
        """
    assert entries(tmp_path, code) == [
        (8, "hf-trainer", "transformers.Trainer.train"),
        (10, "trl", "trl.SFTTrainer.train"),
        (11, "hf-trainer", "transformers.Trainer.train"),
    ]


def test_trainer_built_elsewhere_counts_by_name(tmp_path):
    code = """\
        from transformers import AutoModelForCausalLM
        from .setup import build_trainer

        def run(cfg):
            trainer = build_trainer(cfg)
            trainer.train()
            cfg.model.train()
        """
    assert entries(tmp_path, code) == [(6, "hf-trainer", "trainer.train")]


def test_keras_fit_and_sklearn_fit(tmp_path):
    code = """\
        import tensorflow as tf
        from sklearn.linear_model import LogisticRegression
        from xgboost import XGBClassifier
        import lightgbm as lgb

        model = tf.keras.Sequential([tf.keras.layers.Dense(2)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(x, y, epochs=3)
        clf = LogisticRegression().fit(x, y)
        baseline = LogisticRegression(max_iter=200)
        baseline.fit(x, y)
        XGBClassifier(n_estimators=10).fit(x, y)
        booster = lgb.LGBMClassifier()
        booster.fit(x, y, callbacks=[])

        def retrain(net, data):
            net.fit(data)          # unknown object, no Keras evidence: not counted
            net.compile("sgd")
            net.fit(data, validation_split=0.1)
        """
    assert entries(tmp_path, code) == [
        (8, "keras", "tensorflow.keras.Sequential.fit"),
        (19, "keras", "net.fit"),
    ]


def test_keras_model_from_a_project_helper(tmp_path):
    code = """\
        import keras
        from tfexample.task import load_model

        model = load_model(0.01)
        history = model.fit(x_train, y_train, epochs=1, batch_size=32, verbose=0)
        """
    assert entries(tmp_path, code) == [(5, "keras", "model.fit")]


def test_lightning_fit(tmp_path):
    code = """\
        import lightning as L

        trainer = L.Trainer(max_epochs=3)
        trainer.fit(model, datamodule=dm)
        """
    assert entries(tmp_path, code) == [(4, "lightning", "lightning.Trainer.fit")]


def test_manual_loops(tmp_path):
    code = """\
        import torch

        def train(model, loader, epochs):
            optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5)
            scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1)
            scaler = torch.cuda.amp.GradScaler()
            for _ in range(epochs):
                for batch in loader:
                    loss = model(**batch).loss
                    scaler.scale(loss).backward()
                    scaler.step(optimizer)
                    scaler.update()
                    optimizer.step()
                scheduler.step()

        def train_step(model, opt_g, batch):
            opt_g.zero_grad()
            model(batch).backward()
            opt_g.step()

        def fit(model, opt_g, loader):
            for batch in loader:
                train_step(model, opt_g, batch)

        def one_step(model, optimizer):
            optimizer.step()  # never called in a loop in this file

        def stylize(image, closure):
            optimizer = torch.optim.LBFGS([image])  # optimises an input, not a model
            for _ in range(10):
                optimizer.step(closure)
        """
    assert entries(tmp_path, code) == [
        (11, "manual-loop", "torch.cuda.amp.GradScaler.step"),
        (13, "manual-loop", "torch.optim.AdamW.step"),
        (19, "manual-loop", "opt_g.step"),
    ]


def test_tf_custom_loop_and_estimator(tmp_path):
    code = """\
        import tensorflow as tf
        from tensorflow import estimator as tf_estimator

        opt = tf.keras.optimizers.SGD(0.1)
        for x, y in dataset:
            with tf.GradientTape() as tape:
                loss = loss_fn(model(x), y)
            opt.apply_gradients(zip(tape.gradient(loss, model.trainable_variables),
                                    model.trainable_variables))
        classifier = tf_estimator.Estimator(model_fn=model_fn)
        classifier.train(input_fn=train_input_fn, steps=100)
        """
    assert entries(tmp_path, code) == [
        (8, "manual-loop", "tensorflow.keras.optimizers.SGD.apply_gradients"),
        (11, "tf-estimator", "tensorflow.estimator.Estimator.train"),
    ]


def test_flax_train_state_step(tmp_path):
    # Flax/JAX: the step is ``state.apply_gradients(grads=...)`` on a TrainState, in a step
    # function the loop calls; optax's ``tx.update`` alone is not one
    code = """\
        import jax

        def train_step(state, batch):
            loss, grads = jax.value_and_grad(loss_fn)(state.params, batch)
            return state.apply_gradients(grads=grads), loss

        def describe(state, grads):
            return state.apply_gradients(grads)  # positional: not known to be a TrainState

        for batch in loader:
            state, loss = train_step(state, batch)
        """
    assert entries(tmp_path, code) == [(5, "manual-loop", "state.apply_gradients")]


# --- DP mechanisms ---------------------------------------------------------------------------
def test_opacus(tmp_path):
    code = """\
        from opacus import PrivacyEngine
        from opacus.optimizers import DPOptimizer

        privacy_engine = PrivacyEngine(secure_mode=False)
        model, optimizer, loader = privacy_engine.make_private(
            module=model, optimizer=optimizer, data_loader=loader,
            noise_multiplier=1.0, max_grad_norm=1.0)
        dp_opt = DPOptimizer(optimizer, noise_multiplier=1.0, max_grad_norm=1.0,
                             expected_batch_size=64)
        """
    assert mechanisms(tmp_path, code) == [
        (4, "opacus", "opacus.PrivacyEngine"),
        (5, "opacus", "opacus.PrivacyEngine.make_private"),
        (8, "opacus", "opacus.optimizers.DPOptimizer"),
    ]


def test_opacus_engine_passed_in(tmp_path):
    code = """\
        import opacus

        def wrap(engine, model, optimizer, loader, eps):
            return engine.make_private_with_epsilon(module=model, optimizer=optimizer,
                data_loader=loader, target_epsilon=eps, target_delta=1e-5, epochs=1,
                max_grad_norm=1.0)

        layer.make_private("hooks")  # unrelated method without DP arguments
        """
    assert mechanisms(tmp_path, code) == [
        (4, "opacus", "opacus.PrivacyEngine.make_private_with_epsilon")]


def test_tf_privacy(tmp_path):
    code = """\
        import tensorflow_privacy
        from tensorflow_privacy.privacy.keras_models.dp_keras_model import DPSequential
        from tensorflow_privacy.privacy.analysis import compute_dp_sgd_privacy_lib

        opt = tensorflow_privacy.DPKerasSGDOptimizer(l2_norm_clip=1.0, noise_multiplier=1.1)
        model = DPSequential(l2_norm_clip=1.0, noise_multiplier=1.1, layers=[])
        compute_dp_sgd_privacy_lib.compute_dp_sgd_privacy(60000, 256, 1.1, 15, 1e-5)
        model.fit(x, y, epochs=2)
        """
    got = facts(tmp_path, code)
    assert [(k, line, d["framework"]) for k, line, d in got] == [
        ("dp-mechanism", 5, "tf-privacy"),
        ("dp-mechanism", 6, "tf-privacy"),
        ("training-entry", 8, "keras"),
    ]


def test_flower_dp_and_federated(tmp_path):
    code = """\
        import flwr as fl
        from flwr.client import ClientApp
        from flwr.client.mod import LocalDpMod, fixedclipping_mod, secaggplus_mod
        from flwr.server.strategy import DifferentialPrivacyClientSideFixedClipping, FedAvg

        strategy = DifferentialPrivacyClientSideFixedClipping(FedAvg(), 1.0, 1.0, 10)
        app = ClientApp(client_fn=client_fn, mods=[secaggplus_mod, fixedclipping_mod])
        local = ClientApp(client_fn=client_fn, mods=[LocalDpMod(1.0, 1.0, 2.0, 1e-6)])
        """
    got = facts(tmp_path, code)
    assert [(k, line, d["framework"]) for k, line, d in got] == [
        ("federated", 1, "flower"),
        ("dp-mechanism", 6, "flower-dp"),
        ("dp-mechanism", 7, "flower-dp"),
        ("dp-mechanism", 8, "flower-dp"),
    ]
    assert got[2][2]["api"] == "flwr.client.mod.fixedclipping_mod"


@pytest.mark.parametrize("module,framework", [
    ("tensorflow_federated", "tff"), ("fedml", "fedml"), ("syft", "pysyft"),
    ("nvflare.apis.fl_context", "nvflare"), ("flwr_datasets", "flower"),
])
def test_federated_frameworks(tmp_path, module, framework):
    code = f"import {module}\nimport {module} as again\n"
    assert facts(tmp_path, code, kind="federated") == [
        ("federated", 1, {"framework": framework, "module": module})]


def test_dp_transformers_and_jax_privacy(tmp_path):
    code = """\
        import dp_transformers
        import jax_privacy
        from jax_privacy import keras_api
        from transformers import HfArgumentParser

        parser = HfArgumentParser((dp_transformers.TrainingArguments, dp_transformers.PrivacyArguments))
        grad_fn = jax_privacy.clipped_grad(loss_fn, l2_clip_norm=1.0)
        params = keras_api.DPKerasConfig(epsilon=1.0, delta=1e-5, clipping_norm=1.0, batch_size=8,
                                         gradient_accumulation_steps=1, train_steps=10, train_size=80)
        """
    assert mechanisms(tmp_path, code) == [
        (6, "dp-transformers", "dp_transformers.PrivacyArguments"),
        (7, "jax-privacy", "jax_privacy.clipped_grad"),
        (8, "jax-privacy", "jax_privacy.keras_api.DPKerasConfig"),
    ]


def test_test_files_emit_no_facts(tmp_path):
    code = """\
        import torch
        from opacus import PrivacyEngine

        def test_step(model, loader):
            PrivacyEngine().make_private(module=model, optimizer=o, data_loader=loader,
                                         noise_multiplier=0.0, max_grad_norm=1.0)
            for batch in loader:
                optimizer.step()
        """
    assert facts(tmp_path, code, name="tests/test_dp.py") == []
    assert facts(tmp_path, code, name="test_dp.py") == []
    # test-code = "check": test code counts like any other
    report = _run(tmp_path / "check", {"e2e/test_dp.py": code}, {"AIP201", "AIP202"},
                  {"test-code": "check"})
    assert {(f.kind, f.line) for f in report.facts if f.path.endswith("e2e/test_dp.py")
            and f.kind != "training-data"} == {("dp-mechanism", 5), ("training-entry", 8)}
    assert [(f.rule, f.line) for f in report.findings] == [("AIP202", 6)]


def test_notebook_lines_are_raw_ipynb_lines(tmp_path):
    nb = {"cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Fine-tune\n"]},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 1,
         "source": ["from transformers import Trainer\n", "trainer = Trainer(model=m)\n",
                    "trainer.train()\n"]},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    text = json.dumps(nb, indent=1)
    raw_line = next(i for i, line in enumerate(text.splitlines(), 1) if "trainer.train()" in line)
    assert entries(tmp_path, text, name="finetune.ipynb") == [
        (raw_line, "hf-trainer", "transformers.Trainer.train")]


def test_project_rule_uses_the_facts(tmp_path):
    """End to end: personal data + a trainer and no DP -> AIP201; with Opacus -> quiet."""
    train = """\
        import torch
        def fit(model, loader):
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            for batch in loader:
                model(batch).backward()
                optimizer.step()
        """
    report = _run(tmp_path, {"app/train.py": train, "app/pyproject.toml": "[project]\nname='a'\n"},
                  {"AIP201"}, {"personal-data": True})
    assert [(f.rule, f.line) for f in report.findings] == [("AIP201", 6)]
    dp = "from opacus import PrivacyEngine\nengine = PrivacyEngine()\n"
    report = _run(tmp_path, {"app/dp.py": dp}, {"AIP201"}, {"personal-data": True})
    assert report.findings == []


# --- AIP202: options, run configs, value resolution -----------------------------------------
def aip202(tmp_path, files, options=None):
    report = _run(tmp_path, files, {"AIP202"}, options)
    return [(f.path.rsplit("/", 1)[-1], f.line, f.details.get("parameter"), f.details.get("source"))
            for f in report.findings]


def test_secure_mode_only_when_required(tmp_path):
    code = """\
        from opacus import PrivacyEngine
        engine = PrivacyEngine()
        engine2 = PrivacyEngine(secure_mode=False)
        engine3 = PrivacyEngine(secure_mode=True)
        """
    assert aip202(tmp_path, {"dp.py": code}) == []
    assert aip202(tmp_path, {"dp.py": code}, {"require-secure-mode": True}) == [
        ("dp.py", 2, "secure_mode", "default"),
        ("dp.py", 3, "secure_mode", "literal"),
    ]


def test_budget_options(tmp_path):
    code = """\
        from opacus import PrivacyEngine
        PrivacyEngine().make_private_with_epsilon(module=m, optimizer=o, data_loader=d, epochs=1,
            target_epsilon=8.0, target_delta=1e-6, max_grad_norm=1.0)
        PrivacyEngine().make_private(module=m, optimizer=o, data_loader=d,
            noise_multiplier=0.7, max_grad_norm=1.0)
        """
    assert aip202(tmp_path, {"dp.py": code}) == []
    strict = {"max-epsilon": 4, "max-delta": 1e-7, "min-noise-multiplier": 0.8}
    assert [r[:3] for r in aip202(tmp_path, {"dp.py": code}, strict)] == [
        ("dp.py", 3, "target_epsilon"), ("dp.py", 3, "target_delta"), ("dp.py", 5, "noise_multiplier")]


@pytest.mark.parametrize("setup,use,source", [
    ("EPS = 50.0", "EPS", "module constant EPS at line 2"),
    ("import math\neps = math.inf", "eps", "eps assigned at line 3"),
    ("import argparse\np = argparse.ArgumentParser()\np.add_argument('--target-eps', dest='eps', "
     "type=float, default='25')\nargs = p.parse_args()", "args.eps",
     "argparse default of --target-eps at line 4"),
    ("import argparse\np = argparse.ArgumentParser()\n"
     "p.add_argument('--eps', type=float, default=3.0)\n"
     "p.set_defaults(eps=30.0)\nargs = p.parse_args()", "args.eps",
     "argparse set_defaults(eps=...) at line 5"),
    ("from absl import flags\n_EPS = flags.DEFINE_float('eps', 20.0, 'budget')", "_EPS.value",
     "absl flag default of --eps at line 3"),
    ("PARAMS = {'epsilon': 12.0, 'delta': 1e-5}", "PARAMS['epsilon']",
     "module constant PARAMS['epsilon'] at line 2"),
    ("from dataclasses import dataclass, field\n@dataclass\nclass DPConfig:\n"
     "    epsilon: float = field(default=40.0)\ncfg = DPConfig()", "cfg.epsilon",
     "default of DPConfig.epsilon at line 5"),
    ("BASE = 5.0", "BASE * 4", "module constant BASE at line 2"),
])
def test_value_sources(tmp_path, setup, use, source):
    code = (f"from opacus import PrivacyEngine\n{setup}\n"
            f"PrivacyEngine().make_private_with_epsilon(module=m, optimizer=o, data_loader=d,\n"
            f"    epochs=1, target_epsilon={use}, target_delta=1e-5, max_grad_norm=1.0)\n")
    path = tmp_path / "dp.py"
    path.write_text(code, encoding="utf-8")
    report = Engine(Config(root=tmp_path), RULES, frozenset({"AIP202"}), jobs=1, cwd=tmp_path).run(
        [str(path)])
    assert [(f.details["parameter"], f.details["source"]) for f in report.findings] == [
        ("target_epsilon", source)]


def test_click_default_and_reassignment(tmp_path):
    code = """\
        import click
        from opacus import PrivacyEngine

        @click.command()
        @click.option("--eps", default=3.0)
        @click.option("--sigma", "noise", default=0.2)
        def main(eps, noise):
            engine = PrivacyEngine()
            engine.make_private(module=m, optimizer=o, data_loader=d,
                                noise_multiplier=noise, max_grad_norm=1.0)
            eps = eps * 10
            engine.make_private_with_epsilon(module=m, optimizer=o, data_loader=d, epochs=1,
                                             target_epsilon=eps, target_delta=1e-5,
                                             max_grad_norm=1.0)
        """
    assert aip202(tmp_path, {"dp.py": code}) == [
        ("dp.py", 10, "noise_multiplier", "click default of --sigma at line 6"),
        ("dp.py", 13, "target_epsilon", "click default of --eps at line 5"),
    ]


@pytest.mark.parametrize("setup,use", [
    ("CFG_EPS = 50.0\nclass DPConfig:\n    epsilon = 50.0\ncfg = DPConfig(epsilon=2.0)", "cfg.epsilon"),
    ("import argparse\np = argparse.ArgumentParser()\np.add_argument('--eps', type=float)\n"
     "args = p.parse_args()", "args.eps"),  # no default: given at run time
    ("def f(eps=50.0):\n    return eps", "f()"),
    ("import os\neps = float(os.environ['EPS'])", "eps"),
])
def test_unresolved_or_overridden_values_are_quiet(tmp_path, setup, use):
    code = (f"from opacus import PrivacyEngine\n{setup}\n"
            f"PrivacyEngine().make_private_with_epsilon(module=m, optimizer=o, data_loader=d,\n"
            f"    epochs=1, target_epsilon={use}, target_delta=1e-5, max_grad_norm=1.0)\n")
    assert aip202(tmp_path, {"dp.py": code}) == []


def test_flower_run_config_keys(tmp_path):
    toml = """\
        [tool.flwr.app.config]
        num-server-rounds = 3
        "dp.epsilon" = 30.0
        target-delta = 1e-5
        max-grad-norm = 1e6

        [tool.flwr.app.config.train]
        delta = 1.0
        epsilon = 1e-8
        """
    got = aip202(tmp_path, {"app/pyproject.toml": toml})
    assert [r[:3] for r in got] == [("pyproject.toml", 3, "dp.epsilon"),
                                    ("pyproject.toml", 5, "max-grad-norm")]
    # a TOML file that is not pyproject.toml, and a pyproject without Flower, are not read
    assert aip202(tmp_path / "x", {"run.toml": toml}) == []
