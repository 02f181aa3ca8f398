"""Where the parts of a large data file are scanned, for ``--full``: one pass (one core), local
processes (``--engine local``, the default: ``--jobs`` processes), or a Dask cluster
(``--engine dask``). The choice never changes the findings (:mod:`.partitions`)."""

from __future__ import annotations

from .columns import ColumnScanner
from .partitions import CHUNK_BYTES, plan, run_local


def scan_partitioned(url: str, options: dict) -> tuple[ColumnScanner, int, list] | None:
    """(scanner, rows, header) of a file read in parts, or None: read it in one pass (one core,
    a file of one part, or a part that could not vouch for its range)."""
    engine = options.get("_engine") or "local"
    jobs = int(options.get("_jobs") or 1)
    if engine == "local" and jobs <= 1:
        return None
    chunk = int(options.get("data-chunk-size") or CHUNK_BYTES)
    # the workers scan the parts while the next cuts are looked for
    p = plan(url, chunk, region=options.get("default-region"), lazy=True)
    if p is None:
        return None
    show = bool(options.get("_progress"))
    if engine == "dask" and options.get("_scheduler"):
        from .dask_engine import run_parts

        res = run_parts(p.parts, options["_scheduler"], progress=show)
    else:
        bar = None
        if show:
            import sys

            from ..progress import ByteProgress

            bar = ByteProgress(sys.stderr, p.size, url.rsplit("/", 1)[-1])
        try:
            res = run_local(p.parts, jobs, bar)
        finally:
            if bar is not None:
                bar.close()
    if res.problem is not None or res.scanner is None:
        return None
    return res.scanner, res.rows, p.header
