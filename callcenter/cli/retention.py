"""`tongdai retention run [--dry-run]`: apply the personal-data retention policy."""

from __future__ import annotations

import typer

from callcenter.cli.common import cli_session
from callcenter.retention.service import apply_retention
from ivr.settings import get_settings
from models.base import utcnow

app = typer.Typer(help="Lưu trữ dữ liệu cá nhân (Nghị định 13/2023): xóa ghi âm, ẩn dữ liệu cũ.",
                  no_args_is_help=True)


@app.command()
def run(
    dry_run: bool = typer.Option(False, "--dry-run", help="Chỉ liệt kê những gì sẽ thay đổi, không sửa gì."),
) -> None:
    """Remove old recordings and mask old personal data (RETENTION_*_DAYS)."""
    policy = get_settings().retention
    with cli_session() as session:
        report = apply_retention(session, policy=policy, now=utcnow(), dry_run=dry_run, actor_name="cli")
        session.commit()  # the changes, or for a dry run only its audit entry
    verb = "Sẽ" if dry_run else "Đã"
    typer.echo(f"{'CHẠY THỬ — không thay đổi dữ liệu. ' if dry_run else ''}"
               f"Ghi âm trước {report.recording_cutoff:%d/%m/%Y}, dữ liệu cá nhân trước "
               f"{report.personal_cutoff:%d/%m/%Y} (UTC).")
    typer.echo(f"{verb} xóa {report.recordings_removed} bản ghi âm.")
    typer.echo(f"{verb} ẩn số gọi đến của {report.callers_masked} cuộc gọi.")
    typer.echo(f"{verb} ẩn số điện thoại trong {report.messages_masked} tin nhắn SMS.")
    typer.echo(f"{verb} ẩn dữ liệu cá nhân của {report.dossiers_masked} hồ sơ đã đóng.")
    if report.sample_calls:
        typer.echo("Cuộc gọi, ví dụ: " + ", ".join(report.sample_calls))
    if report.sample_dossiers:
        typer.echo("Hồ sơ, ví dụ: " + ", ".join(report.sample_dossiers))
