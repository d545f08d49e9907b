"""The ``cartguard`` command line (click: small, stable, explicit options)."""

from __future__ import annotations

import sys
from datetime import date, datetime

import click

from cartguard.cli_errors import exit_on_error, fail
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
@click.option("--format", "fmt", type=click.Choice(["text", "json", "fhir", "cards"]), default="text",
              show_default=True, help="text: for a reader; json: the result contract; fhir: a FHIR R4 Bundle "
              "(Observation, RiskAssessment, DetectedIssue, GuidanceResponse, RequestGroup); cards: CDS Hooks cards.")
@click.option("--scales", default=None, envvar="CARTGUARD_SCALES", show_envvar=True,
              help="Assessments to report: comma-separated pack ids, or 'all' (every installed scale, lined up "
                   "side by side). Default: the installed default scales (a site pack's default_scales).")
def evaluate(path: str, at: str | None, infusion_date: str | None, fmt: str, scales: str | None) -> None:
    """Grade CRS, ICANS and DIC and give guidance for every patient in PATH (file or folder)."""
    from cartguard import outputs, render
    from cartguard.api import evaluate_loaded
    from cartguard.engine.evaluate import Evaluator
    from cartguard.fhir_adapters.loading import load_path
    from cartguard.plugins import default_packset

    with exit_on_error():
        when, day0 = _parse_at(at), _parse_date(infusion_date)
        packset = default_packset()
        loaded = load_path(path)
        results = evaluate_loaded(loaded, Evaluator(packset, "durable"), at=when, infusion_date=day0, scales=scales)
        if not results:
            fail("no patient found in the input (no resource with a subject)")
        if fmt == "json":
            sys.stdout.buffer.write(render.to_json(results) + b"\n")
        elif fmt == "fhir":
            sys.stdout.buffer.write(outputs.to_fhir_json(results, loaded=loaded, packset=packset) + b"\n")
        elif fmt == "cards":
            sys.stdout.buffer.write(outputs.to_cards_json(results, loaded=loaded) + b"\n")
        else:
            click.echo(render.to_text(results))


@main.command()
@click.argument("path", type=click.Path())
@click.option("--every-hours", default=24.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              help="Spacing of the time points (hours); the last point is the end of the data.")
@click.option("--start", help="First time point no earlier than this (ISO-8601); default: the first data.")
@click.option("--end", help="Last time point (ISO-8601); default: the latest data time.")
@click.option("--infusion-date", help="Day 0, the first CAR-T infusion (YYYY-MM-DD); default: from the data.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "png", "html"]), default="text",
              show_default=True, help="text: a day-by-day table and the summaries; json: the trajectory contract; "
              "png: the ward-board figure (A4 landscape, 150 dpi); html: a self-contained page (summaries, figure, "
              "every time point, warnings). png and html also print the text course.")
@click.option("--out", "out", type=click.Path(), default=None,
              help="For png/html (required there): the file to write for one patient, or a folder (one file per "
                   "patient, named from the patient id) for several.")
@click.option("--scales", default=None, envvar="CARTGUARD_SCALES", show_envvar=True,
              help="Assessments to follow: comma-separated pack ids, or 'all'. Default: the default scales.")
def timeline(path: str, every_hours: float, start: str | None, end: str | None, infusion_date: str | None,
             fmt: str, out: str | None, scales: str | None) -> None:
    """The course of every patient in PATH: each scale at every time point, with no look-ahead (docs/trajectory.md)."""
    from pathlib import Path

    from cartguard import timeline_render
    from cartguard.engine.evaluate import Evaluator
    from cartguard.fhir_adapters.loading import load_path
    from cartguard.plugins import default_packset
    from cartguard.trajectory import trajectory_with_facts

    with exit_on_error():
        if fmt in ("png", "html") and not out:
            raise click.BadParameter(f"--format {fmt} writes a file: give --out FILE (one patient) or --out FOLDER")
        if out and fmt not in ("png", "html"):
            raise click.BadParameter(f"--out is for --format png or html; {fmt} prints to stdout")
        if fmt in ("png", "html"):
            try:  # the figure and the page need the analysis extra (matplotlib, Jinja2)
                from cartguard.course_figure import display_name, figure_paths, write_png
                from cartguard.course_page import write_html
            except ImportError as exc:
                fail(f"--format {fmt} needs the extra: pip install 'cartguard[analysis]' ({exc})")
        t0, t1, day0 = _parse_at(start), _parse_at(end), _parse_date(infusion_date)
        loaded = load_path(path)
        if not loaded.patients:
            fail("no patient found in the input (no resource with a subject)")
        packset = default_packset()
        evaluator = Evaluator(packset, "durable")
        pids = sorted(loaded.patients)
        targets = figure_paths(Path(out), pids, fmt) if out else {}
        courses = []
        for pid in pids:
            course, facts = trajectory_with_facts(loaded, evaluator, every_hours=every_hours, start=t0, end=t1,
                                                  scales=scales, infusion_date=day0, patient_id=pid)
            courses.append(course)
            if pid in targets:
                write = write_png if fmt == "png" else write_html
                write(course, facts, targets[pid], packset=packset, patient_name=display_name(loaded.patients[pid]))
                click.echo(f"wrote {targets[pid]}", err=True)
        if fmt == "json":
            sys.stdout.buffer.write(timeline_render.to_json(courses[0] if len(courses) == 1 else courses) + b"\n")
        else:
            click.echo("\n\n".join(timeline_render.to_text(c) for c in courses))


