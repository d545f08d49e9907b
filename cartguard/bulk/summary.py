"""What a bulk run did, in numbers: written to ``RESULTS/summary.json`` and printed at the end."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class TypeCounts(BaseModel):
    read: int = 0
    """Resources of this type in the export."""
    kept: int = 0
    """Kept for evaluation (a code the packs bind; every Patient; Medications for the shared index)."""
    skipped: int = 0
    """Irrelevant to every loaded pack (or without a patient reference): counted, not evaluated."""


class BulkSummary(BaseModel):
    export: str
    out: str
    job: dict[str, Any]
    executor: str
    workers: int | None = None
    scheduler: str | None = None
    files: int
    input_bytes: int
    chunks: int
    buckets: int
    resources: int
    """Resources read (lines that are FHIR resources)."""
    kept: int
    by_type: dict[str, TypeCounts]
    patients: int
    ok: int
    errors: dict[str, int] = Field(default_factory=dict)
    """Patients whose job failed, by exception type (each has an ``error`` result line)."""
    reading_warnings: dict[str, int] = Field(default_factory=dict)
    """Lines that could not be read, by code (every one in ``warnings.ndjson`` with file:line)."""
    warning_examples: list[dict[str, Any]] = Field(default_factory=list)
    patient_warnings: dict[str, int] = Field(default_factory=dict)
    """Mapping and validation warnings by code, over every patient (each in its result line)."""
    resumed: bool = False
    reused_chunks: int = 0
    reused_buckets: int = 0
    seconds: dict[str, float] = Field(default_factory=dict)
    """Wall time of this invocation: partition, evaluate, parquet, total."""
    resources_per_second: float = 0.0
    patients_per_second: float = 0.0
    results: str
    parquet: str | None = None
    warnings_file: str
    disclaimer: str = "Decision support for clinicians, not a prescription."

    def to_text(self) -> str:
        errors = ", ".join(f"{k} {v}" for k, v in sorted(self.errors.items()))
        lines = [
            f"cartguard bulk: {self.patients:,} patients ({self.ok:,} ok, {sum(self.errors.values()):,} errors"
            f"{': ' + errors if errors else ''}), job {self.job.get('name')}, {self.executor}"
            f"{f' ({self.workers} workers)' if self.workers and self.workers > 1 else ''}",
            f"  read {self.resources:,} resources in {self.files} files ({self.input_bytes / 1e6:,.1f} MB); "
            f"kept {self.kept:,}, skipped {self.resources - self.kept:,}",
        ]
        for rtype, c in sorted(self.by_type.items(), key=lambda kv: -kv[1].read):
            lines.append(f"    {rtype:<26} read {c.read:>12,}  kept {c.kept:>10,}  skipped {c.skipped:>12,}")
        if self.reading_warnings:
            counts = ", ".join(f"{k} {v:,}" for k, v in sorted(self.reading_warnings.items()))
            lines.append(f"  unreadable lines: {counts} (every one in {self.warnings_file})")
            for w in self.warning_examples:
                lines.append(f"    {w.get('source')}: {w.get('message')}")
        if self.patient_warnings:
            lines.append("  patient warnings: " + ", ".join(
                f"{k} {v:,}" for k, v in sorted(self.patient_warnings.items(), key=lambda kv: -kv[1]))
                + " (each in its patient's result line)")
        s = self.seconds
        if self.resumed:
            lines.append(f"  resumed: {self.reused_chunks} chunks and {self.reused_buckets} buckets reused")
        lines.append(f"  time: partition {s.get('partition', 0):.1f} s, evaluate {s.get('evaluate', 0):.1f} s, "
                     f"parquet {s.get('parquet', 0):.1f} s, total {s.get('total', 0):.1f} s; "
                     f"{self.resources_per_second:,.0f} resources/s, {self.patients_per_second:,.1f} patients/s")
        lines.append(f"  results: {self.results}" + (f", {self.parquet}" if self.parquet else ""))
        lines.append(self.disclaimer)
        return "\n".join(lines)
