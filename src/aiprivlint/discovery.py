"""Which files to scan: the paths given, git-ignore aware, and the kind of each file."""

from __future__ import annotations

import errno
import fnmatch
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .config import DEFAULT_EXCLUDE, Config

DATA_DIRS = {"data", "datasets", "dataset", "corpus", "corpora", "raw", "processed", "samples",
             "testdata", "test_data"}
TABULAR = {".csv", ".tsv", ".jsonl", ".ndjson", ".parquet", ".pq"}
# never text: not even opened for the "other" kind (model weights, media, archives, binaries)
BINARY_EXTENSIONS = frozenset(
    ".png .jpg .jpeg .gif .bmp .tif .tiff .webp .ico .svgz .heic .mp3 .wav .flac .ogg .mp4 .mov "
    ".avi .mkv .webm .pdf .zip .gz .tgz .bz2 .xz .zst .7z .tar .rar .whl .egg .jar .so .dylib .dll "
    ".exe .o .a .pyc .pyd .class .bin .pt .pth .ckpt .safetensors .onnx .pb .h5 .hdf5 .npy .npz "
    ".pkl .pickle .joblib .msgpack .arrow .feather .orc .avro .tfrecord .db .sqlite .sqlite3 "
    ".lance .gguf .ggml .model .woff .woff2 .ttf .otf .eot .xlsx .xls .docx .pptx".split())


@dataclass(frozen=True)
class SourceFile:
    path: Path  # absolute
    rel: str  # as shown to the user: relative to the cwd when below it, '/'-separated
    kinds: frozenset[str]


def file_kinds(rel: str) -> frozenset[str]:
    p = PurePosixPath(rel)
    name = p.name.lower()
    ext = p.suffix.lower()
    kinds: set[str] = set()
    if ext in (".py", ".pyi"):
        kinds.add("python")
    elif ext == ".ipynb":
        kinds.add("notebook")
    elif ext in TABULAR:
        kinds.add("data")
    elif ext == ".json":
        kinds.update(("json", "data"))
    elif ext in (".yaml", ".yml"):
        kinds.add("yaml")
    elif ext == ".toml":
        kinds.add("toml")
    elif ext in (".ini", ".cfg"):
        kinds.add("ini")
    elif ext in (".md", ".markdown"):
        kinds.add("markdown")
    elif ext == ".txt":
        kinds.add("text")
    if name == ".env" or name.startswith(".env.") or name.endswith(".env"):
        kinds.add("env")
    if kinds & {"markdown", "text"} and any(part.lower() in DATA_DIRS for part in p.parts[:-1]):
        kinds.add("data")
    if not kinds and ext not in BINARY_EXTENSIONS:
        kinds.add("other")  # any other text file (scripts, Dockerfiles): AIP105's key shapes
    return frozenset(kinds)


TEST_DIRS = {"tests", "test", "testing", "unittests", "unit_tests", "integration_tests", "e2e"}


def is_test_path(rel: str) -> bool:
    """Test code by the usual conventions: a tests/ or e2e/ folder, test_*.py, *_test.py,
    conftest.py. Folders up to a ``fixtures`` folder do not count (a fixture is a sample project)."""
    p = PurePosixPath(rel.replace("\\", "/").lower())
    if "fixtures" in p.parts[:-1]:
        # a fixture is a sample project, judged as one: only the path below fixtures/ counts
        parts = p.parts
        p = PurePosixPath(*parts[len(parts) - 1 - parts[::-1].index("fixtures"):])
    name = p.name
    if name == "conftest.py" or (name.startswith("test_") and name.endswith((".py", ".ipynb"))) \
            or name.endswith(("_test.py", "_tests.py")):
        return True
    return any(part in TEST_DIRS for part in p.parts[:-1])


def relative_posix(path: Path, base: Path) -> str | None:
    """``path.relative_to(base).as_posix()``, or None when ``path`` is not under ``base``. Both
    are absolute and normalised here, so a string prefix decides (pathlib's relative_to costs
    more than the rest of discovery); what it does not decide (case-insensitive Windows paths)
    goes to pathlib."""
    p, b = str(path), str(base)
    if p == b:
        return "."
    prefix = b if b.endswith(os.sep) else b + os.sep
    if p.startswith(prefix):
        rel = p[len(prefix):]
        return rel if os.sep == "/" else rel.replace(os.sep, "/")
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return None


def display_path(path: Path, cwd: Path) -> str:
    """How a file is named in every output: relative to ``cwd`` when below it, '/'-separated.
    Bytes of a file name that are not UTF-8 (kept by Python as lone surrogates) are shown as
    ``\\xNN`` (Python's backslashreplace): every report stays valid UTF-8, and the name still
    tells which file it is."""
    rel = relative_posix(path, cwd)
    return printable_name(path.as_posix() if rel is None else rel)


