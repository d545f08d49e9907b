"""The ``cartguard`` command line (click: small, stable, explicit options)."""

from __future__ import annotations

import sys
from datetime import date, datetime

import click

from cartguard.errors import CartguardError


def _parse_at(value: str | None) -> datetime | None:
    if value is None:
        return None
    from cartguard.fhir_adapters.timeparse import parse_datetime

    parsed = parse_datetime(value)
    if parsed is None:
        raise click.BadParameter(f"expected an ISO-8601 date-time, got {value!r}")
    return parsed


def _parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected YYYY-MM-DD, got {value!r}") from None


@click.group()
@click.version_option(package_name="cartguard")
def main() -> None:
    """cartguard: cited CRS grades, ISTH DIC scores and escalation guidance from FHIR R4 data."""


@main.command()
@click.argument("path", type=click.Path())
@click.option("--at", "at", help="Evaluation time (ISO-8601); default: the latest data time.")
@click.option("--infusion-date", help="Day 0, the first CAR-T infusion (YYYY-MM-DD); default: from the data.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--scales", default=None, help="Assessments to report: comma-separated pack ids, or 'all'.")
def evaluate(path: str, at: str | None, infusion_date: str | None, fmt: str, scales: str | None) -> None:
    """Grade CRS, score DIC and give guidance for every patient in PATH (file or folder)."""
    from cartguard import render
    from cartguard.api import evaluate_path

    try:
        results = evaluate_path(path, at=_parse_at(at), infusion_date=_parse_date(infusion_date), scales=scales)
    except click.BadParameter as exc:
        click.echo(f"cartguard: error: {exc.message}", err=True)
        sys.exit(2)
    except CartguardError as exc:
        click.echo(f"cartguard: error: {exc}", err=True)
        sys.exit(2)
    if not results:
        click.echo("cartguard: error: no patient found in the input (no resource with a subject)", err=True)
        sys.exit(2)
    if fmt == "json":
        sys.stdout.buffer.write(render.to_json(results) + b"\n")
    else:
        click.echo(render.to_text(results))


@main.group(invoke_without_command=True)
@click.pass_context
def packs(ctx: click.Context) -> None:
    """List the loaded rule packs with versions, hashes and the plugin that provided them."""
    if ctx.invoked_subcommand is not None:
        return
    from cartguard.plugins import default_packset

    try:
        ps = default_packset()
    except CartguardError as exc:
        click.echo(f"cartguard: error: {exc}", err=True)
        sys.exit(2)
    for lp in ps.loaded:
        p = lp.pack
        default = "default" if p.default_enabled and p.kind == "assessment" else ""
        click.echo(f"{p.id:<20} {p.version:<8} {p.kind:<12} {default:<8} {lp.sha256[:12]}  {lp.plugin}  {p.title}")


if __name__ == "__main__":  # pragma: no cover
    main()
