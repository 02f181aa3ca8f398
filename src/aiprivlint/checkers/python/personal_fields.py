"""AIP102 personal-data-field, in code that defines dataset schemas. Docs: rules/AIP102.toml.

How the check works: field names are taken only from places that define or select the columns
of a dataset, and classified with :func:`aiprivlint.pii.fields.classify_field`:

- ``datasets.Features({...})`` keys (nested dicts too);
- pandas / polars column arguments: ``pd.DataFrame(columns=[...])``, ``read_csv(usecols=...,
  names=..., dtype={...})``, ``.astype({...})``, ``.rename(columns={old: new})`` (the new
  names), HF ``select_columns([...])``, Spark/polars ``.select("a", "b")`` in files that import
  them;
- list selections ``df[["age", "email"]]`` and ``df.loc[:, [...]]``;
- lists of column names bound to a feature-like name (``FEATURES = [...]``,
  ``feature_cols = (...)``, ``categorical_columns = [...]``);
- fields of record classes: ``@dataclass`` / attrs classes, pydantic ``BaseModel``,
  ``TypedDict`` and ``NamedTuple`` subclasses (not configuration classes: ``*Config``,
  ``*Args``, ``*Settings``...).

Column removals (``drop``, ``remove_columns``) are a mitigation and never reported. Names that
only resemble personal data (``emailed_at``, ``phone_model``, ``server_ip``) are not classified;
``name`` and ``address`` alone are too ambiguous to report from a name. GDPR Art. 9 special
categories are reported at high severity.
"""

from __future__ import annotations

import ast
import re

from ._lazy import cst

from . import CodeRule, literal_value
from ...findings import Severity

_FEATURE_LIST = re.compile(
    r"(?i)^_?(?:[a-z0-9]+_)*(?:features?|feats?|columns?|cols?|fields?|attributes?|attrs?|"
    r"predictors?|inputs?|keep|selected|schema|header|headers)(?:_(?:list|names?|cols?|columns?|to_use|used|keep))?$"
)
_COLUMN_KWARGS = frozenset({"columns", "usecols", "names", "column_names", "subset", "index_col",
                            "on", "by", "id_vars", "value_vars", "features", "feature_names"})
_DICT_KEY_KWARGS = frozenset({"dtype", "dtypes", "converters", "schema", "schema_overrides"})
_TABLE_CALLS = ("pandas.", "polars.", "pyspark.", "datasets.", "dask.dataframe.", "modin.pandas.",
                "cudf.")
_CONFIG_CLASS = re.compile(r"(?:Config|Configuration|Args|Arguments|Settings|Options|Params|"
                           r"Parameters|Hparams|HParams|Hyperparameters|Env|Environment|Cli)$")
_RECORD_BASES = frozenset({"BaseModel", "TypedDict", "NamedTuple", "SQLModel", "Document",
                           "pydantic.BaseModel", "typing.TypedDict", "typing.NamedTuple",
                           "typing_extensions.TypedDict"})
# classes whose list attributes configure a user interface, not a dataset (Django's ModelAdmin:
# list_display, search_fields, list_filter; forms)
_UI_HEADS = ("django.contrib.admin", "django.forms", "wagtail", "flask_admin", "sqladmin")
_UI_SUFFIXES = ("Admin", "ModelAdmin", "Inline", "TabularInline", "StackedInline", "ModelForm",
                "Form", "ModelView")
_PROSE = re.compile(r"[.!?:;]\s|[?!]$")
_RECORD_DECORATORS = frozenset({"dataclass", "dataclasses.dataclass", "attr.s", "attrs.define",
                                "attr.define", "define", "frozen", "attrs.frozen",
                                "pydantic.dataclasses.dataclass"})


def _strings_of(node: cst.CSTNode) -> list[tuple[cst.CSTNode, str]]:
    out = []
    if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        for el in node.elements:
            ok, v = literal_value(el.value)
            if ok and isinstance(v, str):
                out.append((el.value, v))
    else:
        ok, v = literal_value(node)
        if ok and isinstance(v, str):
            out.append((node, v))
    return out


def _dict_keys(node: cst.CSTNode, depth: int = 0) -> list[tuple[cst.CSTNode, str]]:
    out = []
    if isinstance(node, cst.Dict) and depth < 4:
        for el in node.elements:
            if isinstance(el, cst.DictElement):
                ok, k = literal_value(el.key)
                if ok and isinstance(k, str):
                    out.append((el.key, k))
                out.extend(_dict_keys(el.value, depth + 1))
    return out


