"""AIP505 archive-extraction-unchecked. Docs live in rules/AIP505.toml.

How the check works: an ast rule. A tar archive is a name bound to ``tarfile.open(...)`` (an
assignment or ``with ... as``), a ``tarfile.open(...)`` called in place, or, in a file that imports
``tarfile``, a receiver whose name says it is one (``tar``, ``tar_ref``, ``tarball``). Its
``extractall(...)`` / ``extract(...)`` without ``filter=`` is reported; ``filter="data"`` or
``"tar"`` (or any non-literal filter: a callable of the project's own) is the mitigation. A
module that sets ``tarfile``'s class-wide ``extraction_filter``, or checks member paths itself
(it lists the members, ``getmembers()``/``getnames()``, and compares resolved paths,
``commonpath``/``commonprefix``/``is_relative_to``/``realpath``/``abspath`` ... ``startswith``),
stays quiet. ``shutil.unpack_archive`` without ``filter=`` is reported unless the archive is a
zip (a literal ``.zip`` name, a path joined from a folder and such a name, or
``format="zip"``).

``zipfile`` is not reported: CPython's ``ZipFile.extract``/``extractall`` drop absolute paths
and ``..`` components, so the traversal this rule is about cannot happen there.
"""

from __future__ import annotations

import ast
import re

from ._ast_base import AstRule
from ...findings import Severity
from ...models.artefacts import SAFE_TAR_FILTERS, TAR_OPEN, UNPACK_ARCHIVE

TAR_NAME = re.compile(r"(?i)(^|_)(tar|tarball|tarf|tar_?file|tar_?ref|tar_?obj|tgz)(_|$|\d)")
PATH_CHECKS = {"commonpath", "commonprefix", "is_relative_to", "relative_to", "realpath"}
EXTRACT = ("extractall", "extract")


