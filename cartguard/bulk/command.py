"""``cartguard bulk``: the click command over :func:`cartguard.bulk.run_bulk` (only click imported up front).

Runnable on its own as ``python -m cartguard.bulk.command EXPORT_DIR --out RESULTS``.
"""

from __future__ import annotations

import sys

import click


@click.command()
@click.argument("export_dir", type=click.Path(file_okay=False))
@click.option("--out", "out", required=True, type=click.Path(file_okay=False),
              help="Results folder: results.ndjson (one line per patient), results.parquet, warnings.ndjson, "
                   "summary.json. Run the same command again to resume a killed run.")
@click.option("--job", type=click.Choice(["latest", "trajectory"]), default="latest", show_default=True,
              help="latest: every assessment and the guidance at the latest data time (as 'cartguard evaluate'); "
                   "trajectory: the course with onset, peak and duration per scale (as 'cartguard timeline').")
@click.option("--at", "at",
              help="latest: evaluation time for every patient (ISO-8601); default: each one's latest data.")
@click.option("--every-hours", default=24.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              help="trajectory: spacing of the time points (hours).")
@click.option("--scales", default=None, envvar="CARTGUARD_SCALES", show_envvar=True,
              help="Assessments to report: comma-separated pack ids, or 'all'. Default: the default scales.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Local worker processes (default: one per CPU; 1 runs in this process).")
@click.option("--scheduler", default=None, metavar="tcp://HOST:PORT",
              help="Run on this Dask scheduler's cluster instead (the export and work dir on a shared filesystem).")
@click.option("--work-dir", type=click.Path(file_okay=False), default=None,
              help="Where phase 1 spills the partitioned export (default: RESULTS/.cartguard-bulk); "
                   "removed at the end.")
@click.option("--memory-mb", type=click.IntRange(min=16), default=128, show_default=True,
              help="Memory one worker may use for one bucket of patients (the export's size does not matter).")
@click.option("--restart", is_flag=True, help="Discard an earlier run in RESULTS instead of resuming it.")
@click.option("--parquet/--no-parquet", default=True, show_default=True, help="Also write results.parquet.")
@click.option("--progress/--no-progress", default=None, help="Progress bars on stderr (default: on a terminal).")
@click.option("--chunk-mb", type=click.FloatRange(min=0, min_open=True), default=64.0, hidden=True)
def bulk(export_dir: str, out: str, job: str, at: str | None, every_hours: float, scales: str | None,
         workers: int | None, scheduler: str | None, work_dir: str | None, memory_mb: int, restart: bool,
         parquet: bool, progress: bool | None, chunk_mb: float) -> None:
    """Evaluate every patient of a FHIR Bulk Data export (NDJSON per resource type) in EXPORT_DIR (docs/bulk.md)."""
    from cartguard.bulk.jobs import BulkJob, LatestJob, TrajectoryJob
    from cartguard.bulk.run import run_bulk
    from cartguard.errors import CartguardError
    from cartguard.fhir_adapters.timeparse import parse_datetime

    try:
        chosen: BulkJob
        if job == "trajectory":
            chosen = TrajectoryJob(every_hours=every_hours, scales=scales)
        else:
            when = parse_datetime(at) if at else None
            if at and when is None:
                raise click.BadParameter(f"expected an ISO-8601 date-time, got {at!r}", param_hint="--at")
            chosen = LatestJob(at=when, scales=scales)
        summary = run_bulk(export_dir, out, job=chosen, workers=workers, scheduler=scheduler, work_dir=work_dir,
                           memory_mb=memory_mb, restart=restart, progress=progress, parquet=parquet,
                           chunk_mb=chunk_mb)
    except CartguardError as exc:
        click.echo(f"cartguard: error: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("cartguard: interrupted; run the same command again to resume where it stopped", err=True)
        sys.exit(130)
    click.echo(summary.to_text(), err=True)


if __name__ == "__main__":  # pragma: no cover
    bulk()