def printable_name(text: str) -> str:
    """A file name as shown: undecodable bytes (lone surrogates) as ``\\xNN``."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(text).decode("utf-8", "backslashreplace")
    return text


def named_path_problem(given: str) -> str | None:
    """Why a path the user named cannot be scanned (None when it can): missing, a broken symlink
    or a symlink loop, or not readable."""
    p = Path(given)
    try:
        p.stat()
    except FileNotFoundError:
        return "broken symlink" if p.is_symlink() else "no such file or directory"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink loop"
        return f"cannot read: {exc.strerror or type(exc).__name__}"
    except (RuntimeError, ValueError) as exc:  # a loop pathlib saw; a NUL in the name
        return f"cannot read: {exc}"
    if p.is_dir():
        if not os.access(p, os.R_OK | os.X_OK):
            return "cannot read: permission denied"
    elif not os.access(p, os.R_OK):
        return "cannot read: permission denied"
    return None


# git's warning for a folder it cannot list (`git ls-files --others` goes on without it)
_GIT_UNREADABLE = re.compile(r"warning: could not open directory '(.*)': (.*)$")


class _Patterns:
    """Exclude patterns compiled once: literal folder/file names as a set, globs as one regex,
    patterns with a '/' matched against the whole relative path."""

    def __init__(self, patterns: list[str] | tuple[str, ...]) -> None:
        self.names: set[str] = set()
        globs: list[str] = []
        paths: list[str] = []
        for pat in patterns:
            pat = pat.rstrip("/")
            if "/" in pat:
                paths += [fnmatch.translate(pat), fnmatch.translate(pat + "/*")]
            elif any(c in pat for c in "*?["):
                globs.append(fnmatch.translate(pat))
            else:
                self.names.add(pat)
        self.glob = re.compile("|".join(globs)) if globs else None
        self.path = re.compile("|".join(paths)) if paths else None

    def match(self, rel_to_root: str) -> bool:
        parts = rel_to_root.split("/")
        if self.names and not self.names.isdisjoint(parts):
            return True
        if self.glob is not None and any(self.glob.match(part) for part in parts):
            return True
        return self.path is not None and self.path.match(rel_to_root) is not None


class Discovery:
    def __init__(self, cfg: Config, cwd: Path | None = None) -> None:
        self.cfg = cfg
        self.cwd = (cwd or Path.cwd()).resolve()
        self.errors: list[tuple[str, str]] = []  # (path, message)
        self._default = _Patterns(DEFAULT_EXCLUDE)
        self._user = _Patterns(cfg.exclude) if cfg.exclude else None

    def excluded(self, path: Path) -> bool:
        rel = relative_posix(path, self.cfg.root)
        if rel is None:
            rel = path.as_posix().lstrip("/")
        if self._default.match(rel):
            return True
        return self._user is not None and self._user.match(rel)

    def files(self, paths: list[str]) -> list[SourceFile]:
        out: dict[str, SourceFile] = {}
        for given in paths:
            p = Path(given)
            absolute = Path(os.path.abspath(p))
            problem = named_path_problem(given)
            if problem is not None:  # the CLI stops before (exit 2); an API caller gets an error
                self.errors.append((display_path(absolute, self.cwd), problem))
                continue
            if p.is_dir():
                for f in self._walk(absolute):
                    self._add(out, f, absolute)
            elif p.is_file():
                # taken as given (pre-commit passes staged names), but `exclude` still applies
                if not self.excluded(absolute):
                    self._add(out, absolute, self.cwd if self.cwd in absolute.parents else absolute.parent)
        return [out[k] for k in sorted(out)]

    def _add(self, out: dict[str, SourceFile], path: Path, base: Path) -> None:
        rel = display_path(path, self.cwd)
        # kinds from the path below the scanned folder, with the folder's own name (`check data`
        # names a data folder as much as `check .` one level up does); folders above it (a
        # checkout under /data/...) say nothing about what this file is
        kinds = file_kinds(display_path(path, base.parent))
        if kinds:
            known = out.get(rel)
            if known is not None and known.path != path:  # two byte names shown alike
                self.errors.append((rel, "another file has the same displayed name; skipped"))
                return
            out[rel] = SourceFile(path, rel, kinds)

    def _walk(self, root: Path) -> list[Path]:
        listed = self._git_files(root)
        if listed is not None:
            result = []
            for f in listed:
                if self.excluded(f):
                    continue
                if f.is_symlink() and not f.exists():
                    self.errors.append((display_path(f, self.cwd), "broken symlink"))
                elif f.is_file():
                    result.append(f)
            return result
        result = []

        def unreadable(exc: OSError) -> None:
            where = Path(exc.filename) if exc.filename else root
            self.errors.append((display_path(where, self.cwd),
                                f"cannot read folder: {exc.strerror or type(exc).__name__}"))

        for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable):
            d = Path(dirpath)
            dirnames[:] = sorted(n for n in dirnames if not self.excluded(d / n))
            for name in sorted(filenames):
                f = d / name
                if self.excluded(f):
                    continue
                if f.is_symlink() and not f.exists():
                    self.errors.append((display_path(f, self.cwd), "broken symlink"))
                elif f.is_file():
                    result.append(f)
        return result

    def _git_files(self, root: Path) -> list[Path] | None:
        """Tracked and untracked-but-not-ignored files under root, when root is in a git work tree.
        A folder git could not open (it warns and goes on) is an ``errors`` entry."""
        try:
            proc = subprocess.run(
                ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others",
                 "--exclude-standard", "--full-name", "."],
                capture_output=True, timeout=60, check=False,
                env={**os.environ, "LC_ALL": "C"},  # untranslated warnings (_GIT_UNREADABLE)
            )
            top = subprocess.run(["git", "-C", str(root), "rev-parse", "--show-toplevel"],
                                 capture_output=True, timeout=30, check=False, text=True)
        except (OSError, subprocess.TimeoutExpired):
            return None
        if proc.returncode != 0 or top.returncode != 0:
            return None
        base = Path(top.stdout.strip())
        for line in proc.stderr.decode("utf-8", "surrogateescape").splitlines():
            m = _GIT_UNREADABLE.match(line)
            if m:
                folder = Path(os.path.abspath(base / m.group(1)))  # git names it from the top
                self.errors.append((display_path(folder, self.cwd), f"cannot read folder: {m.group(2)}"))
        names = sorted({n for n in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if n})
        return [base / n for n in names]
