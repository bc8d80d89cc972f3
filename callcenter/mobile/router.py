"""Pages of the mobile site `/m`. Each step is a plain form post that works without
JavaScript; each handler is the commit point of its work.

    /m                              pick a procedure (tàu cá / hộ kinh doanh / doanh nghiệp)
    /m/dang-nhap, /m/xac-thuc       the phone, then the SMS code
    /m/thu-tuc/{code}               the form (vessel, applicant, fields, delivery) → review → send
    /m/mau/{code}                   the same form blank, for anyone: the copy the service worker keeps
    /m/ho-so, /m/ho-so/{reference}  "Hồ sơ của tôi", one dossier and its photos of documents
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from callcenter.attachments.receive import UploadRefused, read_upload, spool_file
from callcenter.attachments.storage import request_store
from callcenter.dossiers.service import DossierInvalid
from callcenter.mobile import STATIC
from callcenter.mobile import session as mobile_session
from callcenter.mobile.forms import (
    DELIVERY,
    filing_from_form,
    input_kind,
    kept_values,
    owner_id,
    prefilled,
    with_owner_id,
)
from callcenter.mobile.templating import render
from callcenter.procedures import GROUPS, Procedure, load_catalogue
from callcenter.public import filing, signin, uploads
from callcenter.public.deps import TooMany
from callcenter.public.views import dossier_out
from callcenter.security.bodies import MB, UPLOAD_BODY_LIMIT, too_large_message
from ivr.settings import Settings
from models.db import SessionDep
from models.domain.phone import InvalidPhone
from models.domain.registration import InvalidRegistration
from models.vessel import Vessel, owned_vessel

router = APIRouter(prefix="/m", include_in_schema=False)
_UPLOAD_PATH = re.compile(r"/m/ho-so/(\d+)/giay-to")  # where photos of documents are sent
# What the offline copy of a form says of the visitor: nobody.
_ANONYMOUS = {"phone": None, "csrf_token": ""}
FORBIDDEN = "Biểu mẫu đã cũ hoặc không hợp lệ nên chưa có gì được gửi. Xin ông/bà tải lại trang rồi làm lại."


class StaleForm(Exception):
    """A form whose CSRF token is not the session's: refused, nothing changed."""


async def _form(request: Request) -> dict[str, str]:
    """A posted form's text fields, once its CSRF token matched the session's."""
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    if not mobile_session.csrf_ok(request, values.get("csrf_token")):
        raise StaleForm()
    return values


MobileForm = Annotated[dict[str, str], Depends(_form)]


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _safe_next(value: str | None) -> str:
    return value if value and value.startswith("/m/") and not value.startswith("//") else "/m/ho-so"


def _sign_in_first(path: str) -> RedirectResponse:
    return RedirectResponse(f"/m/dang-nhap?tiep={quote(path, safe='')}", status_code=303)


def problem(request: Request, status_code: int, message: str, *, back: str | None = None) -> Response:
    return render(request, "problem.html", {"message": message, "back": back}, status_code=status_code)


def too_large(request: Request, limit: int | None) -> Response:
    """The site's page for a body past its limit (refused before it was read): a photo
    too large for the documents, or a form far larger than any the site sends."""
    upload = _UPLOAD_PATH.fullmatch(request.url.path)
    if upload is None:
        return problem(request, 413, f"{too_large_message(limit)} Xin ông/bà quay lại trang trước.")
    max_bytes = _settings(request).attachments.max_bytes
    return problem(request, 413, (
        f"Tệp quá lớn: mỗi ảnh hoặc tệp giấy tờ tối đa {max_bytes / MB:g} MB. Xin ông/bà chụp lại "
        "với độ phân giải thấp hơn, hoặc chọn tệp nhỏ hơn, rồi gửi lại."
    ), back=f"/m/ho-so/{upload.group(1)}#giay-to")


