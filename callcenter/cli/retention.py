"""`tongdai retention run [--dry-run]`: apply the personal-data retention policy."""

from __future__ import annotations

import typer

from callcenter.attachments.storage import StoreError, check_store
from callcenter.cli.common import cli_session
from callcenter.retention.service import RetentionReport, apply_retention
from ivr.settings import get_settings
from models.base import utcnow

app = typer.Typer(
    help="Lưu trữ dữ liệu cá nhân (Nghị định 13/2023): xóa ghi âm, tệp đính kèm, ẩn dữ liệu cũ.",
    no_args_is_help=True,
)


@app.command()
def run(
    dry_run: bool = typer.Option(False, "--dry-run", help="Chỉ liệt kê những gì sẽ thay đổi, không sửa gì."),
) -> None:
    """Remove old recordings and attachments, mask old personal data (RETENTION_*_DAYS)."""
    settings = get_settings()
    try:
        store = check_store(settings.attachments.store_url)
    except StoreError as exc:
        typer.echo(f"Không mở được kho tệp đính kèm: {exc}", err=True)
        raise typer.Exit(1) from None
    with cli_session() as session:
        try:
            report = apply_retention(session, policy=settings.retention, now=utcnow(), dry_run=dry_run,
                                     store=store, actor_name="cli")
        except StoreError as exc:  # nothing is committed: every row stays, and a new run finishes
            typer.echo("Không xóa được tệp đính kèm nên chưa lưu thay đổi nào vào cơ sở dữ liệu; "
                       f"hãy chạy lại khi kho tệp hoạt động: {exc}", err=True)
            raise typer.Exit(1) from None
        session.commit()  # the changes, or for a dry run only its audit entry
    verb = "Sẽ" if dry_run else "Đã"
    typer.echo(f"{'CHẠY THỬ — không thay đổi dữ liệu. ' if dry_run else ''}"
               f"Ghi âm trước {report.recording_cutoff:%d/%m/%Y}, dữ liệu cá nhân trước "
               f"{report.personal_cutoff:%d/%m/%Y} (UTC).")
    typer.echo(f"{verb} xóa liên kết ghi âm của {report.recordings_removed} cuộc gọi và "
               f"{report.callback_recordings_removed} yêu cầu gọi lại.")
    _twilio_lines(report, dry_run=dry_run, configured=settings.twilio_api_enabled)
    typer.echo(f"{verb} ẩn số gọi đến của {report.callers_masked} cuộc gọi.")
    typer.echo(f"{verb} ẩn số điện thoại trong {report.messages_masked} tin nhắn SMS.")
    typer.echo(f"{verb} ẩn số điện thoại của {report.callback_requests_masked} yêu cầu gọi lại đã xong "
               f"và {report.callback_attempts_masked} lần gọi lại.")
    typer.echo(f"{verb} ẩn số điện thoại của {report.codes_masked} mã xác thực một lần.")
    typer.echo(f"{verb} xóa {report.wrap_up_notes_removed} ghi chú kết quả cuộc gọi của điện thoại viên.")
    typer.echo(f"{verb} ẩn dữ liệu cá nhân của {report.dossiers_masked} hồ sơ đã đóng.")
    typer.echo(f"{verb} xóa {report.attachments_removed} tệp đính kèm (ảnh giấy tờ…) "
               "của hồ sơ đã ẩn dữ liệu.")
    if report.sample_calls:
        typer.echo("Cuộc gọi, ví dụ: " + ", ".join(report.sample_calls))
    if report.sample_dossiers:
        typer.echo("Hồ sơ, ví dụ: " + ", ".join(report.sample_dossiers))


def _twilio_lines(report: RetentionReport, *, dry_run: bool, configured: bool) -> None:
    """What becomes of the audio itself, kept at Twilio until deleted there."""
    typer.echo(f"{'Sẽ' if dry_run else 'Đã'} lên lịch xóa {report.twilio_deletions_queued} bản ghi âm "
               "trên máy chủ Twilio (tiến trình gửi đi thực hiện, tự thử lại khi lỗi).")
    if report.twilio_deletions_already_queued:
        typer.echo(f"{report.twilio_deletions_already_queued} bản ghi âm khác đã được lên lịch xóa "
                   "trên Twilio từ trước.")
    if report.recording_links_elsewhere:
        typer.echo(f"{report.recording_links_elsewhere} liên kết ghi âm không trỏ tới Twilio: "
                   "chỉ xóa liên kết, không có gì để xóa trên Twilio.")
    if report.twilio_deletions_queued and not configured:
        typer.echo("Chú ý: chưa cấu hình tài khoản Twilio (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN). "
                   "Lệnh xóa nằm chờ trong hàng đợi và được thử lại; hết lượt thử thì hiện trong "
                   "danh sách gửi thất bại để giám sát viên thử lại sau khi cấu hình.")
