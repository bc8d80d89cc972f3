"""`tongdai vessels import`: registry CSV → checked rows → batched upsert.

Parsing (`parse_csv`, pure: text lines in, `VesselRow` or `RowError` out) is kept apart
from writing (`repository.upsert_vessels`), so the rules are tested without a database
and the writer only ever sees good rows.

Atomicity: the whole file is imported in the caller's one transaction. Bad rows are
reported and skipped, good rows are written in chunks of `CHUNK_SIZE` (flushed, not
committed); a file-level fault part-way (bytes that are not UTF-8, broken CSV quoting)
raises `ImportFileError` and the caller rolls everything back. So after a run either all
good rows are in, or none is.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from callcenter.vessels.repository import UpsertCounts, upsert_vessels
from callcenter.vessels.rows import COLUMNS, RowError, VesselRow, parse_row

CHUNK_SIZE = 2000


class ImportFileError(Exception):
    """The file as a whole cannot be imported (missing, not UTF-8, wrong header); nothing is."""


@dataclass
class ImportReport:
    counts: UpsertCounts = field(default_factory=UpsertCounts)
    errors: list[RowError] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.counts.created + self.counts.updated + self.counts.unchanged + len(self.errors)


def parse_csv(lines: Iterable[str]) -> Iterator[VesselRow | RowError]:
    """Rows of a registry CSV in file order; the header is line 1, the first row line 2.

    Columns are matched by name, so their order may differ from the contract's; a missing
    or unknown column stops the import before any row is read. A number seen before in
    the same file is a bad row naming the line that had it first.
    """
    reader = csv.reader(lines)
    names = _check_header(next(reader, None))
    first_seen: dict[str, int] = {}
    next_line = reader.line_num + 1
    for values in reader:
        line, next_line = next_line, reader.line_num + 1  # a quoted field may span lines
        if not any(value.strip() for value in values):
            continue  # blank lines (often at the end of a file) are not rows
        if len(values) != len(names):
            yield RowError(line, (f"có {len(values)} cột, cần {len(names)} cột như dòng tiêu đề",))
            continue
        parsed = parse_row(dict(zip(names, values, strict=True)), line=line)
        if isinstance(parsed, VesselRow):
            number = parsed.registration_number
            if number in first_seen:
                parsed = RowError(line, (f"số đăng ký {number} trùng với dòng {first_seen[number]}",))
            else:
                first_seen[number] = line
        yield parsed


def import_rows(
    session: Session,
    rows: Iterable[VesselRow | RowError],
    *,
    on_progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Upsert the good rows in chunks, collect the bad ones; flushes, never commits."""
    report = ImportReport()
    chunk: list[VesselRow] = []
    pending = 0  # rows read since the last progress report, good or bad
    for row in rows:
        pending += 1
        if isinstance(row, RowError):
            report.errors.append(row)
        else:
            chunk.append(row)
        if len(chunk) >= CHUNK_SIZE:
            report.counts.add(upsert_vessels(session, chunk))
            chunk = []
            if on_progress is not None:
                on_progress(pending)
            pending = 0
    report.counts.add(upsert_vessels(session, chunk))
    if on_progress is not None and pending:
        on_progress(pending)
    return report


def import_file(
    session: Session, path: Path, *, on_progress: Callable[[int], None] | None = None
) -> ImportReport:
    """Import one registry file; raises `ImportFileError` for a fault of the whole file."""
    try:
        # utf-8-sig: Excel saves "CSV UTF-8" with a byte-order mark.
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return import_rows(session, parse_csv(handle), on_progress=on_progress)
    except FileNotFoundError as exc:
        raise ImportFileError(f"không tìm thấy tệp {path}") from exc
    except IsADirectoryError as exc:
        raise ImportFileError(f"{path} là thư mục, không phải tệp CSV") from exc
    except PermissionError as exc:
        raise ImportFileError(f"không có quyền đọc tệp {path}") from exc
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"tệp {path} không phải UTF-8 (byte {exc.start}); hãy lưu lại dưới dạng CSV UTF-8"
        ) from exc
    except csv.Error as exc:
        raise ImportFileError(f"tệp {path} không đọc được như CSV: {exc}") from exc


def count_rows(path: Path) -> int:
    """Roughly how many rows the file has (lines minus the header), for a progress bar."""
    try:
        with path.open("rb") as handle:
            return max(0, sum(1 for _ in handle) - 1)
    except OSError:
        return 0


def _check_header(header: list[str] | None) -> list[str]:
    if header is None:
        raise ImportFileError("tệp trống: không có dòng tiêu đề")
    names = [name.strip() for name in header]
    missing = [name for name in COLUMNS if name not in names]
    unknown = [name for name in names if name not in COLUMNS]
    repeated = sorted({name for name in names if names.count(name) > 1})
    problems = []
    if missing:
        problems.append(f"thiếu cột: {', '.join(missing)}")
    if unknown:
        problems.append(f"cột không có trong mẫu: {', '.join(repr(name) for name in unknown)}")
    if repeated:
        problems.append(f"cột lặp lại: {', '.join(repeated)}")
    if problems:
        raise ImportFileError(
            "dòng tiêu đề (dòng 1) không đúng mẫu — " + "; ".join(problems)
            + f". Cần đúng các cột: {','.join(COLUMNS)}"
        )
    return names
