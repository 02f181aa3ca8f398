"""Path helpers for the card project rules: display paths are '/'-separated and relative to the
cwd ('' or '.' for the cwd itself); a project root is one of them."""

from __future__ import annotations

import posixpath


def norm_dir(path: str) -> str:
    """'' for the cwd, else a normalised '/'-path without a trailing slash."""
    p = posixpath.normpath(path.replace("\\", "/")) if path else ""
    return "" if p in (".", "") else p


def is_under(path: str, folder: str) -> bool:
    """Whether ``path`` is ``folder`` or inside it."""
    path, folder = norm_dir(path), norm_dir(folder)
    return folder == "" or path == folder or path.startswith(folder + "/")


def relative_to(path: str, root: str) -> str:
    """``path`` relative to the project ``root`` ('' when equal)."""
    path, root = norm_dir(path), norm_dir(root)
    if root == "":
        return path
    if path == root:
        return ""
    return path[len(root) + 1:] if path.startswith(root + "/") else path


def join(folder: str, rel: str) -> str:
    return norm_dir(posixpath.join(norm_dir(folder), rel))
