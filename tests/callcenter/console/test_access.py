"""Plain HTTP: logging in, CSRF on every form, and who may see which page."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr.settings import Settings
from models.audit import AuditEntry
from models.dossier import Dossier
from models.login_throttle import LoginThrottle
from models.user import User
from tests.callcenter.console.conftest import BASE, PASSWORD, MakeDraft, MakeUser, csrf_of, log_in


def test_a_page_without_a_session_sends_you_to_the_login_and_back(client: TestClient) -> None:
    response = client.get("/console/queue?cursor=x", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/console/login?next=%2Fconsole%2Fqueue%3Fcursor%3Dx"


def test_login_sets_a_signed_httponly_lax_secure_cookie_and_audits(
    client: TestClient, operator: User, db: Session
) -> None:
    page = client.get("/console/login?next=/console/callbacks")
    response = client.post("/console/login", data={
        "csrf_token": csrf_of(page.text), "username": "vana", "password": PASSWORD, "next": "/console/callbacks",
    }, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/console/callbacks"
    cookie = response.headers["set-cookie"]
    # PUBLIC_BASE_URL is https in the test settings, so the cookie is Secure.
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" in cookie
    assert db.scalars(select(AuditEntry.action).where(AuditEntry.actor == "vana")).all() == ["login"]


def test_login_never_redirects_off_the_console(client: TestClient, operator: User) -> None:
    page = client.get("/console/login")
    response = client.post("/console/login", data={
        "csrf_token": csrf_of(page.text), "username": "vana", "password": PASSWORD, "next": "//evil.example/x",
    }, follow_redirects=False)
    assert response.headers["location"] == "/console/queue"


def test_login_without_the_csrf_token_is_refused_and_counts_nothing(
    client: TestClient, operator: User, db: Session
) -> None:
    client.get("/console/login")
    response = client.post("/console/login", data={"username": "vana", "password": "wrong-password"})
    assert response.status_code == 403
    assert "mã bảo vệ CSRF" in response.text
    assert db.scalars(select(LoginThrottle)).all() == []
    assert client.get("/console/queue", follow_redirects=False).status_code == 303


def test_bad_passwords_then_a_wait_with_its_message(
    client: TestClient, operator: User, settings: Settings
) -> None:
    settings.login.delay_base_s = 30  # the app's login reads this: 30 s after the fourth failure
    token = csrf_of(client.get("/console/login").text)
    for _ in range(4):
        bad = client.post("/console/login", data={"csrf_token": token, "username": "vana", "password": "nope-nope-1"})
        assert bad.status_code == 401
        assert "Sai tên đăng nhập hoặc mật khẩu." in bad.text
    # From this address this username now waits (30 s, doubling): even the right
    # password is not checked until then, and the answer says when to come back.
    right = client.post("/console/login", data={"csrf_token": token, "username": "vana", "password": PASSWORD})
    assert right.status_code == 429
    assert "Đăng nhập quá nhiều lần. Vui lòng thử lại sau 30 giây." in right.text
    assert right.headers["Retry-After"] == "30"


def test_an_operator_gets_a_vietnamese_403_on_a_supervisor_page(operator_client: TestClient) -> None:
    response = operator_client.get("/console/activity")
    assert response.status_code == 403
    assert "Không có quyền truy cập" in response.text
    assert operator_client.get("/console/queue").status_code == 200


def test_a_supervisor_sees_the_operators_pages_and_their_own(
    client: TestClient, make_user: MakeUser, make_draft: MakeDraft
) -> None:
    make_user("thib", "supervisor")
    draft = make_draft()
    log_in(client, "thib")
    assert client.get("/console/queue").status_code == 200
    assert client.get(f"/console/dossiers/{draft.reference}").status_code == 200
    # The audit trail (who saw which ID, from where) is the admins', as in the API.
    activity = client.get("/console/activity")
    assert activity.status_code == 403
    assert "chỉ dành cho quản trị viên" in activity.text
    assert 'href="/console/activity"' not in client.get("/console/queue").text


def test_an_admin_reads_the_audit_trail_a_supervisor_may_not(
    client: TestClient, make_user: MakeUser
) -> None:
    make_user("quantri", "admin")
    log_in(client, "quantri")
    activity = client.get("/console/activity")
    assert activity.status_code == 200
    assert "Đăng nhập" in activity.text and "quantri" in activity.text
    assert 'href="/console/activity"' in client.get("/console/queue").text


def test_a_claim_with_a_wrong_csrf_token_changes_nothing(
    operator_client: TestClient, make_draft: MakeDraft, db: Session
) -> None:
    draft = make_draft()
    for data in ({}, {"csrf_token": "forged"}):
        response = operator_client.post(f"/console/dossiers/{draft.reference}/claim", data=data)
        assert response.status_code == 403
        assert "không có gì được thay đổi" in response.text
    db.refresh(draft)
    assert draft.claimed_by_id is None and draft.status == "draft"


def test_a_save_with_a_wrong_csrf_token_changes_nothing(
    operator_client: TestClient, make_draft: MakeDraft, db: Session
) -> None:
    draft = make_draft()
    response = operator_client.post(f"/console/dossiers/{draft.reference}",
                                    data={"csrf_token": "forged", "applicant.name": "Kẻ Giả Mạo"})
    assert response.status_code == 403
    db.refresh(draft)
    assert draft.applicant_name is None


def test_logout_needs_csrf_and_ends_even_a_copied_session(operator_client: TestClient) -> None:
    page = operator_client.get("/console/queue")
    copied = dict(operator_client.cookies)
    assert operator_client.post("/console/logout", data={}).status_code == 403
    response = operator_client.post("/console/logout", data={"csrf_token": csrf_of(page.text)},
                                    follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/console/login")
    operator_client.cookies.clear()
    for name, value in copied.items():
        operator_client.cookies.set(name, value)
    assert operator_client.get("/console/queue", follow_redirects=False).status_code == 303


def test_an_api_token_is_not_a_console_session(client: TestClient, operator: User) -> None:
    token = client.post("/api/v1/auth/token", data={"username": "vana", "password": PASSWORD}).json()
    client.cookies.set("tongdai_console", token["access_token"])
    assert client.get("/console/queue", follow_redirects=False).status_code == 303


def test_claim_winner_goes_to_the_dossier_and_the_loser_sees_who_has_it(
    operator_client: TestClient, make_user: MakeUser, make_draft: MakeDraft, app: object, db: Session
) -> None:
    draft = make_draft()
    token = csrf_of(operator_client.get("/console/queue").text)
    won = operator_client.post(f"/console/dossiers/{draft.reference}/claim", data={"csrf_token": token},
                               follow_redirects=False)
    assert won.headers["location"] == f"/console/dossiers/{draft.reference}"

    make_user("thic", "operator")
    with TestClient(app, base_url=BASE) as other:  # type: ignore[arg-type]
        log_in(other, "thic")
        token = csrf_of(other.get("/console/queue").text)
        lost = other.post(f"/console/dossiers/{draft.reference}/claim", data={"csrf_token": token})
    assert lost.status_code == 200
    assert "Hồ sơ đang được Nguyễn Văn A xử lý" in lost.text  # the holder by name
    assert db.scalar(select(Dossier.claimed_by_id).where(Dossier.id == draft.id)) is not None


def test_a_supervisor_can_give_back_a_dossier_another_operator_holds(
    operator_client: TestClient, make_user: MakeUser, make_draft: MakeDraft, app: object, db: Session
) -> None:
    draft = make_draft()
    token = csrf_of(operator_client.get("/console/queue").text)
    operator_client.post(f"/console/dossiers/{draft.reference}/claim", data={"csrf_token": token})

    make_user("thic", "operator")
    make_user("thib", "supervisor")
    with TestClient(app, base_url=BASE) as other:  # type: ignore[arg-type]
        log_in(other, "thic")
        page = other.get(f"/console/dossiers/{draft.reference}").text
        assert "Đang do Nguyễn Văn A xử lý" in page and 'id="release"' not in page
        assert 'id="dossier-form"' not in page and 'id="claim"' not in page  # held: no form, no claim
        refused = other.post(f"/console/dossiers/{draft.reference}/release", data={"csrf_token": csrf_of(page)})
        assert refused.status_code == 409
    with TestClient(app, base_url=BASE) as supervisor:  # type: ignore[arg-type]
        log_in(supervisor, "thib")
        page = supervisor.get(f"/console/dossiers/{draft.reference}").text
        released = supervisor.post(f"/console/dossiers/{draft.reference}/release",
                                   data={"csrf_token": csrf_of(page)}, follow_redirects=False)
        assert released.headers["location"] == "/console/queue"
    db.refresh(draft)
    assert draft.claimed_by_id is None