class ArchiveExtractionUnchecked(AstRule):
    rule_id = "AIP505"
    test_code = "skip"  # a test unpacks the archive it made itself
    needs = ("extractall", "extract(", "unpack_archive")

    VALID = [
        "import tarfile\nwith tarfile.open(p) as tar:\n    tar.extractall(d, filter='data')",
        "import zipfile\nwith zipfile.ZipFile(p) as z:\n    z.extractall(d)",
        "import shutil\nshutil.unpack_archive('data.zip', d)",
        "import tarfile, os\ndef safe(tar, d):\n    for m in tar.getmembers():\n"
        "        if os.path.commonpath([d, os.path.realpath(os.path.join(d, m.name))]) != d:\n"
        "            raise ValueError(m.name)\n    tar.extractall(d)",
        "import re\nm = re.match(p, s)\nx = soup.extract()",
    ]
    INVALID = [
        "import tarfile\nwith tarfile.open(p, 'r:gz') as tar:\n    tar.extractall(d)",
        "import tarfile\ntarfile.open(p).extractall(d)",
        "import tarfile\nt = tarfile.open(p)\nfor m in t.getmembers():\n    t.extract(m, d)",
        "import shutil\nshutil.unpack_archive(downloaded, d)",
        "import tarfile\ndef unpack(tar_ref, d):\n    tar_ref.extractall(d)",
    ]

    def __init__(self, runner) -> None:
        super().__init__(runner)
        self._tars: set[str] = set()  # names whose last binding (in source order) is tarfile.open
        self._others: set[str] = set()  # names whose last binding is something else (a ZipFile)
        self._pending: list[tuple[ast.Call, str]] = []
        self._checks_paths = False  # the module compares member paths itself
        self._lists_members = False
        self._global_filter = False
        self._zip_names: set[str] = set()  # names and attributes bound to a '.zip' path

    def _is_tar_open(self, node: ast.expr | None) -> bool:
        return isinstance(node, ast.Call) and self.qualified_name(node.func) in TAR_OPEN

    def _bind(self, name: str, value: ast.expr | None) -> None:
        """The binding of ``name`` the code after it sees: one name may hold a tar archive in one
        branch and a zip archive in the next (``with ZipFile(p) as archive``)."""
        tar = self._is_tar_open(value)
        (self._tars if tar else self._others).add(name)
        (self._others if tar else self._tars).discard(name)

    def visit_withitem(self, node: ast.withitem) -> None:
        if isinstance(node.optional_vars, ast.Name):
            self._bind(node.optional_vars.id, node.context_expr)

    def _zip_path(self, targets: list[ast.expr], value: ast.expr | None) -> None:
        """``self._save_path = out / "download.zip"``: the name holds a zip file's path."""
        if value is None:
            return
        texts = [s.value.lower() for s in ast.walk(value)
                 if isinstance(s, ast.Constant) and isinstance(s.value, str)]
        if (any(t.endswith(".zip") for t in texts) and not any(
                t.endswith((".tar", ".gz", ".tgz", ".bz2", ".xz")) for t in texts)) \
                or self._joins_zip_name(value):
            for t in targets:
                name = self.dotted_name(t)
                if name:
                    self._zip_names.add(name)

    def _joins_zip_name(self, value: ast.expr) -> bool:
        """``os.path.join(data_dir, file_name)`` or ``out / file_name`` whose last component is a
        name already bound to a zip file's name: the joined path names the same zip file."""
        last = None
        if isinstance(value, ast.Call) and value.args and self.qualified_name(value.func) in (
                "os.path.join", "posixpath.join", "ntpath.join"):
            last = value.args[-1]
        elif isinstance(value, ast.BinOp) and isinstance(value.op, ast.Div):
            last = value.right
        name = self.dotted_name(last) if last is not None else None
        return name is not None and name in self._zip_names

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._zip_path([node.target], node.value)

    def visit_Assign(self, node: ast.Assign) -> None:
        self._zip_path(node.targets, node.value)
        for target in node.targets:
            if isinstance(target, ast.Name):
                self._bind(target.id, node.value)
            elif isinstance(target, ast.Attribute) and target.attr == "extraction_filter":
                self._global_filter = True

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        qual = self.qualified_name(func)
        if qual in UNPACK_ARCHIVE:
            if self.kwarg(node, "filter") is None and not self._zip(node):
                self._pending.append((node, "shutil.unpack_archive"))
            return
        if not isinstance(func, ast.Attribute):
            return
        attr = func.attr
        if attr in ("getmembers", "getnames", "getmember"):
            self._lists_members = True
        elif attr in PATH_CHECKS or (attr == "startswith" and self._lists_members):
            self._checks_paths = True
        if attr not in EXTRACT:
            return
        recv = func.value
        if not (self._is_tar_open(recv) or (isinstance(recv, ast.Name) and (
                recv.id in self._tars or (recv.id not in self._others and TAR_NAME.search(recv.id)
                                          and self.is_imported("tarfile"))))):
            return
        kw = self.kwarg(node, "filter")
        if kw is not None:
            ok, value = self.literal(kw.value)
            if not ok or value in SAFE_TAR_FILTERS:
                return
        self._pending.append((node, f"{attr}()"))

    def _zip(self, node: ast.Call) -> bool:
        fmt = self.kwarg(node, "format")
        if fmt is not None:
            return self.literal(fmt.value) == (True, "zip")
        if node.args:
            ok, value = self.literal(node.args[0])
            if ok and isinstance(value, str):
                return value.lower().endswith(".zip")
            name = self.dotted_name(node.args[0])
            return name is not None and name in self._zip_names
        return False

    def leave_Module(self, node: ast.Module) -> None:
        if self._global_filter:
            return
        for call, what in self._pending:
            if self._checks_paths and what != "shutil.unpack_archive":
                continue
            if what == "shutil.unpack_archive":
                msg = ("shutil.unpack_archive extracts a tar archive without an extraction filter: "
                       "a member named '../...' or an absolute path or link writes outside the "
                       "target folder; pass filter='data' (Python 3.12+) or check the members")
            else:
                msg = (f"tarfile {what} without filter='data': a poisoned dataset or model "
                       "archive can write outside the target folder (members named '../...', "
                       "absolute paths, links); pass filter='data' (Python 3.12+, backported to "
                       "3.8+ security releases) or check every member's path first")
            self.report(call, msg, severity=Severity.MEDIUM)
