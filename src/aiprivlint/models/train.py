"""Training: the objects that train a model, what they train on, and where they publish it.

* **Trainers** (``transformers.Trainer`` / ``Seq2SeqTrainer``, the TRL trainers, SetFit,
  ``SentenceTransformerTrainer``, dp-transformers' ``OpacusDPTrainer``) remember what they were
  built with: their arguments (``args=TrainingArguments(...)``, for ``push_to_hub`` and
  ``hub_private_repo``) and their data (``train_dataset=``).
* **Training calls** are ``train`` sinks carrying the labels of the data they train on:
  ``trainer.train()`` (the trainer's ``train_dataset``), ``model.fit(x, y)`` / ``trainer.fit(
  model, datamodule)`` (Keras, Lightning, fastai, SentenceTransformer), and a loop that steps an
  optimizer (what the loop iterates over).
* ``trainer.push_to_hub()`` publishes what the trainer trained, under its arguments' visibility
  (a ``hub.publish`` sink; see AIP301).
"""

from __future__ import annotations

import re

from ..flow.model import CallSite, Model, Outcome, Use
from ..flow.values import CLEAN, Val, flat, obj

TRAINER_HEADS = ("transformers", "trl", "setfit", "sentence_transformers", "dp_transformers",
                 "peft")
DATA_KWARGS = ("train_dataset", "dataset", "train_data", "train_dataloader", "datamodule")


def trainer_ctor(site: CallSite) -> Val | None:
    q = site.q or ""
    last = q.rsplit(".", 1)[-1]
    if not last.endswith("Trainer") or last.startswith("Base"):
        return None
    keys = tuple((k, v) for k, v in site.kwargs.items() if k != "**")
    return Val(obj=obj("train.trainer", cls=last), keys=keys or None)


def _key(v: Val, name: str) -> Val | None:
    return v.key(name) if v.keys is not None else None


def trainer_method(site: CallSite) -> Outcome | Val | None:
    recv = site.recv
    if site.name == "train":
        data = None
        for k in DATA_KWARGS:
            data = _key(recv, k)
            if data is not None:
                break
        return Outcome(CLEAN, [Use("train", {"api": f"{site.recv_name or 'trainer'}.train()",
                                             "framework": "hf-trainer", "always": True},
                                   Val(flat(data)) if data is not None else CLEAN)])
    if site.name == "push_to_hub":
        data = next((d for d in (_key(recv, k) for k in DATA_KWARGS) if d is not None), None)
        args = _key(recv, "args")
        info = {"kind": "push", "call": "push_to_hub", "trainer": True, "always": True,
                "args_known": args is not None}
        use_args = {k: v for k, v in site.kwargs.items() if k in ("private", "repo_id")}
        if args is not None:
            for k in ("push_to_hub", "hub_private_repo", "hub_model_id"):
                v = args.key(k) if args.keys is not None else None
                if v is not None:
                    use_args["args." + k] = v
            info["args_built"] = args.obj is not None and args.obj.get("built") is not False
        # what the trainer trained on is what it publishes
        return Outcome(CLEAN, [Use("hub.publish", info,
                                   Val(flat(data)) if data is not None else CLEAN, use_args)])
    return None


FIT_METHODS = {"fit", "fit_one_cycle", "fine_tune", "fit_flat_cos", "fit_sgdr"}
FIT_DATA = ("x", "y", "train_dataloaders", "train_dataloader", "datamodule", "dataloaders",
            "train_objectives", "train_data", "dataset")
OPT_WORD = re.compile(r"^(opt|optim|optimi[sz]er|optimi[sz]ers)([a-z0-9]|[A-Z]\w*)?$")


def is_optimizer_name(name: str) -> bool:
    """``optimizer``, ``opt``, ``optim``, ``optimizerD``, ``optD``, ``opt_g``, ``d_optimizer``,
    ``model_opt``, ``generator_optimizer``; not ``option``, ``options``, ``lr_scheduler``."""
    if not name or "sched" in name.lower():
        return False
    return any(OPT_WORD.match(part) or OPT_WORD.match(part.lower())
               and part.lower().startswith("optimi") for part in name.split("_") if part)


def fit(site: CallSite) -> Outcome | None:
    """``model.fit(x, y)`` / ``trainer.fit(model, datamodule)`` / ``learn.fit_one_cycle(5)``:
    a training call on what it is given (and what its receiver was built from)."""
    labels = set(flat(site.recv)) if site.recv is not None else set()
    for v in site.args[:3]:
        labels |= flat(v)
    for k in FIT_DATA:
        if k in site.kwargs:
            labels |= flat(site.kwargs[k])
    api = f"{site.recv_name or 'model'}.{site.name}()"
    return Outcome(None, [Use("train", {"api": api, "always": True}, Val(frozenset(labels)))])


def is_gradient_step(method: str, recv_name: str, keywords) -> bool:
    """A call that updates weights from gradients: ``loss.backward()`` /
    ``accelerator.backward(loss)``, ``optimizer.step()`` / ``scaler.step(optimizer)``, Keras'
    ``optimizer.apply_gradients(zip(grads, variables))`` and Flax/JAX's
    ``state.apply_gradients(grads=grads)`` (a ``TrainState``, whatever its name)."""
    if method == "backward":
        return True
    if method not in ("step", "apply_gradients"):
        return False
    if is_optimizer_name(recv_name) or "scaler" in recv_name.lower():
        return True
    return method == "apply_gradients" and "grads" in keywords


def step(site: CallSite) -> Outcome | None:
    """``optimizer.step()`` (or ``scaler.step(optimizer)``, ``state.apply_gradients(grads=g)``):
    a training step on the batch of its loop, or on what the enclosing step function is given."""
    rname = site.recv_name or ""
    if not is_gradient_step(site.name, rname, site.kwargs):
        return None
    data = site.scope() if site.scope is not None else CLEAN
    return Outcome(None, [Use("train", {"api": f"{rname}.{site.name}()", "always": True}, data)])


MODEL = Model(
    "train",
    prefixes=[(h + ".", trainer_ctor) for h in TRAINER_HEADS],
    methods={"train.trainer": {"*": trainer_method}},
    any_methods={**{m: fit for m in FIT_METHODS}, "step": step, "apply_gradients": step},
)
