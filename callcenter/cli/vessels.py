"""`tongdai vessels import FILE.csv` and `tongdai vessels show NUMBER` (contract sections 1, 6)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from callcenter.cli.common import cli_session
from callcenter.vessels.importer import ImportFileError, ImportReport, count_rows, import_file
from callcenter.vessels.repository import find_vessel
from callcenter.vessels.zone import fishing_zone
from ivr.settings import get_settings
from models.db import SchemaOutOfDate
from models.domain.citizen_id import mask_citizen_id
from models.domain.registration import InvalidRegistration, normalize_registration
from models.vessel import Vessel

app = typer.Typer(help="Sổ đăng ký tàu cá (vessel registry).", no_args_is_help=True)

# Below this many rows an import takes a blink; a bar would only flicker.
PROGRESS_MIN_ROWS = 2000


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="CSV UTF-8 theo mẫu của hợp đồng, mục 6.")],
) -> None:
    """Import (upsert) the registry CSV. Exit 0: all rows good; 1: some bad rows; 2: file error."""
    try:
        with cli_session() as session:
            report = _import_with_progress(session, file)
            session.commit()
    except ImportFileError as exc:
        typer.echo(f"Lỗi: {exc}. Không nhập dòng nào.", err=True)
        raise typer.Exit(2) from None
    except (SchemaOutOfDate, OperationalError) as exc:
        typer.echo(f"Lỗi cơ sở dữ liệu: {_first_line(exc)}", err=True)
        raise typer.Exit(2) from None
    for error in report.errors:
        typer.echo(str(error))
    _print_summary(report)
    if report.errors:
        raise typer.Exit(1)


@app.command()
def show(
    number: Annotated[str, typer.Argument(help="Số đăng ký (QNg-90567-TS, qng90567ts) hoặc chỉ phần số.")],
) -> None:
    """Show one vessel of the registry."""
    try:
        registration = normalize_registration(number, get_settings().hotline_province)
    except InvalidRegistration as exc:
        typer.echo(f"Lỗi: {exc}", err=True)
        raise typer.Exit(1) from None
    try:
        with cli_session() as session:
            vessel = find_vessel(session, registration)
    except (SchemaOutOfDate, OperationalError) as exc:
        typer.echo(f"Lỗi cơ sở dữ liệu: {_first_line(exc)}", err=True)
        raise typer.Exit(2) from None
    if vessel is None:
        typer.echo(f"Không có tàu {registration} trong sổ đăng ký.", err=True)
        raise typer.Exit(1)
    for label, value in _vessel_lines(vessel):
        typer.echo(f"{label:<18}{value}")


def _import_with_progress(session: Session, file: Path) -> ImportReport:
    total = count_rows(file)
    if not sys.stdout.isatty() or total < PROGRESS_MIN_ROWS:
        return import_file(session, file)
    columns = (TextColumn("Đang nhập"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, transient=True) as progress:
        task = progress.add_task("import", total=total)
        return import_file(session, file, on_progress=lambda rows: progress.advance(task, rows))


def _print_summary(report: ImportReport) -> None:
    counts = report.counts
    typer.echo(
        f"Đã đọc {report.rows} dòng: {counts.created} tàu mới, {counts.updated} cập nhật, "
        f"{counts.unchanged} không đổi, {len(report.errors)} dòng lỗi (không nhập)."
    )


def _vessel_lines(vessel: Vessel) -> list[tuple[str, str]]:
    zone = fishing_zone(vessel.length_m)
    length = f"{vessel.length_m} m ({zone})" if vessel.length_m is not None else "—"
    return [
        ("Số đăng ký", vessel.registration_number),
        ("Tên tàu", vessel.vessel_name or "—"),
        ("Chủ tàu", vessel.owner_name),
        ("Điện thoại", vessel.owner_phone or "—"),
        # Masked: a terminal is not the place an ID number is viewed (that view is audited).
        ("Số căn cước/CMND", mask_citizen_id(vessel.owner_id_number) or "—"),
        ("Địa chỉ", vessel.address or "—"),
        ("Xã/phường", vessel.commune or "—"),
        ("Huyện", vessel.district or "—"),
        ("Tỉnh", vessel.province or "—"),
        ("Chiều dài", length),
        ("Nghề chính", vessel.main_gear or "—"),
        ("Hạn giấy phép", vessel.licence_expiry.isoformat() if vessel.licence_expiry else "—"),
    ]


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
