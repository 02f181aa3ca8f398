"""Editor integration: ``aiprivlint server``, a language server over stdio (``server``, needs the
``lsp`` extra: pygls), the workspace state it serves from (``workspace``), and the text edits of
its suppression code actions (``suppress``)."""

from __future__ import annotations

import sys

MISSING = ("aiprivlint: error: the language server needs pygls; install it with "
           "`pip install 'aiprivlint[lsp]'`")


def main_server() -> int:
    """``aiprivlint server``: exit 2 with a clear message when pygls is not installed."""
    try:
        import lsprotocol  # noqa: F401
        import pygls  # noqa: F401
    except ImportError:
        print(MISSING, file=sys.stderr)
        return 2
    from .server import serve

    return serve()
