"""cartguard/runtime.py: reload without restart, under concurrent evaluation, never half old/half new."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cartguard.engine.durable_host import backend
from cartguard.engine.packset import PackSet
from cartguard.errors import PackError
from cartguard.rules import CORE_PACK_FILES
from cartguard.runtime import Runtime
from cartguard.testing import PatientBuilder

AT = datetime(2026, 3, 16, 8, tzinfo=UTC)

SITE = """
id: site.reload
version: "{version}"
title: Reload test site pack
kind: site
requires: [dic.isth2001]
citations:
  sop: {{text: "Test SOP", evidence: C}}
overrides:
  isth_overt.platelets_points0_gte: {{value: {threshold}, reason: "test version {version}"}}
"""


def _write(tmp_path: Path, version: str, threshold: int) -> Path:
    path = tmp_path / f"site-{version}.yaml"
    path.write_text(SITE.format(version=version, threshold=threshold))
    return path


def _patient():
    b = PatientBuilder("p1")
    b.observation("777-3", 120, "10*9/L", day=6, hour=6)   # 0 points at >= 100, 1 point at >= 150
    return b.load()


def test_reload_under_concurrent_evaluation_is_atomic(tmp_path: Path):
    versions = {"1": _write(tmp_path, "1", 100), "2": _write(tmp_path, "2", 150)}
    expected_points = {"1": 0.0, "2": 1.0}
    state = {"next": "1"}

    def build() -> PackSet:
        return PackSet.from_paths([*CORE_PACK_FILES, versions[state["next"]]])

    runtime = Runtime(build, backend="both")
    loaded = _patient()
    seen: list[tuple[str, float, str]] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def worker() -> None:
        try:
            while not stop.is_set():
                [res] = runtime.evaluate(loaded, at=AT)
                site = next(p for p in res.packs if p.id == "site.reload")
                points = res.assessments["dic.isth2001"].components["platelets"].value
                source = next(p.source for f in res.assessments["dic.isth2001"].explanation
                              for p in f.parameters if p.name == "isth_overt.platelets_points0_gte")
                seen.append((site.version, points, source))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        for i in range(20):
            state["next"] = "2" if i % 2 == 0 else "1"
            runtime.reload()
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert not errors, errors
    assert runtime.reloads == 20
    assert {v for v, _, _ in seen} == {"1", "2"}, "both versions must have been evaluated"
    for version, points, source in seen:
        assert points == expected_points[version], (version, points)
        assert f"site.reload@{version}" in source, (version, source)


def test_rulesets_of_a_replaced_pack_set_are_deleted(tmp_path: Path):
    versions = {"1": _write(tmp_path, "1", 100), "2": _write(tmp_path, "2", 150)}
    state = {"next": "1"}
    runtime = Runtime(lambda: PackSet.from_paths([*CORE_PACK_FILES, versions[state["next"]]]))
    old = {cp.ruleset_name for cp in runtime.packset.compiled.values()}
    assert old <= backend().registered()
    state["next"] = "2"
    runtime.reload()
    new = {cp.ruleset_name for cp in runtime.packset.compiled.values()}
    assert new <= backend().registered()
    assert not (old - new) & backend().registered(), "rulesets only the old pack set used must be gone"
    [res] = runtime.evaluate(_patient(), at=AT)
    assert res.assessments["dic.isth2001"].components["platelets"].value == 1.0


def test_a_failing_reload_keeps_the_running_pack_set(tmp_path: Path):
    good = _write(tmp_path, "1", 100)
    bad = tmp_path / "bad.yaml"
    bad.write_text(SITE.format(version="9", threshold="'high'"))
    state = {"path": good}
    runtime = Runtime(lambda: PackSet.from_paths([*CORE_PACK_FILES, state["path"]]))
    state["path"] = bad
    with pytest.raises(PackError, match="expected a number"):
        runtime.reload()
    [res] = runtime.evaluate(_patient(), at=AT)
    assert next(p for p in res.packs if p.id == "site.reload").version == "1"
