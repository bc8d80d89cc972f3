"""`tongdai demo seed`: sample vessels and demo accounts; running it twice changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from callcenter.cli.main import app
from callcenter.users.service import authenticate, create_user
from models.user import User
from models.vessel import Vessel


@pytest.fixture
def seed(db: Session, database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)  # no stray .env
    return CliRunner()


def snapshot(db: Session) -> dict[str, tuple[object, ...]]:
    db.commit()  # end the snapshot: see what the command committed
    vessels: dict[str, tuple[object, ...]] = {
        v.registration_number: (v.owner_phone, v.updated_at) for v in db.scalars(select(Vessel))
    }
    accounts = {u.username: (u.role, u.password_hash) for u in db.scalars(select(User))}
    return vessels | accounts


def test_seed_twice_gives_the_demo_data_once(seed: CliRunner, db: Session) -> None:
    first = seed.invoke(app, ["demo", "seed"])
    assert first.exit_code == 0, first.output
    after_first = snapshot(db)

    second = seed.invoke(app, ["demo", "seed"])
    assert second.exit_code == 0, second.output
    assert snapshot(db) == after_first
    assert "0 mới, 0 cập nhật" in second.output

    vessels = {v.registration_number: v for v in db.scalars(select(Vessel))}
    assert 10 <= len(vessels) <= 15
    assert {"QNg-90567-TS", "QNg-90617-TS", "QNg-96169-TS"} <= set(vessels)
    assert vessels["QNg-90567-TS"].owner_phone == "+84905123456"
    assert "+84987654321" not in {v.owner_phone for v in vessels.values()}  # `tongdai call`'s stranger
    assert any(v.length_m is not None and 12 <= v.length_m < 15 for v in vessels.values())
    assert sum(v.district is None for v in vessels.values()) > len(vessels) / 2

    roles = {u.username: u.role for u in db.scalars(select(User))}
    assert roles == {"vanhanh": "operator", "giamsat": "supervisor", "quantri": "admin"}
    for line in ("vanhanh", "giamsat", "quantri"):
        assert line in first.output
    password = next(w for w in first.output.split() if w.startswith("vanhanh-"))
    assert authenticate(db, username="vanhanh", password=password) is not None


def test_seed_leaves_an_existing_demo_account_alone(seed: CliRunner, db: Session) -> None:
    create_user(db, username="giamsat", password="changed-by-the-centre", role="supervisor")
    db.commit()
    result = seed.invoke(app, ["demo", "seed"])
    assert result.exit_code == 0, result.output
    db.commit()
    assert authenticate(db, username="giamsat", password="changed-by-the-centre") is not None
    assert "đã có từ trước" in result.output
