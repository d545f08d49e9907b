"""The results folder: results written append-only with a commit journal, and the run state to resume.

Layout of ``RESULTS/``:

* ``results.ndjson`` - one line per patient, appended one bucket at a time;
* ``results.parquet``, ``warnings.ndjson``, ``summary.json`` - written at the end;
* ``.cartguard-bulk/state.json`` - what the run is (export and its fingerprint, job, packs, plan);
* ``.cartguard-bulk/journal.ndjson`` - one line per committed bucket with the length of
  ``results.ndjson`` after it;
* ``.cartguard-bulk/spill/`` - phase 1's partitioned lines (unless ``--work-dir``), removed at the end.

A bucket's lines are written and fsynced, then its journal line is written and fsynced. A run
killed at any point leaves ``results.ndjson`` at most some lines (or a partial line) longer than
the journal says; the resumed run truncates it to the journal's length and redoes the uncommitted
buckets, so every patient has exactly one line. A lock (``fcntl.flock``, released by the kernel
when the process dies) keeps two runs out of one folder.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path
from typing import IO, Any, Literal

import orjson
from pydantic import BaseModel, Field, ValidationError

from cartguard.errors import InputError

STATE_FORMAT = 1


class RunState(BaseModel):
    """What a run is, so that a resumed run can check it is the same run."""

    format: int = STATE_FORMAT
    export: str
    inputs: str
    """Fingerprint of the export's files (names, sizes, modification times)."""
    job: dict[str, Any]
    packs: str
    """Fingerprint of the loaded packs and their parameters."""
    chunk_bytes: int
    run_bytes: int
    memory_mb: int
    spill: str
    phase: Literal["partition", "evaluate", "complete"] = "partition"
    plan: list[tuple[int, int, int]] | None = None
    """Buckets: (first slot, end slot, kept bytes), fixed once phase 1 is done."""


class JournalEntry(BaseModel):
    bucket: int
    end: int
    """Length of results.ndjson once this bucket's lines were written."""
    patients: int
    errors: dict[str, int] = Field(default_factory=dict)
    warnings: dict[str, int] = Field(default_factory=dict)


def _fsync_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class ResultsFolder:
    """``RESULTS/`` of one bulk run (see the module docstring)."""

    def __init__(self, out: str | Path) -> None:
        self.out = Path(out)
        self.meta = self.out / ".cartguard-bulk"
        self.results = self.out / "results.ndjson"
        self.parquet = self.out / "results.parquet"
        self.warnings = self.out / "warnings.ndjson"
        self.summary = self.out / "summary.json"
        self.state_path = self.meta / "state.json"
        self.journal_path = self.meta / "journal.ndjson"
        self.default_spill = self.meta / "spill"
        self._lock: IO[bytes] | None = None
        self._results_fh: IO[bytes] | None = None
        self._journal_fh: IO[bytes] | None = None

    # -- ownership ---------------------------------------------------------------------------------
    def lock(self) -> None:
        """Hold the folder for this run; another live run on it is an error."""
        self.meta.mkdir(parents=True, exist_ok=True)
        fh = (self.meta / "lock").open("ab")
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            raise InputError("another cartguard bulk run is writing to this results folder", source=str(self.out)) \
                from None
        self._lock = fh

    def remove_temporary(self) -> None:
        """Files a killed run was writing under temporary names (only while holding the lock)."""
        for path in (self.parquet, self.warnings, self.summary, self.state_path):
            for tmp in path.parent.glob(f"{path.name}.*.tmp"):
                tmp.unlink(missing_ok=True)

    def close(self) -> None:
        for fh in (self._results_fh, self._journal_fh, self._lock):
            if fh is not None:
                fh.close()
        self._results_fh = self._journal_fh = self._lock = None

    def has_results(self) -> bool:
        return self.results.exists() or self.journal_path.exists()

    def reset(self) -> None:
        """Forget any earlier run in this folder (``--restart``); other files are left alone."""
        for path in (self.results, self.parquet, self.warnings, self.summary, self.state_path, self.journal_path):
            path.unlink(missing_ok=True)
        shutil.rmtree(self.default_spill, ignore_errors=True)

    # -- state -------------------------------------------------------------------------------------
    def load_state(self) -> RunState | None:
        if not self.state_path.exists():
            return None
        try:
            return RunState.model_validate_json(self.state_path.read_bytes())
        except (ValidationError, ValueError) as exc:
            raise InputError(f"the run state is unreadable ({exc}); use --restart to start over",
                             source=str(self.state_path)) from None

    def save_state(self, state: RunState) -> None:
        _fsync_write(self.state_path, state.model_dump_json(indent=2).encode())

    # -- committed buckets -------------------------------------------------------------------------
    def committed(self) -> list[JournalEntry]:
        """The committed buckets; the journal and the results are cut back to what they commit."""
        entries: list[JournalEntry] = []
        good = 0
        if self.journal_path.exists():
            data = self.journal_path.read_bytes()
            for line in data.split(b"\n")[:-1]:  # a last line without its newline was cut by a kill
                try:
                    entries.append(JournalEntry.model_validate_json(line))
                except ValidationError:
                    break
                good += len(line) + 1
            if good != len(data):
                with self.journal_path.open("r+b") as fh:
                    fh.truncate(good)
        end = entries[-1].end if entries else 0
        size = self.results.stat().st_size if self.results.exists() else 0
        if size < end:
            raise InputError(f"results.ndjson holds {size} bytes but the journal commits {end}: it was changed "
                             "outside cartguard; use --restart", source=str(self.results))
        if size > end:
            with self.results.open("r+b") as fh:
                fh.truncate(end)
        return entries

    def commit(self, lines: bytes, entry: JournalEntry) -> JournalEntry:
        """Append one bucket's lines, then its journal line (each made durable before the next)."""
        if self._results_fh is None:
            self._results_fh = self.results.open("ab")
            self._journal_fh = self.journal_path.open("ab")
        assert self._journal_fh is not None
        self._results_fh.write(lines)
        self._results_fh.flush()
        os.fsync(self._results_fh.fileno())
        entry = entry.model_copy(update={"end": self._results_fh.tell()})
        self._journal_fh.write(entry.model_dump_json().encode() + b"\n")
        self._journal_fh.flush()
        os.fsync(self._journal_fh.fileno())
        return entry

    def write_json(self, path: Path, doc: Any) -> None:
        _fsync_write(path, orjson.dumps(doc, option=orjson.OPT_INDENT_2))
