"""Small taint lattice for AIP401/AIP402 (serving code that returns scores or embeddings).

A *taint* is a frozenset of labels, each a tuple whose first item says what it is:

``("401", kind, src)``  confidence scores; ``kind`` is ``"vec"`` (a vector: full probabilities,
                        logits, log-probs, top-k scores) or ``"one"`` (a single top-1 score)
``("402", "vec", src)`` raw embedding vectors
``("c401", src)``       an LLM response requested with log-probs: only ``.choices`` /
                        ``.logprobs`` lead to the scores, ``.message.content`` does not
``("c402", src)``       an embeddings API response: ``.data[0].embedding`` is the vector
``("g401", src)``       a ``generate(..., output_scores=True)`` output: ``.scores`` are the scores
``("p401", kind, src)`` a Hugging Face pipeline result: ``["score"]`` is a score, ``["label"]`` not
``("tup", parts)``      a tuple of values with a taint per position: (values, indices) from
                        topk / max(dim) / sort, or one element of a ``zip`` / ``enumerate``
``("seq", parts)``      a sequence of such tuples: ``zip(labels, probs)``, ``enumerate(probs)``,
                        ``d.items()``; iterating it yields ``("tup", parts)``
``("param", name)``     a parameter of the function being summarised (substituted at call sites)
``("in",)``             request input (handler parameters, ``flask.request``): never a finding,
                        and fields read from it are not sources (an echoed client vector is not
                        a leak of the model)

The module is private (leading underscore): it holds no rule.
"""

from __future__ import annotations

Taint = frozenset  # of label tuples, see above

EMPTY: Taint = frozenset()
INPUT: Taint = frozenset({("in",)})

DROP_ATTRS = {"shape", "dtype", "device", "ndim", "size", "indices", "is_cuda", "requires_grad",
              "label", "labels", "label_ids", "id2label", "config", "name", "id", "model",
              "usage", "object", "created", "text", "content", "message", "sequences",
              "generated_text", "finish_reason", "index", "role", "token_ids", "tokens"}
TEXT_KEYS = {"label", "labels", "label_id", "class", "class_name", "class_id", "category",
             "prediction", "predicted_class", "predicted_label", "pred", "word", "entity",
             "entity_group", "answer", "sequence", "token_str", "token", "text", "generated_text",
             "id", "ids", "start", "end", "box", "name"}
SAFE_METHODS = {"argmax", "argmin", "argsort", "nonzero", "keys", "index", "count", "gt", "ge",
                "lt", "le", "eq", "ne", "bool", "int", "long", "numel", "dim", "size", "isnan",
                "isinf", "any", "all", "sign", "floor", "ceil", "trunc", "isfinite", "nelement",
                "startswith", "endswith", "lower", "upper", "strip", "split", "__len__",
                "__contains__"}
CONTAINER_KEEP_METHODS = {"model_dump", "dict", "to_dict", "json", "model_dump_json", "copy",
                          "items", "values", "to_json", "tolist", "__iter__"}
LOGPROB_NAMES = {"logprobs", "top_logprobs", "prompt_logprobs", "logprob", "cumulative_logprob",
                 "token_logprobs"}


def union(*taints: Taint) -> Taint:
    out: set = set()
    for t in taints:
        out.update(t)
    return frozenset(out)


def has_tup(t: Taint) -> bool:
    return any(lb[0] == "tup" for lb in t)


def tup(*parts: Taint, kind: str = "tup") -> Taint:
    if not any(parts):
        return EMPTY
    return frozenset({(kind, tuple(parts))})


def seq(*parts: Taint) -> Taint:
    return tup(*parts, kind="seq")


def flatten(t: Taint) -> Taint:
    """A tuple or sequence used as a whole (returned, converted) is all of its parts."""
    out: set = set()
    for lb in t:
        if lb[0] in ("tup", "seq"):
            for part in lb[1]:
                out.update(flatten(part))
        else:
            out.add(lb)
    return frozenset(out)


def element(t: Taint, i: int) -> Taint | None:
    """Element ``i`` of a tuple, or None when ``t`` holds no tuple."""
    if not has_tup(t):
        return None
    out: set = set()
    for lb in t:
        if lb[0] == "tup":
            parts = lb[1]
            if -len(parts) <= i < len(parts):
                out.update(parts[i])
        else:
            out.add(lb)
    return frozenset(out)


def iterate(t: Taint) -> Taint:
    """The taint of one item when iterating over ``t``."""
    out: set = set()
    for lb in t:
        if lb[0] == "seq":
            out.add(("tup", lb[1]))
        elif lb[0] == "tup":
            out.update(flatten(frozenset({lb})))
        else:
            out.add(lb)
    return frozenset(out)


def reduce_one(t: Taint) -> Taint:
    """A scalar taken from the value (``float(x)``, ``x.item()``, ``max(x)``)."""
    out: set = set()
    for lb in t:
        kind = lb[0]
        if kind == "401":
            out.add(("401", "one", lb[2]))
        elif kind == "p401":
            out.add(("401", "one", lb[2]))
        elif kind == "tup":
            out.update(reduce_one(lb[1][0]) if lb[1] else EMPTY)
        elif kind == "seq":
            out.update(reduce_one(flatten(frozenset({lb}))))
        elif kind in ("param", "in"):
            out.add(lb)
        # an embedding reduced to a scalar, or a response object: no longer exposed
    return frozenset(out)


def upgrade(t: Taint) -> Taint:
    """Scores collected into a container in a loop or comprehension form a vector again."""
    out: set = set()
    for lb in t:
        if lb[0] == "401" and lb[1] == "one":
            out.add(("401", "vec", lb[2]))
        else:
            out.add(lb)
    return frozenset(out)


