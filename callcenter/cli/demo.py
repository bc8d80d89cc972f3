"""`tongdai demo seed`: sample vessels of Quảng Ngãi and three console accounts.

Idempotent: vessels go through the registry import's own checks and upsert (unchanged
rows are not written), and existing accounts are left as they are.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import NamedTuple

import typer
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from callcenter.cli.common import cli_session
from callcenter.users.service import create_user
from callcenter.vessels.importer import parse_csv
from callcenter.vessels.repository import UpsertCounts, upsert_vessels
from callcenter.vessels.rows import COLUMNS, VesselRow
from models.db import SchemaOutOfDate
from models.user import User

app = typer.Typer(help="Dữ liệu mẫu để chạy thử (demo data).", no_args_is_help=True)

# Registry rows exactly as the fisheries authority's CSV would carry them, spelling
# variants included, so the demo data passes the same checks as a real import.
# QNg-90567-TS's owner phone is the "caller known" demo; +84987654321 (the default
# caller of `tongdai call`) belongs to no vessel on purpose. 90118/90119 share an
# owner and a phone: a caller with two boats is asked to key the number.
DEMO_VESSELS_CSV = (
    ",".join(COLUMNS),
    "QNg-90567-TS,Hoàng Phát 01,Nguyễn Văn Tám,0905123456,051078001234,Thôn Châu Thuận Biển,"
    "Bình Châu,,Quảng Ngãi,17.5,lưới vây,2026-09-30",
    "QNG 90617 TS,Phước Thiện,Trần Văn Lộc,0914 222 333,051082004567,Thôn Phước Thiện,"
    "Bình Châu,,Quảng Ngãi,18.2,câu mực,2026-03-15",
    "qng96169ts,Lý Sơn 169,Võ Thị Hường,0935456789,051185001122,Thôn Đông,"
    "An Vĩnh (đặc khu Lý Sơn),,Quảng Ngãi,15.8,câu cá ngừ,2025-12-31",
    "QNg-96240-TS,Đảo Ngọc,Nguyễn Văn Lực,0915 678 901,051075003344,Thôn Tây,"
    "An Hải (đặc khu Lý Sơn),,Quảng Ngãi,19.5,lưới chụp,2026-06-30",
    "QNg-90999-TS,Sa Huỳnh Xanh,Phạm Văn Hùng,01682345678,051080005566,Tổ dân phố Thạch Bi 2,"
    "Đức Phổ,,Quảng Ngãi,16.5,lưới rê,2027-01-20",
    "QNg-90118-TS,Bình Minh 18,Trương Văn Bình,0977123456,051070007788,Thôn An Hải,"
    "Bình Châu,,Quảng Ngãi,24,lưới vây,2026-11-05",
    "QNg-90119-TS,Bình Minh 19,Trương Văn Bình,0977123456,051070007788,Thôn An Hải,"
    "Bình Châu,,Quảng Ngãi,22.4,lưới vây,2026-11-05",
    "QNg-91234-TS,Mộ Đức 34,Bùi Văn Nam,0388765432,051088009900,Thôn Tân Mỹ,"
    "Mộ Đức,,Quảng Ngãi,15,câu mực,2026-08-12",
    "QNg-95123-TS,Kỳ Xuyên,Huỳnh Văn Sáu,0796543210,051072001357,Thôn Kỳ Xuyên,"
    "Tịnh Kỳ,,Quảng Ngãi,14.2,lưới rê,2026-04-30",
    "QNg-50234-TS,Thu Lan,Đặng Thị Lan,0356789012,051190002468,Thôn Vĩnh Trà,"
    "Bình Sơn,,Quảng Ngãi,12.8,lồng bẫy,2026-02-28",
    "QNg-40567-TS,,Lê Văn Đức,,051065001470,Tổ dân phố Thạnh Đức,"
    "Sa Huỳnh,Đức Phổ,Quảng Ngãi,9.5,câu tay,",
    "QNg-20345-TS,,Ngô Thị Bảy,0823456789,212345678,Thôn Đông Yên,"
    "Tịnh Kỳ,Sơn Tịnh,Quảng Ngãi,7.2,lưới rê,2025-10-15",
)


class DemoUser(NamedTuple):
    username: str
    role: str
    full_name: str
    password: str


# Fixed, printed, and only for a demo machine: nobody should keep them in production.
DEMO_USERS = (
    DemoUser("vanhanh", "operator", "Trần Thị Thu Hà", "vanhanh-demo-2026"),
    DemoUser("giamsat", "supervisor", "Lê Văn Minh", "giamsat-demo-2026"),
    DemoUser("quantri", "admin", "Phạm Quốc Anh", "quantri-demo-2026"),
)


@app.command()
def seed() -> None:
    """Insert sample vessels and demo accounts (safe to run again)."""
    try:
        with cli_session() as session:
            counts = seed_vessels(session)
            created = seed_users(session)
            session.commit()
    except (SchemaOutOfDate, OperationalError) as exc:
        typer.echo(f"Lỗi cơ sở dữ liệu: {str(exc).strip().splitlines()[0]}", err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"Tàu mẫu: {counts.created} mới, {counts.updated} cập nhật, {counts.unchanged} không đổi."
    )
    typer.echo("Tài khoản demo (username / vai trò / mật khẩu):")
    for user in DEMO_USERS:
        note = "" if user.username in created else "  (đã có từ trước, giữ nguyên)"
        typer.echo(f"  {user.username:<8} {user.role:<10} {user.password}{note}")
    # One command a line, nothing around it: each can be copied and pasted as it is, from
    # the project's folder (the command is the virtualenv's, as `make run` installs it).
    command = _command_path()
    typer.echo("Thử gọi (try a call): the owner of QNg-90567-TS, then a caller the registry does not know")
    typer.echo(f"  {command} call --from 0905123456")
    typer.echo(f"  {command} call --keys 1,1,90617#,1,1")
    typer.echo("Then log in to the console as vanhanh (operator) or giamsat (supervisor).")


def _command_path() -> str:
    """`tongdai` as this shell can run it: `.venv/bin/tongdai` from the project's folder
    when the virtualenv is not activated, else the bare name."""
    here = Path(sys.argv[0]).resolve()
    if shutil.which("tongdai") == str(here):
        return "tongdai"
    try:
        return str(here.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(here)


def seed_vessels(session: Session) -> UpsertCounts:
    rows = list(parse_csv(DEMO_VESSELS_CSV))
    good = [row for row in rows if isinstance(row, VesselRow)]
    if len(good) != len(rows):  # a typo in the table above, not a user's mistake
        raise RuntimeError(f"demo vessel rows do not pass the import checks: {rows}")
    return upsert_vessels(session, good)


def seed_users(session: Session) -> set[str]:
    """Create the demo accounts that do not exist yet; returns the usernames created."""
    existing = set(session.scalars(select(User.username).where(
        User.username.in_([user.username for user in DEMO_USERS])
    )))
    created: set[str] = set()
    for user in DEMO_USERS:
        if user.username not in existing:
            create_user(session, username=user.username, password=user.password, role=user.role,
                        full_name=user.full_name)
            created.add(user.username)
    return created