class PersonalDataField(CodeRule):
    rule_id = "AIP102"
    # a unit test's columns are those of a dummy frame it builds; the schema it tests is in the
    # code under test (test-code = "check" reports them too)
    test_code = "skip"
    needs = ("Features", "DataFrame", "read_", "columns", "[[", "dataclass", "BaseModel",
             "TypedDict", "NamedTuple", "select", "FEATURE", "feature", "COLUMNS", "cols", "attrs",
             "astype", "rename")

    VALID = [
        'import pandas as pd\ndf = pd.read_csv("x.csv", usecols=["emailed_at", "phone_model"])',
        # the admin's search box, not a dataset
        'from django.contrib import admin\nclass UserAdmin(admin.ModelAdmin):\n'
        '    search_fields = ["email", "phone_number"]',
        # example strings (titles), not column names
        'TITLES = ["Fine-tuning BERT for spam detection in emails", "Phone number extraction: a guide"]',
        'feature_cols = ["Detecting spam in e-mails with BERT", "Where is my refund?"]',
        'import pandas as pd\ndf = df.drop(columns=["email", "phone"])',
        'FEATURES = ["age", "tenure", "plan"]',
        'from dataclasses import dataclass\n@dataclass\nclass TrainingConfig:\n    email: str = ""',
        'X = df[["name", "address"]]',
        'x = cfg["email"]',
    ]
    INVALID = [
        'import pandas as pd\ndf = pd.read_csv("x.csv", usecols=["user_email", "age"])',
        'X = df[["age", "zip_code", "religion"]]',
        'from datasets import Features, Value\nf = Features({"text": Value("string"), "diagnosis": Value("string")})',
        'from dataclasses import dataclass\n@dataclass\nclass Patient:\n    date_of_birth: str\n    diagnosis: str',
        'from pydantic import BaseModel\nclass Customer(BaseModel):\n    phone_number: str',
        'feature_cols = ["age", "ethnicity", "income"]',
    ]

    @classmethod
    def gate(cls, summary) -> bool:
        """A name _classify reports: an annotated field of a class that may be a record class,
        or a string constant where the rule reads column names (an element of a list, tuple or
        set, a dict key, a column argument)."""
        if not summary.names.isdisjoint(_record_markers()) and any(
                _personal_fields(_class_fields(summary.tree))):
            return True
        found = _personal_fields(summary.strings)
        return bool(found) and _column_string(summary.tree, found)

    def __init__(self, runner) -> None:
        super().__init__(runner)
        self._seen: set[tuple[int, str]] = set()
        self._ui_classes: list[bool] = []  # per enclosing class: a Django admin or form class?

    # --- calls -----------------------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        qname = self.qualified_name(node.func) or ""
        func = node.func
        attr = func.attr.value if isinstance(func, cst.Attribute) else (
            func.value if isinstance(func, cst.Name) else "")
        if qname in ("datasets.Features", "datasets.features.Features") or (
                attr == "Features" and self.is_imported("datasets")):
            if node.args:
                for key_node, key in _dict_keys(node.args[0].value):
                    self._classify(key_node, key, "dataset feature")
            return
        if attr in ("drop", "remove_columns", "drop_duplicates", "dropna", "pop"):
            return
        table_call = qname.startswith(_TABLE_CALLS)
        if table_call or self._frame_method(attr):
            for arg in node.args:
                if arg.keyword is None:
                    continue
                kw = arg.keyword.value
                if kw in _COLUMN_KWARGS:
                    if kw == "columns" and isinstance(arg.value, cst.Dict):  # rename(columns={old: new})
                        for el in arg.value.elements:
                            if isinstance(el, cst.DictElement):
                                for n, v in _strings_of(el.value):
                                    self._classify(n, v, "column")
                        continue
                    for n, v in _strings_of(arg.value):
                        self._classify(n, v, "column")
                elif kw in _DICT_KEY_KWARGS:
                    for n, v in _dict_keys(arg.value):
                        self._classify(n, v, "column")
        if attr == "astype" and node.args and isinstance(node.args[0].value, cst.Dict):
            for n, v in _dict_keys(node.args[0].value):
                self._classify(n, v, "column")
        elif attr == "select_columns" and node.args:
            for n, v in _strings_of(node.args[0].value):
                self._classify(n, v, "column")
        elif attr == "select" and (self.is_imported("pyspark") or self.is_imported("polars")):
            for arg in node.args:
                if arg.keyword is None:
                    for n, v in _strings_of(arg.value):
                        if re.fullmatch(r"\w+", v):
                            self._classify(n, v, "column")

    @staticmethod
    def _frame_method(attr: str) -> bool:
        return attr in ("DataFrame", "read_csv", "read_table", "read_parquet", "read_excel",
                        "read_json", "read_sql", "rename", "pivot_table", "melt", "set_index",
                        "from_records", "from_dict", "createDataFrame")

    # --- selections and feature lists --------------------------------------------------------
    def visit_Subscript(self, node: cst.Subscript) -> None:
        for el in node.slice:
            if isinstance(el.slice, cst.Index) and isinstance(el.slice.value, cst.List):
                strings = _strings_of(el.slice.value)
                if strings and len(strings) == len(el.slice.value.elements):
                    for n, v in strings:
                        self._classify(n, v, "selected column")

    def visit_Assign(self, node: cst.Assign) -> None:
        if not isinstance(node.value, (cst.List, cst.Tuple)):
            return
        if self._ui_classes and self._ui_classes[-1]:
            return  # list_display / search_fields of an admin or form class: a UI, not a dataset
        for t in node.targets:
            name = self.dotted_name(t.target)
            if name and _FEATURE_LIST.match(name.split(".")[-1]):
                strings = _strings_of(node.value)
                if len(strings) >= 2 and len(strings) == len(node.value.elements):
                    for n, v in strings:
                        self._classify(n, v, "feature")

    # --- record classes ----------------------------------------------------------------------
    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self._ui_classes.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        bases = [self.qualified_name(b.value) or self.dotted_name(b.value) or "" for b in node.bases]
        self._ui_classes.append(any(b.startswith(_UI_HEADS) or b.rsplit(".", 1)[-1].endswith(
            _UI_SUFFIXES) for b in bases))
        if _CONFIG_CLASS.search(node.name.value):
            return
        record = False
        for d in node.decorators:
            target = d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator
            name = self.qualified_name(target) or self.dotted_name(target) or ""
            if name in _RECORD_DECORATORS or name.split(".")[-1] == "dataclass":
                record = True
        for base in node.bases:
            name = self.qualified_name(base.value) or self.dotted_name(base.value) or ""
            if name in _RECORD_BASES or name.split(".")[-1] in _RECORD_BASES:
                record = True
        if not record:
            return
        body = node.body.body if isinstance(node.body, cst.IndentedBlock) else []
        for stmt in body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                        self._classify(small.target, small.target.value, f"field of {node.name.value}")

    # --- report --------------------------------------------------------------------------------
    def _classify(self, node: cst.CSTNode, name: str, where: str) -> None:
        from ...pii.fields import classify_field

        if not name or len(name) > 80 or _PROSE.search(name) or len(name.split()) > 4:
            return  # a title, a sentence, an example string: not a column name
        fc = classify_field(name)
        if fc is None or fc.ambiguous:
            return
        key = (id(node), name)
        if key in self._seen:
            return
        self._seen.add(key)
        special = ", special category" if fc.special else ""
        self.report(node, f"{where[0].upper()}{where[1:]} '{name}' denotes personal data "
                          f"({fc.category}{special}): {fc.reason}",
                    details={"field": name, "category": fc.category, "special": fc.special,
                             "label": fc.label, "reason": fc.reason},
                    severity=Severity.HIGH if fc.special else None)
        self.fact("personal-data", node, entity=fc.entity, field=name, source="AIP102",
                  category=fc.category, special=fc.special)


