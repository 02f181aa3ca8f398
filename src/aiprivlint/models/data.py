"""Data: personal fields, data files and datasets, and what pseudonymises them.

* **Personal fields.** A read of a field whose *name* denotes personal data (AIP102's classifier;
  names ambiguous alone, ``name`` and ``address``, do not count, nor free text such as
  ``email_text``): ``row["email"]``, ``df[["name", "ssn"]]``, ``customer.get("phone")``,
  ``user.phone``, the fields of a record class. Configuration is not personal data: receivers
  named ``os``, ``environ``, ``config``, ``settings``, ``args`` ..., classes, and imported modules.
* **Files and datasets.** ``pd.read_csv("data/customers.csv")``, ``open(...)``,
  ``Path(...).read_text()``, ``load_dataset("csv", data_files=...)`` read a file named in the
  code (a ``file`` label: which column the code then selects, which it drops);
  ``load_dataset("imdb")`` and the torchvision / Keras / TFDS datasets load one by id.
* **Sanitisers.** Presidio (``AnonymizerEngine().anonymize``, LangChain's ``PresidioAnonymizer``),
  ``scrubadub``, ``hashlib`` / ``hmac``, and the naming convention: a function or method whose
  name starts with ``redact``, ``anonymise``/``anonymize``, ``pseudonymise``/``pseudonymize``,
  ``mask_pii`` or ``scrub``. Their result holds nothing; a ``pseudonymisation`` fact records
  where one is applied (Presidio and scrubadub always, the others when their input is personal).
* **Pass-through.** ``json.dumps``, ``pandas.DataFrame``, ``copy.deepcopy``, ``textwrap`` ...
  carry their arguments' content.
"""

from __future__ import annotations

import posixpath
import re

from ..flow.model import CallSite, Kind, Model, Outcome, passthrough
from ..flow.values import CLEAN, Label, Obj, Val, flat, limit, obj
from .kinds import DATASET, FILE, PERSONAL, REQUEST_INPUT, personal

EXCLUDED_ROOTS = {"os", "sys", "environ", "config", "cfg", "conf", "settings", "args", "opts",
                  "options", "flags", "FLAGS", "env", "secrets", "headers", "hparams",
                  "params_config", "parser", "schema", "fields", "columns", "st_secrets",
                  "app_config", "CONFIG", "SETTINGS", "metadata", "meta", "defaults", "constants"}
EXCLUDED_RECEIVER_RE = re.compile(r"(?i)(config|settings|secret|schema|column|pattern|regex|"
                                  r"recogni[sz]er|validator|template|example|fake|mock|dummy)s?$")
REDACT_RE = re.compile(r"(?i)^_*(redact|anonymi[sz]e|pseudonymi[sz]e|mask_pii|scrub)")
# the Presidio text anonymisers (also a pseudonymisation fact: checkers/python/mitigation_facts)
PRESIDIO_TEXT = {
    "presidio_anonymizer.AnonymizerEngine": "presidio AnonymizerEngine",
    "presidio_anonymizer.BatchAnonymizerEngine": "presidio BatchAnonymizerEngine",
    "langchain_experimental.data_anonymizer.PresidioAnonymizer": "langchain PresidioAnonymizer",
    "langchain_experimental.data_anonymizer.PresidioReversibleAnonymizer":
        "langchain PresidioReversibleAnonymizer",
}
ANONYMIZERS = {
    **PRESIDIO_TEXT,
    "presidio_anonymizer.engine.AnonymizerEngine": "presidio AnonymizerEngine",
    "scrubadub.Scrubber": "scrubadub Scrubber",
}
ANONYMIZER_METHODS = {"clean", "clean_documents", "anonymize", "anonymize_list", "anonymize_dict",
                      "anonymize_documents"}
