"""Where text goes to be kept or shown: loggers, experiment trackers, and the terminal.

Sinks (the ``info["via"]`` says which):

* ``log`` — ``logging`` / ``absl.logging`` / ``loguru`` / ``structlog`` functions and loggers
  (``logging.getLogger()``, ``loguru.logger``, a receiver named ``logger``/``log``/``_logger`` of
  unknown type), ``logfire``;
* ``tracker`` — Weights & Biases (``wandb.log``, ``wandb.Table``, ``table.add_data``,
  ``run.log``), MLflow (``log_text``, ``log_dict``, ``log_param(s)``, ``log_table``,
  ``set_tag(s)``, and ``MlflowClient`` methods), TensorBoard text (``add_text``,
  ``tf.summary.text``), Comet (``log_text``, ``log_other``);
* ``print`` — ``print``, ``rich`` consoles, ``pprint``, ``tqdm.write``, ``click.echo``,
  ``sys.stdout.write``: display, which only some code keeps (the rule decides).

Only the arguments that carry content count (``wandb.log``'s data, not its ``step``; a
tracker's value, not its key).
"""

from __future__ import annotations

import re

from ..flow.model import CallSite, Model, Outcome, Use
from ..flow.values import CLEAN, Val, flat, limit, obj

LOG_METHODS = {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal",
               "log", "trace", "success", "msg", "notice"}
LOGFIRE_METHODS = LOG_METHODS | {"span", "instrument"}
LOG_MODULES = ("logging", "absl.logging", "loguru.logger", "structlog")
LOGGER_FACTORIES = {"logging.getLogger", "logging.Logger", "structlog.get_logger",
                    "structlog.getLogger", "loguru.logger.bind", "logging.LoggerAdapter",
                    "absl.logging.get_absl_logger"}
PRINT_CALLS = {"rich.print", "pprint.pprint", "pprint.pp", "tqdm.tqdm.write", "tqdm.write",
               "tqdm.auto.tqdm.write", "click.echo", "typer.echo", "sys.stdout.write",
               "sys.stderr.write", "rich.pretty.pprint", "IPython.display.display"}
# (positional index, keyword) of the arguments that carry content
TRACKER_ARGS: dict[str, tuple] = {
    "mlflow.log_text": ((0, "text"),), "mlflow.log_dict": ((0, "dictionary"),),
    "mlflow.log_param": ((1, "value"),), "mlflow.log_params": ((0, "params"),),
    "mlflow.log_table": ((0, "data"),), "mlflow.set_tag": ((1, "value"),),
    "mlflow.set_tags": ((0, "tags"),), "tensorflow.summary.text": ((1, "data"),),
    "wandb.log": ((0, "data"),), "wandb.Table": ((1, "data"), (-1, "dataframe"), (-1, "rows")),
}
TRACKER_VIA = {"mlflow": "mlflow", "tensorflow": "tensorboard", "wandb": "wandb"}
COMET_METHODS = {"log_text": ((0, "text"),), "log_other": ((1, "value"),),
                 "log_html": ((0, "html"),), "log_table": ((1, "tabular_data"),)}
IGNORED_KWARGS = {"end", "sep", "flush", "file", "exc_info", "stack_info", "stacklevel", "step",
                  "global_step", "walltime", "commit", "artifact_file", "columns", "tag", "key",
                  "run_id", "level", "highlight", "style", "justify", "extra"}
LOGGER_NAME_RE = re.compile(r"(?i)^_*(logger|log|logging|lg)$|_logger$")
WRITER_NAME_RE = re.compile(r"(?i)(writer|tb|tensorboard|summary)$")


def _content(site: CallSite, spec=None, shift: int = 0) -> Val:
    if spec is None:
        labels = set()
        for v in site.args:
            labels |= flat(v)
        for k, v in site.kwargs.items():
            if k not in IGNORED_KWARGS:
                labels |= flat(v)
        return Val(limit(labels)) if labels else CLEAN
    labels = set()
    for index, kw in spec:
        if index >= 0:
            v = site.arg(None, index + shift)
            if v is not None:
                labels |= flat(v)
        v = site.kwargs.get(kw)
        if v is not None:
            labels |= flat(v)
    if site.star_args or "**" in site.kwargs:
        for v in site.args:
            labels |= flat(v)
    return Val(limit(labels)) if labels else CLEAN


def sink(kind: str, via: str, spec=None, shift: int = 0):
    def handler(site: CallSite) -> Outcome:
        return Outcome(CLEAN, [Use(kind, {"via": via, "call": site.label}, _content(site, spec, shift))])
    return handler


def print_builtin(site: CallSite) -> Outcome:
    return Outcome(CLEAN, [Use("print", {"via": "print", "call": "print"}, _content(site))])


def logger(site: CallSite) -> Val:
    return Val(obj=obj("log.logger"))


def logger_method(site: CallSite) -> Outcome | Val:
    if site.name in LOG_METHODS:
        return Outcome(CLEAN, [Use("log", {"via": "logging", "call": site.label}, _content(site))])
    if site.name in ("getChild", "bind", "opt", "with_fields", "new"):
        return Val(obj=obj("log.logger"))
    return CLEAN


