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
        return Outcome(CLEAN, [Use("hub.publish", info, CLEAN, use_args)])
    return None


MODEL = Model(
    "train",
    prefixes=[(h + ".", trainer_ctor) for h in TRAINER_HEADS],
    methods={"train.trainer": {"*": trainer_method}},
)