# --- the ast gate --------------------------------------------------------------------------------
_MARKERS: list[frozenset[str]] = []


def _record_markers() -> frozenset[str]:
    """Names one of which a file that has a record class mentions: the last part of a record
    decorator or base is written, or is the name an import brings in (an alias resolves to it)."""
    if not _MARKERS:
        _MARKERS.append(frozenset(n.split(".")[-1] for n in (*_RECORD_DECORATORS, *_RECORD_BASES))
                        | {"dataclass"})
    return _MARKERS[0]


def _personal_fields(candidates) -> set[str]:
    """The names among ``candidates`` that _classify reports on. classify_field reports a name
    whose words() hold a phrase of its vocabulary that is not ambiguous; the words of names
    joined by NULs are the union of their words, so one split finds the phrases that may occur,
    and only names holding such a phrase's longest word are classified."""
    from ...pii import fields

    cands = [c for c in candidates if c and len(c) <= 80]
    if not cands:
        return set()
    ascii_text = "\x00".join(c for c in cands if c.isascii())
    # words() without its Unicode folding, which changes no ASCII text
    ws = set(fields._SPLIT.split(fields._CAMEL.sub(" ", ascii_text).lower()))
    for c in cands:
        if not c.isascii():
            ws.update(fields.words(c))
    phrases = _phrases(fields)
    needles = {longest for head in ws.intersection(phrases)
               for rest, longest in phrases[head] if ws.issuperset(rest)}
    if not needles:
        return set()
    out = set()
    for c in cands:
        low = c.lower() if c.isascii() else " ".join(fields.words(c))
        if any(n in low for n in needles):
            fc = fields.classify_field(c)
            if fc is not None and not fc.ambiguous:
                out.add(c)
    return out