PASSTHROUGH = {
    "json.dumps", "json.loads", "json.load", "pprint.pformat", "html.escape", "copy.copy",
    "copy.deepcopy", "pandas.DataFrame", "pandas.Series", "pandas.concat", "pandas.merge",
    "pandas.DataFrame.from_records", "pandas.DataFrame.from_dict", "pandas.json_normalize",
    "itertools.chain", "itertools.chain.from_iterable", "textwrap.dedent", "textwrap.fill",
    "textwrap.indent", "textwrap.shorten", "textwrap.wrap", "yaml.dump", "yaml.safe_dump",
    "yaml.safe_load", "base64.b64encode", "base64.urlsafe_b64encode", "urllib.parse.urlencode",
    "urllib.parse.quote", "urllib.parse.quote_plus", "csv.reader", "csv.DictReader",
    "io.StringIO", "io.BytesIO", "string.Template", "datasets.Dataset.from_dict",
    "datasets.Dataset.from_list", "datasets.Dataset.from_pandas", "collections.OrderedDict",
    "dataclasses.replace", "functools.reduce", "numpy.array", "numpy.asarray",
    "pprint.pprint.pformat", "markdown.markdown", "IPython.display.Markdown", "rich.text.Text",
    "rich.panel.Panel", "rich.markdown.Markdown", "random.choice", "random.sample",
    "random.choices", "numpy.random.choice", "accelerate.utils.gather_object",
    "accelerate.utils.gather", "accelerate.utils.broadcast_object_list", "dataclasses.asdict",
    "orjson.dumps", "ujson.dumps", "simplejson.dumps", "json.dump",
}
SANITIZE_PREFIXES = ("hashlib.", "hmac.", "time.", "datetime.", "math.", "uuid.", "zlib.",
                     "secrets.", "statistics.", "timeit.", "tiktoken.", "operator.length_hint",
                     "sys.getsizeof", "os.path.getsize", "os.path.exists", "os.path.isfile",
                     "os.path.isdir", "os.getenv", "os.environ")
FILE_READERS = {f"{lib}.{f}" for lib in ("pandas", "polars", "modin.pandas", "dask.dataframe")
                for f in ("read_csv", "read_json", "read_excel", "read_parquet", "read_table",
                          "read_feather", "read_ndjson", "scan_csv", "scan_parquet", "read_jsonl",
                          "scan_ndjson")} | {
    "numpy.loadtxt", "numpy.genfromtxt", "numpy.load", "jsonlines.open", "pyarrow.parquet.read_table",
    "pyarrow.csv.read_csv"}
FILE_KWARGS = ("file", "filepath_or_buffer", "path", "source", "fname", "path_or_buf", "io")
PATH_CTORS = {"pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath"}
# structured accessors: the content stays the table's (df.values, df.iloc, row.text ...)
FRAME_ACCESSORS = {"values", "iloc", "loc", "iat", "at", "str", "T", "array", "data", "text",
                   "content", "rows", "records", "choices", "message", "messages", "output",
                   "page_content", "body", "dt", "cat", "plot", "features", "train", "test",
                   "validation"}
METADATA = {"shape", "dtype", "dtypes", "columns", "index", "size", "ndim", "empty", "nbytes",
            "length", "__len__", "column_names", "num_rows", "info"}
# public datasets loaded by id: not files of the repository
DATASET_LOADERS = {"datasets.load_dataset", "tensorflow_datasets.load", "tensorflow_datasets.builder"}
DATASET_PREFIXES = ("torchvision.datasets.", "tensorflow.keras.datasets.", "keras.datasets.",
                    "torchaudio.datasets.", "torchtext.datasets.", "sklearn.datasets.load_",
                    "sklearn.datasets.fetch_", "flwr_datasets.FederatedDataset")
# ... of which these name a published benchmark (MNIST, CIFAR10, IMDB, lm1b ...), the same records
# for everyone who loads them; a library's folder readers are the user's own files
PUBLIC_COLLECTIONS = tuple(p for p in DATASET_PREFIXES if not p.startswith("flwr_datasets")) + (
    "tensorflow_datasets.load", "tensorflow_datasets.builder")
LOCAL_COLLECTIONS = {"ImageFolder", "DatasetFolder", "VisionDataset", "DatasetBuilder"}
LOCAL_BUILDERS = ("csv", "json", "parquet", "text", "pandas", "imagefolder", "audiofolder", "arrow")

# Made-up inputs: a module that draws its tensors at random and reads no data trains on nobody's
# records (a DP mechanics or memory demo). Random draws are these calls of these libraries ...
RANDOM_INPUT_HEADS = ("torch", "numpy", "tensorflow", "jax")
RANDOM_INPUT_NAMES = ("torch", "np", "numpy", "tf", "jax", "jnp", "random")  # as the code calls them
RANDOM_INPUT_CALLS = {"randn", "rand", "randint", "randn_like", "rand_like", "randint_like",
                      "normal", "uniform", "standard_normal", "random", "randperm",
                      "make_classification", "make_regression", "make_blobs"}