def has_vector(t: Taint) -> bool:
    """Whether ``t`` holds a vector of scores (iterating over it yields one score per class)."""
    return any(lb[0] in ("401", "p401") and lb[1] == "vec" for lb in flatten(t))


def attr(t: Taint, name: str) -> Taint:
    out: set = set()
    for lb in t:
        kind = lb[0]
        if kind in ("401", "402"):
            if name not in DROP_ATTRS:
                out.add(lb)
        elif kind == "tup":
            if name == "values":
                out.update(lb[1][0])
            elif name == "indices":
                out.update(lb[1][1] if len(lb[1]) > 1 else EMPTY)
            else:
                out.update(attr(flatten(frozenset({lb})), name))
        elif kind == "seq":
            out.update(attr(flatten(frozenset({lb})), name))
        elif kind == "c401":
            if name in ("choices", "outputs", "output", "data"):
                out.add(lb)
            elif name in LOGPROB_NAMES:
                out.add(("401", "vec", lb[1]))
        elif kind == "c402":
            if name == "data":
                out.add(lb)
            elif name in ("embedding", "embeddings", "values", "float_"):
                out.add(("402", "vec", lb[1]))
        elif kind == "g401":
            if name in ("scores", "logits", "sequences_scores"):
                out.add(("401", "vec", lb[1]))
        elif kind in ("param", "in"):
            if name not in DROP_ATTRS:
                out.add(lb)
    return frozenset(out)


def subscript(t: Taint, key: object, key_is_literal: bool) -> Taint:
    """``t[key]``; ``key`` is the literal key when ``key_is_literal`` (else an int index, a
    slice or an expression, all of which keep the taint)."""
    is_str = key_is_literal and isinstance(key, str)
    is_int = key_is_literal and isinstance(key, int) and not isinstance(key, bool)
    out: set = set()
    for lb in t:
        kind = lb[0]
        if kind in ("401", "402", "param", "in"):
            if not (is_str and key in TEXT_KEYS):
                out.add(lb)
        elif kind == "tup":
            parts = lb[1]
            if is_int and -len(parts) <= key < len(parts):  # type: ignore[operator]
                out.update(parts[key])  # type: ignore[index]
            else:
                out.update(subscript(flatten(frozenset({lb})), key, key_is_literal))
        elif kind == "seq":
            if is_int:
                out.add(("tup", lb[1]))
            else:
                out.update(subscript(flatten(frozenset({lb})), key, key_is_literal))
        elif kind == "c401":
            if not is_str or key in ("choices", "outputs"):
                out.add(lb)
            elif key in LOGPROB_NAMES:
                out.add(("401", "vec", lb[1]))
        elif kind == "c402":
            if not is_str or key == "data":
                out.add(lb)
            elif key in ("embedding", "embeddings"):
                out.add(("402", "vec", lb[1]))
        elif kind == "g401":
            if is_str and key in ("scores", "logits", "sequences_scores"):
                out.add(("401", "vec", lb[1]))
        elif kind == "p401":
            if is_str:
                if key == "score":
                    out.add(("401", "one", lb[2]))
                elif key == "scores":
                    out.add(("401", "vec", lb[2]))
            else:
                out.add(lb)
    return frozenset(out)


def method(t: Taint, name: str) -> Taint:
    """The result of ``receiver.name(...)`` for a tainted receiver (generic cases; reducers,
    topk and rounding are decided by the caller, which sees the arguments)."""
    out: set = set()
    for lb in t:
        kind = lb[0]
        if kind in ("401", "402", "param", "in"):
            if name == "items":  # {label: score}.items(): (label, score) pairs
                out.update(seq(EMPTY, frozenset({lb})))
            elif name not in SAFE_METHODS:
                out.add(lb)
        elif kind in ("tup", "seq"):
            out.update(method(flatten(frozenset({lb})), name))
        elif kind in ("c401", "c402", "g401", "p401"):
            if name in CONTAINER_KEEP_METHODS:
                out.add(lb)
    return frozenset(out)


def substitute(t: Taint, bindings: dict[str, Taint]) -> Taint:
    """Replace ``("param", name)`` labels of a function summary with the call's argument taints."""
    out: set = set()
    for lb in t:
        if lb[0] == "param":
            out.update(bindings.get(lb[1], EMPTY))
        elif lb[0] in ("tup", "seq"):
            out.update(tup(*(substitute(p, bindings) for p in lb[1]), kind=lb[0]))
        else:
            out.add(lb)
    return frozenset(out)


def exposed(t: Taint) -> dict[str, list[tuple[str, str]]]:
    """``{"AIP401": [(kind, src)...], "AIP402": [...]}`` for the labels that are a finding."""
    out: dict[str, list[tuple[str, str]]] = {}
    for lb in flatten(t):
        kind = lb[0]
        if kind == "401":
            out.setdefault("AIP401", []).append((lb[1], lb[2]))
        elif kind == "p401":
            out.setdefault("AIP401", []).append((lb[1], lb[2]))
        elif kind in ("c401", "g401"):
            out.setdefault("AIP401", []).append(("vec", lb[1]))
        elif kind == "402":
            out.setdefault("AIP402", []).append(("vec", lb[2]))
        elif kind == "c402":
            out.setdefault("AIP402", []).append(("vec", lb[1]))
    return out


def strip_inputs(t: Taint) -> Taint:
    return frozenset(lb for lb in t if lb[0] != "in")


def is_input(t: Taint) -> bool:
    return any(lb[0] == "in" for lb in t)
