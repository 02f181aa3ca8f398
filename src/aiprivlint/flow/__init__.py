"""The dataflow engine: one interpreter shared by every flow rule (no rule ids in here).

- :mod:`.values` — abstract values (labels, constants, typed objects, structure), bounded joins;
- :mod:`.model` — how library models and label kinds are declared (data the engine consults);
- :mod:`.interp` — the per-module interpreter (phase 1): events, function summaries, exports;
- :mod:`.summary` — what phase 1 produces, as plain JSON-able data (cached);
- :mod:`.link` — phase 2: modules of a project linked through their imports, symbolic values
  resolved, events made concrete.

See ``docs/dataflow.md`` for the design and its limits.
"""

from .values import CLEAN, Const, Label, Obj, Val, flat, join, lit, obj  # noqa: F401
