"""A tiny, safe parser for the YAML front matter of Hugging Face cards.

Hugging Face dataset and model cards open with a YAML block between two ``---`` lines. A privacy
review needs only a few of its keys (``license``, ``datasets``, ``language``, ``pretty_name``,
``tags``, ``task_categories`` ...), all of them flat scalars or simple lists, so this module reads
that subset instead of depending on a YAML library (and it can never construct objects, unlike
``yaml.load``). What it understands:

* ``key: value`` with plain, single- or double-quoted scalars, and ``# comments``;
* ``key: [a, b]`` flow lists and ``key:`` followed by ``- item`` lines (indented or not);
* a nested mapping or a block scalar (``|``, ``>``) under a key: the key is recorded as present,
  its value as the raw text of the block, which is enough to know that it was filled in.

Every key carries the 1-based line it was written on, so a finding can point at it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_KEY = re.compile(r"^([A-Za-z_][\w.-]*)\s*:(?:\s+(.*)|\s*)$")
_ITEM = re.compile(r"^\s*-\s+(.*)$|^\s*-\s*$")


@dataclass
class FrontMatter:
    """The keys of a front-matter block: value (str, list of str, or raw text) and line."""

    values: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    start: int = 0  # line of the opening '---' (1-based); 0 when there is no front matter
    end: int = 0  # line of the closing '---'
    templated: bool = False  # holds Jinja markers ({{ ... }}): a card template, not a card

    def __bool__(self) -> bool:
        return self.start > 0

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def text(self, key: str) -> str:
        """The value as one string (lists joined by ', '), '' when absent."""
        v = self.values.get(key)
        if v is None:
            return ""
        if isinstance(v, list):
            return ", ".join(str(x) for x in v)
        return str(v)


def _strip_comment(value: str) -> str:
    if not value:
        return value
    if value[0] in "'\"":
        end = value.find(value[0], 1)
        while end > 0 and value[0] == '"' and value[end - 1] == "\\":
            end = value.find(value[0], end + 1)
        return value[: end + 1] if end > 0 else value
    m = re.search(r"\s#", value)
    return value[: m.start()].rstrip() if m else value


def _scalar(value: str) -> str:
    value = _strip_comment(value.strip())
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        inner = value[1:-1]
        return inner.replace("''", "'") if value[0] == "'" else inner.replace('\\"', '"')
    return value


def _flow_list(value: str) -> list[str]:
    inner = value.strip()[1:-1]
    return [_scalar(p) for p in inner.split(",") if p.strip()]


def split_front_matter(text: str) -> tuple[list[str], int, int]:
    """(front-matter lines, start line, end line); ([], 0, 0) when the text has none."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return [], 0, 0
    for i in range(1, min(len(lines), 5000)):
        if lines[i].strip() in ("---", "..."):
            return lines[1:i], 1, i + 1
    return [], 0, 0


def parse_front_matter(text: str) -> FrontMatter:
    """Parse the front matter at the top of ``text`` (see the module docstring for the subset)."""
    body, start, end = split_front_matter(text)
    fm = FrontMatter(start=start, end=end)
    if not start:
        return fm
    fm.templated = any("{{" in ln or "{%" in ln for ln in body)
    key: str | None = None
    block: list[str] = []

    def close() -> None:
        if key is not None and key not in fm.values:
            items = [m.group(1) for ln in block if (m := _ITEM.match(ln)) and m.group(1) is not None]
            if block and all(_ITEM.match(ln) for ln in block if ln.strip()):
                fm.values[key] = [_scalar(i) for i in items if _scalar(i)]
            else:
                fm.values[key] = "\n".join(ln.strip() for ln in block if ln.strip())

    for n, raw in enumerate(body, start=start + 1):
        line = raw.rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _KEY.match(line)
        if m and not raw[0].isspace():
            close()
            key, block = m.group(1), []
            fm.lines[key] = n
            value = (m.group(2) or "").strip()
            value = _strip_comment(value)
            if not value or value in ("|", ">", "|-", ">-", "|+", ">+"):
                continue  # a list, mapping or block scalar follows
            if value.startswith("[") and value.endswith("]"):
                fm.values[key] = _flow_list(value)
            elif value in ("~", "null"):
                fm.values[key] = ""
            else:
                fm.values[key] = _scalar(value)
        elif key is not None:
            block.append(line)
    close()
    return fm