@main.command()
@click.option("--patients", "-n", type=click.IntRange(min=1), default=53, show_default=True,
              help="Number of synthetic patients.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed (same seed, same output).")
@click.option("--out", "out", required=True, type=click.Path(),
              help="A folder (one Bundle JSON per patient) or a FILE.ndjson (all resources, one per line).")
@click.option("--bulk-export", is_flag=True,
              help="Write --out as a FHIR Bulk Data export instead: NDJSON per resource type, patients interleaved, "
                   "unrelated Observations mixed in, shared Medications, and a manifest.json.")
@click.option("--unrelated", type=click.IntRange(min=0), default=9, show_default=True,
              help="With --bulk-export: unrelated Observations per relevant one.")
@click.option("--days", type=click.IntRange(min=8, max=60), default=21, show_default=True,
              help="Follow-up days after day 0.")
@click.option("--gzip", "gz", is_flag=True, help="With --bulk-export: write .ndjson.gz files.")
def synth(patients: int, seed: int, out: str, bulk_export: bool, unrelated: int, days: int, gz: bool) -> None:
    """Write a clearly labelled SYNTHETIC CAR-T cohort as FHIR R4 (seed-study protocol timeline, docs/synth.md)."""
    from pathlib import Path

    import orjson

    from cartguard.synth import SynthParams, generate

    target = Path(out)
    count = 0
    if bulk_export:
        from cartguard.synth_bulk import write_bulk_export

        manifest = write_bulk_export(target, patients, seed, unrelated_per_relevant=unrelated, days=days, gzip=gz)
        ext = manifest["extension"]
        click.echo(f"wrote a SYNTHETIC Bulk Data export of {patients} patient(s) (seed {seed}) to {target}: "
                   f"{ext['resources']} resources in {len(manifest['output'])} files, "
                   f"{ext['unrelated_observations']} unrelated Observations", err=True)
        return
    params = SynthParams(follow_up_days=days)
    if target.suffix.lower() == ".ndjson":
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as fh:
            for bundle in generate(patients, seed, params):
                for entry in bundle["entry"]:
                    fh.write(orjson.dumps(entry["resource"]) + b"\n")
                count += 1
    else:
        target.mkdir(parents=True, exist_ok=True)
        for bundle in generate(patients, seed, params):
            pid = bundle["entry"][0]["resource"]["id"]
            (target / f"{pid}.json").write_bytes(orjson.dumps(bundle, option=orjson.OPT_INDENT_2))
            count += 1
    click.echo(f"wrote {count} SYNTHETIC patient(s) (seed {seed}) to {target}", err=True)


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
    width = max(len(lp.pack.id) for lp in ps.loaded) if ps.loaded else 20
    defaults = set(ps.default_scales())
    for lp in ps.loaded:
        p = lp.pack
        default = "default" if p.id in defaults else ""
        click.echo(f"{p.id:<{width}} {p.version:<8} {p.kind:<12} {default:<8} {lp.sha256[:12]}  {lp.plugin}  {p.title}")
        for name, ov in p.overrides.items():
            click.echo(f"    overrides {name} = {ov.value!r} (was {_default_of(ps, name)!r}): {ov.reason}")
        for d in p.disable:
            click.echo(f"    disables {d.rule}: {d.reason}")
    hooked = {n: s for n, s in ps.param_sources.items() if s.startswith("override by") and
              not any(n in lp.pack.overrides for lp in ps.loaded)}
    for name, source in hooked.items():
        click.echo(f"parameter {name} = {ps.params[name]!r}: {source}")


def _default_of(ps, name: str):
    for lp in ps.loaded:
        if name in lp.pack.parameters:
            return lp.pack.parameters[name].default
    return None


