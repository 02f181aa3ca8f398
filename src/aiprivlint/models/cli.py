"""Command-line programs: the functions a person runs from a terminal.

A function gets the role ``{"kind": "command"}`` when it is a program's entry point: a
module-level ``main()`` (what ``console_scripts`` and ``if __name__ == "__main__"`` call, and
what a package's CLI dispatches to), a Click or Typer command (``@click.command()``,
``@cli.command()``, ``@app.command()``), or a function handed to ``fire.Fire``, ``typer.run`` or
``jsonargparse.CLI``. What such a function prints goes to the person who ran it.
"""

from __future__ import annotations

from ..flow.model import CallSite, FunctionSite, Model, Outcome
from ..flow.values import CLEAN

COMMAND = {"kind": "command", "where": "command-line entry point", "response": False}
CLI_ROOTS = ("click", "typer", "fire", "jsonargparse")


def command_role(fs: FunctionSite) -> dict | None:
    if fs.cls_name is not None or "." in fs.qual:
        return None  # methods and nested functions
    if fs.name == "main":
        return COMMAND
    m = fs.module
    if not any(m.imports(r) for r in CLI_ROOTS):
        return None
    for name, _call in fs.decorators:
        if "." in name and name.rsplit(".", 1)[-1] in ("command", "group"):
            return COMMAND  # @click.command(), @cli.command(), @app.command()
    return None


def _functions(v) -> list:
    """The functions a value names: a function, or the values of a dict of them."""
    if v is None:
        return []
    if v.obj is not None and v.obj.type == "func":
        return [v]
    return [x for _, x in (v.keys or ()) if x.obj is not None and x.obj.type == "func"]


def runs_commands(site: CallSite) -> Outcome | None:
    """``fire.Fire(main)``, ``typer.run(main)``, ``jsonargparse.CLI({"train": train})``."""
    fns = [f for v in (*site.args[:1], site.kwargs.get("components"), site.kwargs.get("component"))
           for f in _functions(v)]
    if not fns:
        return None
    out = Outcome(CLEAN)
    out.roles = [(f, COMMAND) for f in fns]
    return out


MODEL = Model(
    "cli",
    calls={"fire.Fire": runs_commands, "typer.run": runs_commands,
           "jsonargparse.CLI": runs_commands, "jsonargparse.auto_cli": runs_commands},
    roles=[command_role],
)
