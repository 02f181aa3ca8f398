"""--engine dask: the parts of large data files scanned on a Dask LocalCluster (worker
processes: another PYTHONHASHSEED than this one) give the findings and errors of one pass;
scan_dataframe on Dask and Spark frames; a clear error without Dask."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import run_cli
from test_partitions import _config, _key, _people, _scan, _write_dataset

pytest.importorskip("dask.dataframe")
pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    from aiprivlint.pii.dask_engine import start_local_cluster, stop_local_cluster

    address, proc = start_local_cluster(2, 1)
    yield address
    stop_local_cluster(proc)


@pytest.fixture(scope="module")
def bad_dataset(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("dask")
    data = _write_dataset(root, n=800)
    lines = (data / "chats.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(len(lines) // 2, "{not json\n")
    (data / "chats.jsonl").write_text("".join(lines), encoding="utf-8")
    return root


def test_scheduler_gives_the_one_pass_findings_and_errors(bad_dataset, cluster):
    rc1, one = _scan(bad_dataset, "-j", "1")
    assert one["findings"]
    assert any(e["kind"] == "parse" and e["path"].endswith("chats.jsonl") for e in one["errors"])
    rc2, two = _scan(bad_dataset, "-j", "1", "--engine", "dask", "--scheduler", cluster,
                     "--config", str(_config(bad_dataset, 4000)))
    assert (rc2, two["findings"], two["errors"]) == (rc1, one["findings"], one["errors"])


def test_parts_run_on_the_cluster(bad_dataset, cluster):
    from aiprivlint.pii import ColumnScanner
    from aiprivlint.pii.dask_engine import run_parts
    from aiprivlint.pii.partitions import plan
    from aiprivlint.pii.readers import read_csv

    path = bad_dataset / "data" / "people.csv"
    p = plan(str(path), 3000)
    assert len(p.parts) > 8  # more than one level of the tree reduction
    res = run_parts(p.parts, cluster)
    assert res.problem is None
    one = ColumnScanner()
    read_csv(path, one, None)
    assert _key(res.scanner.results()) == _key(one.results())
    bad = plan(str(bad_dataset / "data" / "chats.jsonl"), 3000)
    assert run_parts(bad.parts, cluster).problem == "a line is not JSON"  # not a failed job


def test_own_local_cluster(tmp_path):
    _write_dataset(tmp_path, n=500)
    rc1, one = _scan(tmp_path, "-j", "1")
    rc2, two = _scan(tmp_path, "-j", "2", "--engine", "dask",
                     "--config", str(_config(tmp_path, 5000)))
    assert (rc2, two["findings"], two["errors"]) == (rc1, one["findings"], one["errors"])


def test_scan_dataframe_on_a_dask_frame(tmp_path, cluster):
    import dask.dataframe as dd
    import pandas as pd
    from distributed import Client

    from aiprivlint.pii import scan_dataframe, scan_file

    data = _write_dataset(tmp_path, n=600)
    frame = pd.read_csv(data / "people.csv", dtype=str, keep_default_na=False)
    expected = [k[:7] + k[8:] for k in _key(scan_file(data / "people.csv", max_rows=None))]
    assert expected
    assert [k[:7] + k[8:] for k in _key(scan_dataframe(frame))] == expected  # line: 0 in a frame
    with Client(cluster):
        for n in (1, 5, 23):
            got = scan_dataframe(dd.from_pandas(frame, npartitions=n), split_every=3)
            assert [k[:7] + k[8:] for k in _key(got)] == expected


def test_spark_recipe(tmp_path):
    """The README's mapInPandas recipe, on a local Spark session."""
    pytest.importorskip("pyspark", reason="PySpark is not installed")
    import functools
    import pickle
    import shutil

    import pandas as pd

    from aiprivlint.pii import partition_scanner, scan_dataframe

    if shutil.which("java") is None:
        pytest.skip("Spark needs a Java runtime")
    from pyspark import TaskContext
    from pyspark.sql import SparkSession

    frame = pd.DataFrame(_people(400, 3)).astype(str)
    spark = (SparkSession.builder.master("local[2]").appName("aiprivlint-test")
             .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
             .getOrCreate())
    try:
        sdf = spark.createDataFrame(frame)  # partitions are runs of rows, in order

        def scan(batches):
            scanner = None
            for pdf in batches:
                s = partition_scanner(pdf)
                scanner = s if scanner is None else scanner.concat(s)
            if scanner is not None:
                yield pd.DataFrame({"part": [TaskContext.get().partitionId()],
                                    "scanner": [pickle.dumps(scanner)]})

        rows = sdf.mapInPandas(scan, "part int, scanner binary").collect()
        scanners = [pickle.loads(r.scanner) for r in sorted(rows, key=lambda r: r.part)]
        total = functools.reduce(lambda a, b: a.concat(b), scanners)
        assert len(rows) >= 1
        assert _key(total.results()) == _key(scan_dataframe(frame))
        assert total.results()
    finally:
        spark.stop()


def test_without_dask_a_clear_error(tmp_path):
    shim = tmp_path / "shim" / "dask"
    shim.mkdir(parents=True)
    (shim / "__init__.py").write_text("raise ImportError('no dask here')\n", encoding="utf-8")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.csv").write_text("id\n1\n", encoding="utf-8")
    env = {"PYTHONPATH": os.pathsep.join([str(shim.parent), os.environ.get("PYTHONPATH", "")])}
    proc = run_cli("check", "--full", "--engine", "dask", str(tmp_path / "data"), cwd=tmp_path,
                   env=env)
    assert proc.returncode == 2
    assert "pip install 'aiprivlint[dask]'" in proc.stderr
    assert "Traceback" not in proc.stderr
