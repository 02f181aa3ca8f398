"""The fix actions: small libcst transformations of ONE node, driven by a rule's ``[[fix]]``.

Each action takes the reported node and the spec and returns the replacement node, or None when
it does not apply (the node has another shape, the change is already there, an argument the spec
needs absent is passed, a ``**kwargs`` may already carry the keyword). Whitespace, comments and
commas around the change are kept: a keyword appended to a call written one argument per line
goes on a line of its own, before the trailing comma.
"""

from __future__ import annotations

from ..checkers.python._lazy import cst
from .spec import ArgRef, FixSpec


def _code(node) -> str:
    return cst.Module(body=[]).code_for_node(node).strip()


def find_arg(call, ref: ArgRef):
    """The argument ``ref`` names: by keyword, or at its position among the leading positional
    arguments (a ``*args`` before it makes the position unknown)."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == ref.keyword:
            return arg
    if ref.position is not None:
        positional = []
        for arg in call.args:
            if arg.keyword is not None or arg.star:
                break
            positional.append(arg)
        if len(positional) > ref.position:
            return positional[ref.position]
    return None


def _no_space():
    return cst.SimpleWhitespace("")


def _append_keyword(call, keyword: str, value):
    new = cst.Arg(value=value, keyword=cst.Name(keyword),
                  equal=cst.AssignEqual(whitespace_before=_no_space(), whitespace_after=_no_space()))
    args = list(call.args)
    if not args:
        return call.with_changes(args=[new])
    last = args[-1]
    if isinstance(last.comma, cst.Comma):  # a trailing comma: one argument per line
        ws = args[-2].comma.whitespace_after if len(args) >= 2 and isinstance(
            args[-2].comma, cst.Comma) else call.whitespace_before_args
        if isinstance(ws, cst.ParenthesizedWhitespace):  # the line break and indentation only,
            ws = cst.ParenthesizedWhitespace(indent=ws.indent, last_line=ws.last_line)  # no comment
        elif isinstance(ws, cst.SimpleWhitespace) and not ws.value:
            ws = cst.SimpleWhitespace(" ")
        args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=ws))
        args.append(new.with_changes(comma=last.comma))
    else:  # the whitespace after the last argument (a newline before ")") moves after the new one
        args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")),
                                     whitespace_after_arg=_no_space())
        args.append(new.with_changes(whitespace_after_arg=last.whitespace_after_arg))
    return call.with_changes(args=args)


def set_keyword(node, spec: FixSpec):
    if not isinstance(node, cst.Call):
        return None
    value = cst.parse_expression(spec.value)
    arg = find_arg(node, ArgRef(spec.keyword, spec.position))
    if arg is not None:
        if _code(arg.value) == spec.value:
            return None
        return node.deep_replace(arg, arg.with_changes(value=value))
    if any(a.star == "**" for a in node.args):
        return None  # the keyword may come in **kwargs: adding it could pass it twice
    return _append_keyword(node, spec.keyword, value)


def _has_comment(ws) -> bool:
    return isinstance(ws, cst.ParenthesizedWhitespace) and (
        ws.first_line.comment is not None or any(e.comment is not None for e in ws.empty_lines))


def _after(arg):
    """The whitespace after an argument: after its comma when it has one."""
    return arg.comma.whitespace_after if isinstance(arg.comma, cst.Comma) else arg.whitespace_after_arg


def _keep_lines(before, gone):
    """``before`` (the whitespace in front of a removed argument) with the comment lines that
    followed the removed argument (``gone``), which belong to the argument after it."""
    if not isinstance(gone, cst.ParenthesizedWhitespace) or not gone.empty_lines:
        return before
    if isinstance(before, cst.ParenthesizedWhitespace):
        return before.with_changes(empty_lines=[*before.empty_lines, *gone.empty_lines])
    return gone.with_changes(first_line=cst.TrailingWhitespace())


def _closing(before, gone):
    """The whitespace before ")" once the last argument is removed: the comment on the
    previous argument's line and the comment lines are kept, the removed argument's own
    comment goes with it, and ")" stays where it was."""
    if isinstance(gone, cst.ParenthesizedWhitespace):
        if isinstance(before, cst.ParenthesizedWhitespace):
            return gone.with_changes(first_line=before.first_line,
                                     empty_lines=[*before.empty_lines, *gone.empty_lines])
        return gone.with_changes(first_line=cst.TrailingWhitespace())
    return before if _has_comment(before) else gone


def remove_keywords(node, spec: FixSpec):
    """Removes the keywords with their comma and the comment on their line (it is about
    them); comment lines around them and the other arguments' comments are kept."""
    if not isinstance(node, cst.Call):
        return None
    drop = dict(spec.keywords)
    args = list(node.args)
    hits = [i for i, a in enumerate(args) if a.keyword is not None
            and a.keyword.value in drop and _code(a.value) == drop[a.keyword.value]]
    if not hits:
        return None
    before_args = node.whitespace_before_args
    for i in reversed(hits):
        removed = args.pop(i)
        gone = _after(removed)
        if i < len(args):  # an argument follows: it keeps the whitespace in front of the removed
            if i == 0:
                before_args = _keep_lines(before_args, gone)
            else:
                prev = args[i - 1]
                args[i - 1] = prev.with_changes(comma=prev.comma.with_changes(
                    whitespace_after=_keep_lines(prev.comma.whitespace_after, gone)))
        elif args:  # it was the last: the one before takes its comma and the end of the list
            prev = args[-1]
            ws = _closing(prev.comma.whitespace_after, gone)
            if isinstance(removed.comma, cst.Comma):
                args[-1] = prev.with_changes(comma=removed.comma.with_changes(whitespace_after=ws),
                                             whitespace_after_arg=removed.whitespace_after_arg)
            else:
                args[-1] = prev.with_changes(comma=cst.MaybeSentinel.DEFAULT,
                                             whitespace_after_arg=ws)
        else:  # it was the only one: "f()" unless comments are to be kept
            ws = _closing(before_args, gone)
            before_args = ws if _has_comment(ws) else cst.SimpleWhitespace("")
    return node.with_changes(args=args, whitespace_before_args=before_args)


def rename(node, spec: FixSpec):
    if not isinstance(node, cst.Call):
        return None
    names = dict(spec.rename)
    if spec.argument is not None:
        arg = find_arg(node, spec.argument)
        target = arg.value if arg is not None else None
    else:
        target = node.func
    # only an attribute (yaml.load, yaml.Loader): a bare name would need another import
    if not isinstance(target, cst.Attribute) or target.attr.value not in names:
        return None
    renamed = target.with_changes(attr=cst.Name(names[target.attr.value]))
    return node.deep_replace(target, renamed)


def set_assigned(node, spec: FixSpec):
    if not isinstance(node, cst.Assign) or _code(node.value) == spec.value:
        return None
    return node.with_changes(value=cst.parse_expression(spec.value))


ACTIONS = {"set-keyword": set_keyword, "remove-keywords": remove_keywords, "rename": rename,
           "set-assigned": set_assigned}
# the node type each action changes (what is looked for at a finding's position)
NODE_TYPES = {"set-keyword": "Call", "remove-keywords": "Call", "rename": "Call",
              "set-assigned": "Assign"}


def apply_action(node, spec: FixSpec):
    """The node after the spec's action, or None when the spec does not apply to it."""
    if isinstance(node, cst.Call) and any(find_arg(node, ref) is not None for ref in spec.absent):
        return None
    return ACTIONS[spec.action](node, spec)
