"""Draft dossiers as intake writes them, on either database's own statements."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import ivr.intake.drafts as drafts
from models.dossier import Dossier, DossierEvent


def _draft(db: Session) -> drafts.Draft:
    return drafts.create_draft(
        db, procedure="fishing_licence", variant="new", channel="ivr", vessel=None,
        vessel_registration="QNg-90567-TS", applicant_phone="+84905123456", call_sid="CA1", by="ivr",
    )


def test_a_taken_reference_is_drawn_again_and_leaves_no_trace(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(drafts, "new_reference", lambda: "123456")
    first = _draft(db)
    draws: Iterator[str] = iter(["123456", "123456", "654321"])  # taken twice, then free
    monkeypatch.setattr(drafts, "new_reference", lambda: next(draws))
    second = _draft(db)
    db.commit()

    assert (first.reference, second.reference) == ("123456", "654321")
    rows = db.execute(select(Dossier.reference, DossierEvent.what).join(DossierEvent)).all()
    assert sorted(rows) == [
        ("123456", "Tạo hồ sơ nháp qua tổng đài tự động"),
        ("654321", "Tạo hồ sơ nháp qua tổng đài tự động"),
    ]  # one history line each: none for the tries that found the reference taken