@packs.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
def packs_validate(paths: tuple[str, ...]) -> None:
    """Check pack files before installing them: schema, citations, parameters, inputs, bindings, units,
    references to other packs - against the packs installed now. Exit 1 on the first problem."""
    from cartguard.engine.packs import load_pack_file
    from cartguard.engine.packset import PackSet
    from cartguard.plugins import default_packset

    try:
        candidates = [load_pack_file(p, plugin="(validating)") for p in paths]
        installed = default_packset().loaded
        ids = {c.pack.id for c in candidates}
        ps = PackSet([*(lp for lp in installed if lp.pack.id not in ids), *candidates])
    except CartguardError as exc:
        click.echo(f"cartguard: invalid: {exc}", err=True)
        sys.exit(1)
    for c in candidates:
        cp = ps.compiled.get(c.pack.id)
        rules = len(cp.rules) if cp else 0
        click.echo(f"ok: {c.pack.id} {c.pack.version} ({c.path}): {rules} rules compiled, "
                   f"{len(c.pack.overrides)} overrides, {len(c.pack.disable)} rules disabled")


@packs.command("test")
@click.argument("pack_id")
@click.argument("pytest_args", nargs=-1)
def packs_test(pack_id: str, pytest_args: tuple[str, ...]) -> None:
    """Run PACK_ID's own Gherkin features against the installed stack (extra args go to pytest)."""
    from cartguard.testing.packtest import run_pack_features

    try:
        code = run_pack_features(pack_id, list(pytest_args))
    except CartguardError as exc:
        click.echo(f"cartguard: error: {exc}", err=True)
        sys.exit(2)
    sys.exit(code)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="TCP port.")
@click.option("--workers", default=1, show_default=True, type=int,
              help="Worker processes (evaluations are serialized within one; 2 on a 2-core machine).")
@click.option("--service-url", envvar="CARTGUARD_SERVICE_URL", show_envvar=True, default=None,
              help="The URL EHRs call (the JWT aud); default http://HOST:PORT/cds-services.")
@click.option("--audit-db", envvar="CARTGUARD_AUDIT_DB", show_envvar=True, default=None,
              help="SQLAlchemy URL of the audit log; default sqlite:///cartguard-audit.sqlite3.")
@click.option("--issuer", "issuers", multiple=True, help="A trusted JWT iss; pair each with one --jwks.")
@click.option("--jwks", "jwks", multiple=True, help="The issuer's JWKS: an https URL or a local JSON file.")
@click.option("--issuers-file", type=click.Path(exists=True, dir_okay=False), default=None,
              help='JSON list of {"iss", "jwks_url" | "jwks_file"} (instead of, or besides, --issuer/--jwks).')
def serve(host: str, port: int, workers: int, service_url: str | None, audit_db: str | None, issuers: tuple[str, ...],
          jwks: tuple[str, ...], issuers_file: str | None) -> None:
    """Run the CDS Hooks service (needs the extra: pip install 'cartguard[service]'; docs/service.md)."""
    try:
        import uvicorn

        from cartguard.service import Settings, create_app
        from cartguard.service.settings import load_issuers
    except ImportError:
        click.echo("cartguard: error: the service needs its extra: pip install 'cartguard[service]'", err=True)
        sys.exit(2)
    if len(issuers) != len(jwks):
        click.echo("cartguard: error: give one --jwks for each --issuer", err=True)
        sys.exit(2)
    trusted: list[dict[str, object]] = load_issuers(issuers_file) if issuers_file else []
    for iss, keys in zip(issuers, jwks, strict=True):
        trusted.append({"iss": iss, "jwks_url" if keys.startswith(("https://", "http://")) else "jwks_file": keys})
    if not trusted:
        click.echo("cartguard: error: no trusted issuer: every call would get 401 (give --issuer/--jwks)", err=True)
        sys.exit(2)
    try:
        settings = Settings.from_env(issuers=trusted, audit_db=audit_db,
                                     service_url=service_url or f"http://{host}:{port}/cds-services")
    except ValueError as exc:
        click.echo(f"cartguard: error: {exc}", err=True)
        sys.exit(2)
    if workers > 1:  # each worker process builds its app from the settings passed in the environment
        import os

        os.environ["CARTGUARD_SERVICE_SETTINGS"] = settings.model_dump_json()
        uvicorn.run("cartguard.service.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                    access_log=False, log_level="info")
        return
    uvicorn.run(create_app(settings), host=host, port=port, access_log=False, log_level="info")


def _register_commands() -> None:
    """Commands that live beside their own package (each module imports only click at the top)."""
    from cartguard.bulk.command import bulk
    from cartguard.cohort.command import cohort

    main.add_command(bulk)
    main.add_command(cohort)


_register_commands()

if __name__ == "__main__":  # pragma: no cover
    main()
