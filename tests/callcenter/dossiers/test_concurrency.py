"""Operators racing for one dossier on PostgreSQL: each on its own connection, one wins."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from callcenter.dossiers.service import ClaimConflict, DossierNotEditable, claim_dossier, submit_dossier
from models.db import make_sessionmaker
from models.dossier import Dossier
from models.outbox import OutboxEntry
from models.user import User
from tests.callcenter.dossiers.conftest import add_user, complete_values, make_dossier

pytestmark = pytest.mark.slow  # live servers, threads and races: seconds, not milliseconds

RACERS = 6


def _race(engine: Engine, users: list[User], act: object) -> tuple[list[str], list[BaseException]]:
    sessions = make_sessionmaker(engine)
    start = threading.Barrier(len(users))
    winners: list[str] = []
    errors: list[BaseException] = []

    def racer(user: User) -> None:
        with sessions() as session:
            start.wait()
            try:
                act(session, user)  # type: ignore[operator]
                session.commit()
                winners.append(user.username)
            except BaseException as exc:  # collected, asserted by the test
                session.rollback()
                errors.append(exc)

    threads = [threading.Thread(target=racer, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return winners, errors


@pytest.fixture
def postgres_only(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip(
            "SQLite runs one writer at a time, so there is no race to lose; run with TEST_DATABASE_URL"
        )


@pytest.mark.usefixtures("postgres_only")
def test_of_operators_claiming_at_once_exactly_one_wins(engine: Engine, db: Session) -> None:
    make_dossier(db)
    users = [add_user(db, f"op{n}") for n in range(RACERS)]
    winners, errors = _race(engine, users, lambda s, u: claim_dossier(s, reference="472915", user=u))
    assert len(winners) == 1
    assert len(errors) == RACERS - 1 and all(isinstance(e, ClaimConflict) for e in errors)
    assert {e.holder for e in errors if isinstance(e, ClaimConflict)} == set(winners)
    db.expire_all()
    holder = db.scalar(select(User.username).join(Dossier, Dossier.claimed_by_id == User.id))
    assert holder == winners[0]
    claims = [w for w in db.scalars(select(Dossier)).one().history if "nhận xử lý" in w.what]
    assert len(claims) == 1


@pytest.mark.usefixtures("postgres_only")
def test_a_double_submit_queues_one_delivery(engine: Engine, db: Session) -> None:
    make_dossier(db, **complete_values())
    operator = add_user(db, "vana")
    winners, errors = _race(
        engine, [operator] * 4, lambda s, u: submit_dossier(s, reference="472915", user=u)
    )
    assert len(winners) == 1
    assert all(isinstance(e, DossierNotEditable) for e in errors), errors
    assert db.scalar(select(func.count()).select_from(OutboxEntry)) == 1