def logger_named(site: CallSite) -> Outcome | None:
    """``logger.info(...)`` / ``self.log.warning(...)`` on a receiver of unknown type."""
    if site.name not in LOG_METHODS or site.recv_name in ("self", "cls"):
        return None
    return Outcome(CLEAN, [Use("log", {"via": "logging", "call": site.label}, _content(site))])


def module_log(site: CallSite) -> Outcome | None:
    q = site.q or ""
    head, _, last = q.rpartition(".")
    if head in LOG_MODULES and last in LOG_METHODS:
        return Outcome(CLEAN, [Use("log", {"via": "logging", "call": site.label}, _content(site))])
    return None


def logfire(site: CallSite) -> Outcome | None:
    last = (site.q or "").rsplit(".", 1)[-1]
    if last in LOGFIRE_METHODS:
        return Outcome(CLEAN, [Use("log", {"via": "logfire", "call": site.label}, _content(site))])
    return None


def tracker(q: str):
    via = TRACKER_VIA[q.split(".")[0]]
    spec = TRACKER_ARGS[q]

    def handler(site: CallSite) -> Outcome | Val:
        use = Use("tracker", {"via": via, "call": site.label}, _content(site, spec))
        if q == "wandb.Table":
            return Outcome(Val(obj=obj("tracker.wandb-table")), [use])
        return Outcome(CLEAN, [use])
    return handler


def wandb_init(site: CallSite) -> Val:
    return Val(obj=obj("tracker.wandb-run"))


def wandb_run(site: CallSite) -> Outcome | Val:
    if site.name == "log":
        return Outcome(CLEAN, [Use("tracker", {"via": "wandb", "call": site.label},
                                   _content(site, ((0, "data"),)))])
    return CLEAN


def wandb_table(site: CallSite) -> Outcome | Val:
    if site.name in ("add_data", "add_row"):
        return Outcome(CLEAN, [Use("tracker", {"via": "wandb", "call": site.label}, _content(site))])
    return CLEAN


def mlflow_client(site: CallSite) -> Val:
    return Val(obj=obj("tracker.mlflow-client"))


def mlflow_client_method(site: CallSite) -> Outcome | Val:
    spec = TRACKER_ARGS.get("mlflow." + site.name)
    if spec is None:
        return CLEAN
    # MlflowClient methods take the run id first
    return Outcome(CLEAN, [Use("tracker", {"via": "mlflow", "call": site.label},
                               _content(site, spec, shift=1))])


def tb_writer(site: CallSite) -> Val:
    return Val(obj=obj("tracker.tb-writer"))


def tb_method(site: CallSite) -> Outcome | Val:
    if site.name == "add_text":
        return Outcome(CLEAN, [Use("tracker", {"via": "tensorboard", "call": site.label},
                                   _content(site, ((1, "text_string"),)))])
    return CLEAN


def tb_named(site: CallSite) -> Outcome | None:
    if site.name != "add_text":
        return None
    m = site.module
    if not (m.imports("torch.utils.tensorboard") or m.imports("tensorboardX")
            or m.imports("tensorboard") or WRITER_NAME_RE.search(site.recv_name or "")):
        return None
    return tb_method(site)


def comet(site: CallSite) -> Val:
    return Val(obj=obj("tracker.comet"))


def comet_method(site: CallSite) -> Outcome | Val:
    spec = COMET_METHODS.get(site.name)
    if spec is None:
        return CLEAN
    return Outcome(CLEAN, [Use("tracker", {"via": "comet", "call": site.label}, _content(site, spec))])


def console(site: CallSite) -> Val:
    return Val(obj=obj("print.console"))


def console_method(site: CallSite) -> Outcome | Val:
    if site.name in ("print", "log", "out", "print_json"):
        return Outcome(CLEAN, [Use("print", {"via": "print", "call": site.label}, _content(site))])
    return CLEAN


MODEL = Model(
    "logs",
    calls={
        **{q: logger for q in LOGGER_FACTORIES},
        **{q: sink("print", "print") for q in PRINT_CALLS},
        **{q: tracker(q) for q in TRACKER_ARGS},
        "wandb.init": wandb_init, "mlflow.tracking.MlflowClient": mlflow_client,
        "mlflow.MlflowClient": mlflow_client,
        "torch.utils.tensorboard.SummaryWriter": tb_writer, "tensorboardX.SummaryWriter": tb_writer,
        "comet_ml.Experiment": comet, "comet_ml.start": comet,
        "rich.console.Console": console,
    },
    prefixes=[("logging.", module_log), ("absl.logging.", module_log), ("loguru.logger.", module_log),
              ("structlog.", module_log), ("logfire.", logfire)],
    values={"loguru.logger": Val(obj=obj("log.logger")), "logging.root": Val(obj=obj("log.logger")),
            "wandb.run": Val(obj=obj("tracker.wandb-run"))},
    methods={"log.logger": {"*": logger_method}, "tracker.wandb-run": {"*": wandb_run},
             "tracker.wandb-table": {"*": wandb_table},
             "tracker.mlflow-client": {"*": mlflow_client_method},
             "tracker.tb-writer": {"*": tb_method}, "tracker.comet": {"*": comet_method},
             "print.console": {"*": console_method}},
    builtins={"print": print_builtin},
    receivers=[(LOGGER_NAME_RE, logger_named), (re.compile(r""), tb_named)],
)