@router.get("")
@router.get("/")
def home(request: Request) -> Response:
    groups: dict[str, list[Procedure]] = {}
    for procedure in load_catalogue().offered_on(filing.WEB):
        groups.setdefault(procedure.group, []).append(procedure)
    ordered = [(GROUPS[g], groups[g]) for g in GROUPS if g in groups]
    return render(request, "home.html", {"groups": ordered})


@router.get("/dang-nhap")
def phone_page(request: Request, tiep: str | None = None) -> Response:
    return render(request, "phone.html", {"next": _safe_next(tiep), "errors": {}, "entered": ""})


@router.post("/dang-nhap")
def ask_code(request: Request, form: MobileForm, db: SessionDep) -> Response:
    settings, next_path, entered = _settings(request), _safe_next(form.get("next")), form.get("phone", "")

    def refused(message: str, status_code: int) -> Response:
        return render(request, "phone.html", {"next": next_path, "entered": entered,
                                              "errors": {"phone": message}}, status_code=status_code)

    try:
        phone = signin.mobile_phone(entered)
    except InvalidPhone:
        return refused(signin.BAD_PHONE, 422)
    try:
        signin.send_code(request, db, phone=phone, settings=settings)
    except TooMany:
        return refused(signin.TOO_MANY_CODES, 429)
    db.commit()
    return render(request, "code.html", {"next": next_path, "phone_e164": phone, "errors": {},
                                         "minutes": settings.mobile.otp_ttl_s // 60})


@router.post("/xac-thuc")
def check_code(request: Request, form: MobileForm, db: SessionDep) -> Response:
    settings, next_path = _settings(request), _safe_next(form.get("next"))
    try:
        phone = signin.mobile_phone(form.get("phone", ""))
    except InvalidPhone:
        return _sign_in_first(next_path)
    minutes = settings.mobile.otp_ttl_s // 60
    context: dict[str, Any] = {"next": next_path, "phone_e164": phone, "minutes": minutes}
    try:
        accepted = signin.verify_code(request, db, phone=phone, code=form.get("code", ""), settings=settings)
    except TooMany:
        return render(request, "code.html", {**context, "errors": {"code": signin.TOO_MANY_TRIES}},
                      status_code=429)
    db.commit()
    if not accepted:
        return render(request, "code.html", {**context, "errors": {"code": signin.WRONG_CODE}},
                      status_code=422)
    session = mobile_session.ensure(request).verified(phone, minutes=settings.mobile.session_minutes)
    response = RedirectResponse(next_path, status_code=303)
    mobile_session.write(response, session, settings=settings)
    return response


@router.post("/dang-xuat")
def sign_out(request: Request, form: MobileForm) -> Response:
    """The session ends, and the browser is told to forget what the site kept on the phone
    (its HTTP cache, the service worker's copies, the form kept while typing): a shared
    phone keeps nothing of this citizen. m.js forgets the kept form too, for browsers that
    ignore the header."""
    response = RedirectResponse("/m", status_code=303)
    mobile_session.clear(response, settings=_settings(request))
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


def _form_page(request: Request, procedure: Procedure, variant: str | None, values: dict[str, str], *,
               owned: Vessel | None, errors: dict[str, str] | None = None, notice: str | None = None,
               status_code: int = 200, offline_copy: bool = False) -> Response:
    """The filing form; the `offline_copy` is anyone's: no citizen, no session token."""
    return render(request, "form.html", {
        "procedure": procedure, "variant": variant, "chosen": procedure.variant(variant),
        "specs": procedure.fields_for(variant), "documents": procedure.attachments_for(variant),
        "values": values, "errors": errors or {}, "notice": notice, "delivery_methods": DELIVERY,
        "input_kind": input_kind, "owner_id": owner_id(owned), "offline_copy": offline_copy,
        **(_ANONYMOUS if offline_copy else {}),
    }, status_code=status_code)


@router.get("/thu-tuc/{code}")
def form_page(request: Request, code: str, db: SessionDep, variant: str | None = None) -> Response:
    procedure = filing.web_procedure(code)
    if procedure is None:
        return problem(request, 404, filing.NOT_OFFERED)
    phone = mobile_session.ensure(request).phone
    if phone is None:
        return _sign_in_first(request.url.path + (f"?variant={variant}" if variant else ""))
    if procedure.variants and procedure.variant(variant) is None:
        return render(request, "variant.html", {"procedure": procedure})
    owned = owned_vessel(db, phone=phone)
    return _form_page(request, procedure, variant, prefilled(owned, procedure=procedure), owned=owned)


@router.get("/mau/{code}")
def blank_form(request: Request, code: str, variant: str | None = None) -> Response:
    """The form of `/m/thu-tuc/{code}` as anyone gets it: nothing of a citizen, no session
    token. The service worker fetches it without the site's cookie and shows it when the
    network is gone; m.js puts back what was typed and, once online, reloads the real form
    before anything is sent."""
    procedure = filing.web_procedure(code)
    if procedure is None:
        return problem(request, 404, filing.NOT_OFFERED)
    if procedure.variants and procedure.variant(variant) is None:
        return render(request, "variant.html", {"procedure": procedure, **_ANONYMOUS})
    return _form_page(request, procedure, variant, prefilled(None, procedure=procedure), owned=None,
                      offline_copy=True)


def _lookup(db: Session, values: dict[str, str], settings: Settings) -> str:
    try:
        vessel, number = filing.registry_vessel(db, values.get("vessel.registration_number"),
                                                province=settings.hotline_province)
    except InvalidRegistration:
        return "Số đăng ký tàu cá không đúng dạng (VD: QNg-90567-TS hoặc 90567)."
    values["vessel.registration_number"] = number
    if vessel is None:
        return f"Chưa thấy tàu {number} trong sổ đăng ký. Ông/bà vẫn gửi được; cán bộ sẽ kiểm tra lại."
    length = f", dài {vessel.length_m} m" if vessel.length_m is not None else ""
    name = f" {vessel.vessel_name}" if vessel.vessel_name else ""
    return f"Tàu{name} ({number}{length}) có trong sổ đăng ký tàu cá."


@router.post("/thu-tuc/{code}")
def form_post(request: Request, code: str, form: MobileForm, db: SessionDep) -> Response:
    settings = _settings(request)
    procedure = filing.web_procedure(code)
    if procedure is None:
        return problem(request, 404, filing.NOT_OFFERED)
    phone = mobile_session.ensure(request).phone
    if phone is None:  # the session ran out while the form was being filled: it is kept on the phone
        return _sign_in_first(request.url.path)
    action = form.get("action", "review")
    variant = form.get("variant") or None
    values = kept_values(form)
    owned = owned_vessel(db, phone=phone)
    if action == "lookup":
        return _form_page(request, procedure, variant, values, owned=owned,
                          notice=_lookup(db, values, settings))
    if action == "edit":
        return _form_page(request, procedure, variant, values, owned=owned)
    # The registry's ID number is filled in here, never carried in a page (`values` keep it empty).
    complete = with_owner_id(form, owned)
    try:
        given = filing_from_form(complete, procedure=procedure, variant=variant)
        checked = filing.check_filing(db, phone=phone, filing=given, today=filing.today_in(settings.timezone),
                                      province=settings.hotline_province)
    except DossierInvalid as exc:
        return _form_page(request, procedure, variant, values, owned=owned, errors=exc.errors,
                          status_code=422)
    if action != "send":
        return render(request, "review.html", {
            "procedure": procedure, "chosen": procedure.variant(variant), "values": values,
            "specs": procedure.fields_for(variant), "vessel": checked.vessel, "delivery_methods": DELIVERY,
            "documents": procedure.attachments_for(variant),
            "registry_id": owner_id(owned) if complete is not form else None,
        })
    try:
        signin.count_filing(request, phone=phone, settings=settings)
    except TooMany:
        return _form_page(request, procedure, variant, values, owned=owned, notice=signin.TOO_MANY_DOSSIERS,
                          status_code=429)
    dossier = filing.file_dossier(db, phone=phone, checked=checked,
                                  sending_enabled=settings.twilio_sending_enabled)
    db.commit()
    return RedirectResponse(f"/m/ho-so/{dossier.reference}?moi=1", status_code=303)


@router.get("/ho-so")
def my_dossiers(request: Request, db: SessionDep) -> Response:
    phone = mobile_session.ensure(request).phone
    if phone is None:
        return _sign_in_first("/m/ho-so")
    items = [dossier_out(db, d) for d in filing.citizen_dossiers(db, phone=phone)]
    return render(request, "mine.html", {"items": items})


def _dossier_page(request: Request, db: Session, phone: str, reference: str, *, fresh: bool = False,
                  errors: dict[str, str] | None = None, status_code: int = 200) -> Response:
    dossier = filing.citizen_dossier(db, phone=phone, reference=reference)
    if dossier is None:
        return problem(request, 404, uploads.NOT_FOUND)
    procedure = load_catalogue().get(dossier.procedure)
    return render(request, "dossier.html", {
        "d": dossier_out(db, dossier), "fresh": fresh, "errors": errors or {},
        "documents": procedure.attachments_for(dossier.variant) if procedure else (),
        "open": dossier.status in uploads.OPEN,
    }, status_code=status_code)


@router.get("/ho-so/{reference}")
def one_dossier(request: Request, reference: str, db: SessionDep, moi: str | None = None) -> Response:
    phone = mobile_session.ensure(request).phone
    if phone is None:
        return _sign_in_first(f"/m/ho-so/{reference}")
    return _dossier_page(request, db, phone, reference, fresh=bool(moi))


# As the public API's upload: the route's ceiling only lifts the 256 KB default; the body
# is streamed and cut at ATTACHMENTS_MAX_BYTES by `read_upload`, answered on the dossier page.
@router.post("/ho-so/{reference}/giay-to", max_body_size=UPLOAD_BODY_LIMIT)
async def attach(request: Request, reference: str) -> Response:
    settings = _settings(request)
    phone = mobile_session.ensure(request).phone
    if phone is None:
        return _sign_in_first(f"/m/ho-so/{reference}")
    sessions = request.app.state.sessionmaker

    def page(errors: dict[str, str], status_code: int) -> Response:
        with sessions() as db:
            return _dossier_page(request, db, phone, reference, errors=errors, status_code=status_code)

    try:
        await run_in_threadpool(uploads.check_owner, sessions, phone=phone, reference=reference)
        with spool_file() as path:
            upload = await read_upload(request, max_bytes=settings.attachments.max_bytes, spool=path)
            if not mobile_session.csrf_ok(request, upload.fields.get("csrf_token")):
                return await run_in_threadpool(page, {"file": FORBIDDEN}, 403)
            await run_in_threadpool(
                uploads.store_upload, sessions, phone=phone, reference=reference,
                name=upload.fields.get("name", "").strip(), path=upload.path, settings=settings,
                store=request_store(request),
            )
    except UploadRefused as exc:
        return await run_in_threadpool(page, {"file": exc.message}, exc.status_code)
    except uploads.UploadProblem as exc:
        if exc.status_code == 404:
            return problem(request, 404, uploads.NOT_FOUND)
        return await run_in_threadpool(page, exc.errors, exc.status_code)
    return RedirectResponse(f"/m/ho-so/{reference}#giay-to", status_code=303)


@router.get("/sw.js")
def service_worker() -> Response:
    # Served from /m so that it may control every page under /m/.
    return FileResponse(STATIC / "sw.js", media_type="text/javascript", headers={"Cache-Control": "no-cache"})


@router.get("/manifest.webmanifest")
def manifest() -> Response:
    return FileResponse(STATIC / "manifest.webmanifest", media_type="application/manifest+json")