# ... or builds them from numbers written in the code: torch.tensor([[1.0, 2.0], ...])
LITERAL_INPUT_CALLS = {"tensor", "as_tensor", "array", "asarray", "constant"}
# ... and any of these calls (last part of the name) reads data: files, datasets, databases, the
# network
DATA_READ_CALLS = {"open", "load", "loads", "load_dataset", "load_from_disk", "loadtxt", "genfromtxt",
                   "fromfile", "memmap", "read", "read_text", "read_bytes", "urlopen", "get",
                   "urlretrieve", "download", "ImageFolder", "DatasetFolder", "from_generator",
                   "from_tensor_slices", "TFRecordDataset", "TextLineDataset", "execute",
                   "FederatedDataset"} | {f"read_{k}" for k in (
                       "csv", "json", "parquet", "table", "excel", "feather", "pickle", "sql",
                       "orc", "hdf", "fwf", "sas", "spss", "stata", "xml", "html", "clipboard")}
DATA_IMPORTS = ("torchvision.datasets", "torchaudio.datasets", "torchtext.datasets",
                "tensorflow_datasets", "keras.datasets", "tensorflow.keras.datasets", "datasets",
                "flwr_datasets", "sklearn.datasets.load_", "sklearn.datasets.fetch_")


def _excluded(base: Val, recv: str | None) -> bool:
    if base.obj is not None and base.obj.type in ("ref", "class"):
        return True  # an attribute of a module or class
    if not recv:
        return False
    parts = recv.split(".")
    if any(p in EXCLUDED_ROOTS for p in parts):
        return True
    last = parts[-1]
    return bool(EXCLUDED_RECEIVER_RE.search(last)) or (last[:1].isupper() and not last.isupper())


def personal_read(key, base: Val, recv, is_attr: bool, module, node) -> Val | None:
    """``row["email"]`` / ``user.phone``: a personal field."""
    fc = personal(key)
    if fc is None:
        return None
    request = any(lb.kind == REQUEST_INPUT for lb in base.labels)
    if not request and _excluded(base, recv):  # what a client sent is data, whatever its name
        return None
    if base.obj is not None and base.obj.type not in ("inst", "record") and (
            is_attr or base.obj.type != "ext"):
        # a client, a model, a logger: their attributes are no data; but an item read from what
        # a library returned (``db.execute(...).fetchone()["email"]``, a response's JSON) is
        return None
    source = "field"
    if request:
        source = "request"
    elif base.obj is not None and base.obj.type == "inst":
        source = "record"
    where = recv or "…"
    origin = f"{where}.{key}" if is_attr else f'{where}["{key}"]'
    line = module.line_of(node) if node is not None and hasattr(module, "line_of") else 0
    return Val(frozenset({Label(PERSONAL, key, origin, line,
                                (fc.category, fc.reason, fc.special, source))}))


# --- file labels ---------------------------------------------------------------------------------
SPLITS = {"train", "test", "validation", "valid", "validate", "dev", "eval", "eval_dataset",
          "train_dataset", "test_dataset"}


def _narrow(lb: Label, column) -> tuple:
    """The table's labels after ``[column]``: the column (``tag``; a selection of several,
    ``df[["a", "b"]]``, is their names joined by commas)."""
    path, dropped, nested = lb.data
    if isinstance(column, tuple):  # a selection
        if lb.tag or not column:
            return (lb,)
        cols = [c for c in column if c not in dropped]
        shown = ", ".join(repr(c) for c in column)
        return (Label(FILE, ",".join(cols), f"{lb.origin}[[{shown}]]", lb.line, (path, (), False)),)
    if lb.tag or column in SPLITS:  # ds["train"]: a split of the table, not a column
        return (lb,)
    if nested:
        return (Label(FILE, "", lb.origin, lb.line, (path, dropped, False)),)
    if not isinstance(column, str) or column in dropped:
        return (lb,)
    return (Label(FILE, column, f'{lb.origin}["{column}"]', lb.line, (path, (), False)),)


def _file_attr(lb: Label, name: str) -> tuple:
    if name in METADATA:
        return ()
    if name in FRAME_ACCESSORS or name.startswith("_"):
        return (lb,)
    return _narrow(lb, name)  # row.notes: a column


def _file_method(lb: Label, name: str) -> tuple:
    if name in ("nunique", "isna", "isnull", "notna", "notnull", "sum", "mean", "std", "min",
                "max", "describe", "value_counts", "duplicated", "count", "__len__"):
        return ()
    return (lb,)


