"""Library models: what the calls of ML, LLM, web and data libraries *are*, for the dataflow
engine (:mod:`aiprivlint.flow`). One module a family of libraries; each holds tables and the
small functions that read them (see :mod:`aiprivlint.flow.model` for the shapes). Rules select
sinks and label kinds from :mod:`.kinds`; a rule with knowledge nobody else needs (AIP504's
biometric calls) declares a model of its own (``FlowRule.model``)."""

from __future__ import annotations

from functools import lru_cache

from ..flow.model import Model, Registry

# ``cli`` last: a route handler named ``main`` is a handler
MODULES = ("config", "data", "llm", "logs", "ml", "stores", "train", "web", "cli")


@lru_cache(maxsize=None)
def library_models() -> tuple[Model, ...]:
    import importlib

    return tuple(importlib.import_module(f"{__name__}.{m}").MODEL for m in MODULES)


@lru_cache(maxsize=None)
def registry(extra: tuple[Model, ...] = ()) -> Registry:
    """Every library model, and the models the flow rules declare (``extra``)."""
    return Registry([*library_models(), *extra])
