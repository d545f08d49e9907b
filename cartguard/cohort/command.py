"""``cartguard cohort PATH``: the seed study's analysis, reproduced from FHIR data with one command.

Only click is imported here; the pipeline, scipy and matplotlib are imported when the command runs,
so ``cartguard --help`` stays fast. Registered on the main group by ``cartguard.cli``.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from cartguard.cli_errors import exit_on_error, fail

DIC_HELP = ("DIC scale: maximum score, and DIC = its positive verdict. The seed study most likely used the Chinese "
            "DIC Scoring System, dic.cdss2017 (it needs the site setting --param cdss.ddimer_type=FEU|DDU, and "
            "bleeding/shock/organ failure recorded as Conditions or "
            "--param cdss.unrecorded_clinical_items_unknown=false).")


def _overrides(values: tuple[str, ...]) -> dict[str, Any]:
    import yaml

    out: dict[str, Any] = {}
    for item in values:
        name, sep, raw = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"expected NAME=VALUE, got {item!r}", param_hint="--param")
        try:
            out[name.strip()] = yaml.safe_load(raw) if raw.strip() else None
        except yaml.YAMLError:
            raise click.BadParameter(f"{name}: cannot read the value {raw!r}", param_hint="--param") from None
    return out


def _write(what: str, path: str, write: Any) -> None:
    from pathlib import Path

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    write(target)
    click.echo(f"cartguard cohort: wrote {what} to {target}", err=True)


@click.command()
@click.argument("path", type=click.Path())
@click.option("--crs-scale", default="crs.astct2019", show_default=True,
              help="CRS scale whose maximum grade is reported (the seed study's scale is not named).")
@click.option("--dic-scale", default="dic.isth2001", show_default=True, help=DIC_HELP)
@click.option("--icans-scale", default="icans.astct2019", show_default=True, help="ICANS scale.")
@click.option("--param", "param_values", multiple=True, metavar="NAME=VALUE",
              help="Set a pack parameter for this run (value read as YAML: 6, false, FEU); repeatable. "
                   "Recorded as 'override by cartguard cohort --param'.")
@click.option("--coag-ddimer-type", type=click.Choice(["FEU", "DDU"]), default=None,
              help="Apply the coagulopathy definition's D-dimer > 5 mg/L criterion to D-dimers of this type "
                   "(the source does not state it; default: the D-dimer criterion is off).")
@click.option("--every-hours", default=24.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              help="Spacing of each patient's time points (hours).")
@click.option("--window-days", default=30, show_default=True, type=click.IntRange(min=1),
              help="Follow each patient from day 0 to this many days later (or the end of the data).")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), help="Write one row per patient as CSV.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Write rows and summary as JSON.")
@click.option("--figure", "figure_path", type=click.Path(dir_okay=False),
              help="Write the figure of maximum DIC score by maximum CRS grade (PNG).")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1),
              help="Worker processes (each with its own rule engine); rows are sorted by patient either way.")
@click.option("--progress/--no-progress", default=None,
              help="Show the progress bar on stderr (default: only when stderr is a terminal).")
def cohort(path: str, crs_scale: str, dic_scale: str, icans_scale: str, param_values: tuple[str, ...],
           coag_ddimer_type: str | None, every_hours: float, window_days: int, csv_path: str | None,
           json_path: str | None, figure_path: str | None, workers: int, progress: bool | None) -> None:
    """Many patients (a folder of Bundles, or NDJSON) as one row each and a summary table in the form of the
    seed study: CRS grade distribution, grade 3-4, coagulopathy, DIC and recovery with confidence intervals,
    and the rank correlation of maximum CRS grade with maximum DIC score (docs/cohort.md)."""
    from pydantic import ValidationError

    from cartguard.cohort.export import write_csv, write_json
    from cartguard.cohort.params import CoagulopathyDefinition, CohortParams
    from cartguard.cohort.run import run_cohort
    from cartguard.cohort.summary import summarize_cohort
    from cartguard.cohort.text import to_text

    try:
        import matplotlib  # noqa: F401
        import scipy.stats  # noqa: F401
    except ImportError as exc:
        fail(f"the cohort analysis needs its extra: pip install 'cartguard[analysis]' ({exc})")
    with exit_on_error():
        try:
            overrides = _overrides(param_values)
            coagulopathy = CoagulopathyDefinition.model_validate({"d_dimer_type": coag_ddimer_type})
            params = CohortParams(crs_scale=crs_scale, dic_scale=dic_scale, icans_scale=icans_scale,
                                  every_hours=every_hours, window_days=window_days, coagulopathy=coagulopathy)
            show = progress if progress is not None else sys.stderr.isatty()
            run = run_cohort(path, params, overrides=overrides, workers=workers, progress=show)
            if not run.rows:
                fail("no patient found in the input (no resource with a subject)")
            summary = summarize_cohort(run.rows, run.scales, params, input_warnings=len(run.warnings))
            click.echo(to_text(summary))
            if csv_path:
                _write("CSV", csv_path, lambda p: write_csv(run.rows, p))
            if json_path:
                _write("JSON", json_path,
                       lambda p: write_json(run.rows, summary, p, overrides=run.overrides, warnings=run.warnings))
            if figure_path:
                from cartguard.cohort.figure import dic_by_crs_figure, save_figure

                _write("figure", figure_path, lambda p: save_figure(dic_by_crs_figure(run.rows, summary), p))
        except ValidationError as exc:
            err = exc.errors()[0]
            fail(f"{'.'.join(str(x) for x in err['loc'])}: {err['msg']}")