def _gone(lb: Label, *_: object) -> tuple:
    return ()


# numbers computed from a table or a field (a mean, a count) hold none of its values
FILE_KIND = Kind(FILE, attr=_file_attr, key=_narrow, method=_file_method, reduce=_gone)
PERSONAL_KIND = Kind(PERSONAL, reduce=_gone)


def file_label(site: CallSite, path: str, what: str) -> Val:
    if not path or "{}" in path or "://" in path or "\n" in path or len(path) > 200:
        return CLEAN
    origin = f'{what}("{path}")'
    return Val(frozenset({Label(FILE, "", origin, site.line, (path, (), False))}),
               None, Obj("data.frame"))


def _path_of(v: Val | None) -> str | None:
    if v is None:
        return None
    if v.obj is not None and v.obj.type == "path":
        return v.obj.get("path")
    return v.text()


def read_file(site: CallSite) -> Val:
    q = site.q or site.name
    path = site.arg(None, 0)
    if path is None:
        for kw in FILE_KWARGS:
            if kw in site.kwargs:
                path = site.kwargs[kw]
                break
    return file_label(site, _path_of(path) or "", site.dotted or q)


def open_file(site: CallSite) -> Val:
    mode = site.arg("mode", 1)
    m = mode.text() if mode is not None else "r"
    if m is None or any(c in m for c in "wax+"):
        return CLEAN
    return file_label(site, _path_of(site.arg("file", 0)) or "", "open")


def load_dataset(site: CallSite) -> Val:
    builder = site.text("path", 0)
    files = site.arg("data_files")
    if builder in LOCAL_BUILDERS and files is None and site.arg("data_dir") is not None:
        return file_label(site, _path_of(site.arg("data_dir")) or "", site.dotted or "load_dataset")
    if builder in LOCAL_BUILDERS and files is not None:
        path = _path_of(files)
        if path is None and files.keys is not None:  # data_files={"train": "a.csv"}
            texts = [x.text() for _, x in files.keys if x.text()]
            path = texts[0] if texts else None
        if path is None and files.item is not None:
            path = files.item.text()
        if path:
            return file_label(site, path, site.dotted or "load_dataset")
        return CLEAN
    if builder is None:
        return Val(obj=Obj("data.dataset"))
    return Val(frozenset({Label(DATASET, builder, f'{site.dotted or "load_dataset"}("{builder}")',
                                site.line, ("hub", ""))}), None, Obj("data.dataset"))


def public_dataset(site: CallSite) -> Val:
    q = site.q or ""
    name = q.rsplit(".", 1)[-1]
    if q.startswith("flwr_datasets"):
        name = site.text("dataset") or name
    return Val(frozenset({Label(DATASET, name, f"{site.dotted or q}()", site.line,
                                ("library", q))}), None, Obj("data.dataset"))


def make_path(site: CallSite) -> Val:
    texts = [a.text() for a in site.args]
    path = "/".join(t for t in texts if t is not None) if all(t is not None for t in texts) else None
    return Val(obj=obj("path", path=path))


def path_join(site: CallSite) -> Val:
    texts = [a.text() for a in site.args]
    if texts and all(t is not None for t in texts):
        return Val(consts=(_const(posixpath.join(*texts)),))
    return CLEAN


def _const(v):
    from ..flow.values import Const
    return Const(v)


def path_read(site: CallSite) -> Val:
    o = site.recv.obj if site.recv is not None else None
    path = o.get("path") if o is not None else None
    return file_label(site, path or "", f"{site.dotted or 'Path'}")


def path_join_method(site: CallSite) -> Val:
    o = site.recv.obj
    texts = [a.text() for a in site.args]
    base = o.get("path")
    if base is None or not all(t is not None for t in texts):
        return Val(obj=obj("path", path=None))
    return Val(obj=obj("path", path="/".join([base, *texts])))


def path_div(site: CallSite):
    return None


# --- sanitisers ----------------------------------------------------------------------------------
def _sanitized(site: CallSite, label: str, always: bool = False) -> Outcome:
    personal_in = any(lb.kind == PERSONAL for lb in flat(site.content()))
    facts = [("pseudonymisation", {"api": label})] if (always or personal_in) else []
    return Outcome(CLEAN, [], facts)