_PHRASES: dict[str, list[tuple[tuple[str, ...], str]]] = {}


def _phrases(fields) -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """First word -> (the other words, the longest word) of each phrase classify_field may
    report (a phrase whose every entry is ambiguous never is)."""
    if not _PHRASES:
        for key, entries in fields._INDEX.items():
            if any("ambiguous" not in e[5] for e in entries):
                _PHRASES.setdefault(key[0], []).append((key[1:], max(key, key=len)))
    return _PHRASES


_COMPOUND = (ast.FunctionDef, ast.AsyncFunctionDef, ast.If, ast.For, ast.AsyncFor, ast.While,
             ast.With, ast.AsyncWith, ast.Try, ast.Match) + (
    (ast.TryStar,) if hasattr(ast, "TryStar") else ())


def _class_fields(tree: ast.Module) -> list[str]:
    """Annotated names in the bodies of classes that may be record classes (visit_ClassDef)."""
    out: list[str] = []
    stack: list[ast.stmt] = list(tree.body)
    while stack:
        st = stack.pop()
        t = type(st)
        if t is ast.ClassDef:
            if not _CONFIG_CLASS.search(st.name) and (
                    any(_dotted(d.func if type(d) is ast.Call else d) for d in st.decorator_list)
                    or any(_dotted(b.value if type(b) is ast.Starred else b) for b in st.bases)):
                out.extend(x.target.id for x in st.body
                           if type(x) is ast.AnnAssign and type(x.target) is ast.Name)
            stack.extend(st.body)
        elif t in _COMPOUND:
            if t is ast.Match:
                for c in st.cases:
                    stack.extend(c.body)
                continue
            stack.extend(st.body)
            stack.extend(getattr(st, "orelse", ()))
            stack.extend(getattr(st, "finalbody", ()))
            for h in getattr(st, "handlers", ()):
                stack.extend(h.body)
    return out


def _dotted(node: ast.AST) -> bool:
    while type(node) is ast.Attribute:
        node = node.value
    return type(node) is ast.Name


def _column_string(tree: ast.Module, found: set[str]) -> bool:
    """Whether one of the string constants ``found`` sits where the rule reads column names: an
    element of a list, tuple or set (selections, feature lists, column arguments), a dict key
    (Features, dtype=, astype), a value of a ``columns=`` dict (rename), a column keyword's value,
    or an argument of ``select``/``select_columns``."""

    def hit(node: ast.AST | None) -> bool:
        if type(node) is ast.Starred:
            node = node.value
        return type(node) is ast.Constant and node.value in found

    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        t = type(node)
        if t is ast.List or t is ast.Tuple or t is ast.Set:
            if any(hit(e) for e in node.elts):
                return True
        elif t is ast.Dict:
            if any(hit(k) for k in node.keys):
                return True
        elif t is ast.Call:
            func = node.func
            attr = func.attr if type(func) is ast.Attribute else (
                func.id if type(func) is ast.Name else "")
            for kw in node.keywords:
                if kw.arg in _COLUMN_KWARGS and hit(kw.value):
                    return True
                if kw.arg == "columns" and type(kw.value) is ast.Dict and any(
                        hit(v) for v in kw.value.values):
                    return True
            if attr in ("select", "select_columns") and (
                    any(hit(a) for a in node.args) or any(hit(kw.value) for kw in node.keywords)):
                return True
        for name in node._fields:
            v = getattr(node, name, None)
            if type(v) is list:
                stack.extend(x for x in v if isinstance(x, ast.AST))
            elif isinstance(v, ast.AST):
                stack.append(v)
    return False
