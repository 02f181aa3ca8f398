"""The Dask engine for ``--full`` scans: the parts of a large data file
(:mod:`aiprivlint.pii.partitions`) are scanned on a Dask cluster and joined by a tree reduction.

Only imported when ``--engine dask`` is asked for (or :func:`aiprivlint.pii.scan_dataframe` is
given a Dask DataFrame); Dask comes with the ``dask`` extra: ``pip install 'aiprivlint[dask]'``.

Without ``--scheduler``, :func:`start_local_cluster` runs a ``LocalCluster`` (worker processes,
one thread each) in a child process of its own, and every process of the scan (the main one, and
the pool workers that read files) connects to it by address. The child stops the cluster when
its standard input closes, so it never outlives the scan.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable

from .partitions import Part, PartResult, combine, scan_part

SPLIT_EVERY = 8  # fan-in of the tree reduction
INSTALL = "pip install 'aiprivlint[dask]'"


class DaskUnavailable(RuntimeError):
    """Dask (or distributed) is not installed."""


def require() -> None:
    try:
        import dask.bag  # noqa: F401
        import distributed  # noqa: F401
    except ImportError:
        raise DaskUnavailable(f"--engine dask needs Dask and distributed; install them with "
                              f"`{INSTALL}`") from None


_CLIENTS: dict[str, object] = {}


def client(address: str):
    """One client per process and scheduler."""
    from distributed import Client

    c = _CLIENTS.get(address)
    if c is None:
        c = _CLIENTS[address] = Client(address, set_as_default=False, timeout="30s")
    return c


def run_parts(parts: Iterable[Part], address: str, progress: bool = False) -> PartResult:
    """The parts scanned on the cluster at ``address`` (one task per part, :func:`scan_part`,
    joined by a tree reduction of :func:`combine`). ``parts`` may be a lazy plan's iterator:
    each part is submitted as soon as its cut is found, so the cluster scans while the cuts are
    looked for. A cluster that fails (a worker killed, the scheduler gone) or a read error while
    finding the cuts gives a ``problem``: the file is then read here in one pass."""
    try:
        c = client(address)
        level = [c.submit(scan_part, p, pure=False) for p in parts]
        while len(level) > 1:
            level = [c.submit(_combine, *level[i:i + SPLIT_EVERY], pure=False)
                     for i in range(0, len(level), SPLIT_EVERY)]
        fut = level[0]
        if progress:
            from distributed import progress as dask_progress

            dask_progress(fut)
            sys.stderr.write("\r\033[2K")
        return fut.result()
    except Exception as exc:  # noqa: BLE001 - the file is then scanned in one pass, here
        return PartResult(0, None, 0, 0, f"cluster: {type(exc).__name__}")


def _combine(*results: PartResult) -> PartResult:
    return combine(results)


def _partition(pdf, region, reveal):
    import pandas as pd

    from . import partition_scanner

    return pd.Series([partition_scanner(pdf, region=region, reveal=reveal)], dtype=object)


def _join(*parts):
    """The scanners of consecutive partitions (or of runs of them) joined in order."""
    scanners = [p.iloc[0] if hasattr(p, "iloc") else p for p in parts]
    first = scanners[0]
    for s in scanners[1:]:
        first = first.concat(s)
    return first


def scan_dask_dataframe(ddf, *, region: str | None, reveal: bool, split_every: int = 8):
    """:func:`aiprivlint.pii.scan_dataframe` for a Dask DataFrame, on the current scheduler."""
    import dask
    import pandas as pd

    per = ddf.map_partitions(_partition, region, reveal, meta=pd.Series([], dtype=object))
    level = list(per.to_delayed())
    split_every = max(2, split_every)
    while len(level) > 1:
        level = [dask.delayed(_join)(*level[i:i + split_every])
                 for i in range(0, len(level), split_every)]
    (scanner,) = dask.compute(dask.delayed(_join)(level[0]))
    return scanner.results()


def start_local_cluster(workers: int, threads: int = 1) -> tuple[str, subprocess.Popen]:
    """A LocalCluster of ``workers`` processes in a child process: (scheduler address, the
    child). Close the child's stdin (:func:`stop_local_cluster`) to stop it."""
    proc = subprocess.Popen([sys.executable, "-m", "aiprivlint.pii.dask_engine", str(workers),
                             str(threads)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    address = proc.stdout.readline().strip() if proc.stdout else ""
    if not address.startswith("tcp://"):
        stop_local_cluster(proc)
        raise RuntimeError("the local Dask cluster did not start")
    return address, proc


def stop_local_cluster(proc: subprocess.Popen) -> None:
    for c in list(_CLIENTS.values()):
        try:
            c.close()
        except Exception:  # noqa: BLE001
            pass
    _CLIENTS.clear()
    try:
        if proc.stdin:
            proc.stdin.close()
        proc.wait(timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        proc.kill()
        proc.wait()


def _serve(workers: int, threads: int) -> None:
    import logging

    import dask
    from distributed import LocalCluster

    # Dask's nannies set MALLOC_TRIM_THRESHOLD_ in their workers' environment, which turns off
    # glibc's dynamic mmap threshold: every large temporary array is then mapped and unmapped
    # again (page faults; system time as high as a third of a scan's CPU). The scan's memory is
    # bounded by its parts, so the workers of our own cluster keep glibc's default.
    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}))
    environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    # The workers' statistical profiler samples every thread's stack every 10 ms for the
    # dashboard, which this cluster does not serve: nobody would read it.
    dask.config.set({"distributed.nanny.pre-spawn-environ": environ,
                     "distributed.worker.profile.enabled": False})
    cluster = LocalCluster(n_workers=workers, threads_per_worker=threads, processes=True,
                           dashboard_address=None, silence_logs=logging.ERROR)
    try:
        print(cluster.scheduler_address, flush=True)
        sys.stdin.read()  # until the scan closes it, or ends
    finally:
        cluster.close()


if __name__ == "__main__":
    _serve(int(sys.argv[1]), int(sys.argv[2]))