def redact_named(site: CallSite) -> Outcome | None:
    if not REDACT_RE.match(site.name or ""):
        return None
    recv = site.recv
    if recv is not None and recv.obj is not None and recv.obj.type == "data.anonymizer":
        return _sanitized(site, f"{recv.obj.get('label')}.{site.name}", always=True)
    return _sanitized(site, f"{site.name}()")


def hashing(site: CallSite) -> Outcome:
    return _sanitized(site, site.q or site.name)


def anonymizer(site: CallSite) -> Val:
    return Val(obj=obj("data.anonymizer", label=ANONYMIZERS.get(site.q or "", site.name)))


def anonymize(site: CallSite) -> Outcome | Val:
    o = site.recv.obj
    if site.name in ANONYMIZER_METHODS:
        return _sanitized(site, f"{o.get('label')}.{site.name}", always=True)
    return Val(obj=o)


def scrub(site: CallSite) -> Outcome:
    return _sanitized(site, "scrubadub.clean", always=True)


def drop_columns(site: CallSite) -> Val | None:
    """``df.drop(columns=["email"])`` / ``ds.remove_columns("email")``: file labels remember
    which columns are gone."""
    recv = site.recv
    if recv is None or not any(lb.kind == FILE for lb in recv.labels):
        return None
    arg = site.arg("columns") or site.arg("column_names") or site.arg(None, 0)
    cols: tuple = ()
    if arg is not None:
        if arg.text() is not None:
            cols = (arg.text(),)
        else:
            parts = list(arg.elems or ()) or ([arg.item] if arg.item is not None else [])
            if arg.item is not None and arg.item.consts:
                cols = tuple(c.value for c in arg.item.consts if isinstance(c.value, str))
            else:
                cols = tuple(p.text() for p in parts if p.text() is not None)
    out = set()
    for lb in recv.labels:
        if lb.kind == FILE and not lb.tag:
            path, dropped, nested = lb.data
            lb = Label(FILE, "", lb.origin, lb.line, (path, tuple(dropped) + cols, nested))
        out.add(lb)
    return Val(limit(out), None, recv.obj)


RECORD_DUMPS = {"model_dump", "dict", "json", "model_dump_json", "copy", "model_copy", "_asdict",
                "to_dict"}


def record_dump(site: CallSite) -> Val | None:
    """``ticket.model_dump(exclude={"email"})`` / ``include={...}``: the fields that remain."""
    recv = site.recv
    if recv is None or not recv.labels:
        return None

    def names(kw: str):
        v = site.kwargs.get(kw)
        if v is None:
            return None
        parts = list(v.elems or ())
        if v.item is not None and v.item.consts:
            return {c.value for c in v.item.consts if isinstance(c.value, str)}
        if v.keys is not None:
            return {k for k, _ in v.keys}
        return {p.text() for p in parts if p.text() is not None}

    include, exclude = names("include"), names("exclude")
    if include is None and exclude is None:
        return Val(recv.labels)
    kept = frozenset(lb for lb in recv.labels if lb.kind != PERSONAL
                     or ((include is None or lb.tag in include) and (exclude is None or lb.tag not in exclude)))
    return Val(kept)


def sanitize_all(site: CallSite) -> Val:
    return CLEAN


def contain(lb: Label) -> tuple:
    return (lb,)


MODEL = Model(
    "data",
    calls={
        **{q: passthrough for q in PASSTHROUGH},
        **{q: read_file for q in FILE_READERS},
        **{q: load_dataset for q in ("datasets.load_dataset",)},
        **{q: anonymizer for q in ANONYMIZERS},
        **{q: make_path for q in PATH_CTORS},
        "os.path.join": path_join,
        "scrubadub.clean": scrub,
        "tensorflow_datasets.load": load_dataset,
    },
    prefixes=[("hashlib.", hashing), ("hmac.", hashing),
              *[(p, lambda s: CLEAN) for p in SANITIZE_PREFIXES if p not in ("hashlib.", "hmac.")],
              *[(p, public_dataset) for p in DATASET_PREFIXES]],
    methods={
        "data.anonymizer": {"*": anonymize},
        "path": {"read_text": path_read, "read_bytes": path_read, "open": path_read,
                 "joinpath": path_join_method},
    },
    builtins={"open": open_file},
    reads=[personal_read],
    kinds=[FILE_KIND, PERSONAL_KIND],
    any_methods={"drop": drop_columns, "remove_columns": drop_columns,
                 **{m: record_dump for m in RECORD_DUMPS}},
    named=[(REDACT_RE, redact_named)],
)
