"""`/api/v1/public/…` (contract section 9): procedures, one-time codes, sessions, and a
citizen's own dossiers and attachments. Each endpoint is the commit point of its work.
A bad value is refused as the operators' API refuses it (`DossierInvalid`, answered by
`callcenter.api.errors`): 422 naming each one by its path, in Vietnamese."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError

from callcenter.attachments.receive import UploadRefused, read_upload, spool_file
from callcenter.attachments.storage import request_store
from callcenter.auth.deps import SettingsDep
from callcenter.dossiers.service import DossierInvalid
from callcenter.procedures import load_catalogue
from callcenter.public import filing, signin, uploads
from callcenter.public.deps import CitizenPhone, TooMany, too_many
from callcenter.public.schemas import (
    AttachmentOut,
    CitizenDossierOut,
    CodeIn,
    DossierIn,
    PhoneIn,
    PublicProcedureOut,
    ReferenceOut,
    SessionOut,
    shape_errors,
)
from callcenter.public.tokens import issue_citizen_token
from callcenter.public.views import dossier_out, procedure_out
from callcenter.security.bodies import UPLOAD_BODY_LIMIT
from models.db import SessionDep
from models.domain.phone import InvalidPhone

router = APIRouter(prefix="/public", tags=["smartphone"])

Json = Annotated[Any, Body()]


def _parse(model: type[Any], body: Any) -> Any:
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise DossierInvalid(shape_errors(exc)) from None


def _phone(raw: str) -> str:
    try:
        return signin.mobile_phone(raw)
    except InvalidPhone:
        raise DossierInvalid({"phone": signin.BAD_PHONE}) from None


@router.get("/procedures")
def procedures() -> list[PublicProcedureOut]:
    return [procedure_out(p) for p in load_catalogue().offered_on(filing.WEB)]


@router.post("/otp", status_code=status.HTTP_202_ACCEPTED)
def request_code(body: Json, request: Request, session: SessionDep, settings: SettingsDep) -> dict[str, str]:
    phone = _phone(_parse(PhoneIn, body).phone)
    try:
        signin.send_code(request, session, phone=phone, settings=settings)
    except TooMany as exc:
        raise too_many(exc, signin.TOO_MANY_CODES) from None
    session.commit()
    return {"detail": signin.SENT}


@router.post("/session")
def open_session(body: Json, request: Request, session: SessionDep, settings: SettingsDep) -> SessionOut:
    given = _parse(CodeIn, body)
    phone = _phone(given.phone)
    try:
        accepted = signin.verify_code(request, session, phone=phone, code=given.code, settings=settings)
    except TooMany as exc:
        raise too_many(exc, signin.TOO_MANY_TRIES) from None
    session.commit()  # the try counts even when it was wrong
    if not accepted:
        raise DossierInvalid({"code": signin.WRONG_CODE})
    token = issue_citizen_token(
        phone=phone, secret_key=settings.secret_key, minutes=settings.mobile.session_minutes
    )
    return SessionOut(token=token.token, expires_at=token.expires_at)


@router.post("/dossiers", status_code=status.HTTP_201_CREATED)
def file_dossier(
    body: Json, request: Request, phone: CitizenPhone, session: SessionDep, settings: SettingsDep
) -> ReferenceOut:
    given = _parse(DossierIn, body)
    checked = filing.check_filing(session, phone=phone, filing=given,
                                  today=filing.today_in(settings.timezone),
                                  province=settings.hotline_province)
    try:
        signin.count_filing(request, phone=phone, settings=settings)
    except TooMany as exc:
        raise too_many(exc, signin.TOO_MANY_DOSSIERS) from None
    dossier = filing.file_dossier(session, phone=phone, checked=checked,
                                  sending_enabled=settings.twilio_sending_enabled)
    session.commit()
    return ReferenceOut(reference=dossier.reference)


@router.get("/dossiers")
def my_dossiers(phone: CitizenPhone, session: SessionDep) -> dict[str, list[CitizenDossierOut]]:
    return {"items": [dossier_out(session, d) for d in filing.citizen_dossiers(session, phone=phone)]}


@router.get("/dossiers/{reference}")
def my_dossier(reference: str, phone: CitizenPhone, session: SessionDep) -> CitizenDossierOut:
    dossier = filing.citizen_dossier(session, phone=phone, reference=reference)
    if dossier is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, uploads.NOT_FOUND)
    return dossier_out(session, dossier)


# The body is streamed to a file and cut at ATTACHMENTS_MAX_BYTES by `read_upload`, which
# says the configured limit; the route's own ceiling only lifts the app's 256 KB default.
@router.post("/dossiers/{reference}/attachments", status_code=status.HTTP_201_CREATED,
             max_body_size=UPLOAD_BODY_LIMIT)
async def attach(
    reference: str, request: Request, phone: CitizenPhone, settings: SettingsDep
) -> AttachmentOut:
    sessions = request.app.state.sessionmaker
    try:
        await run_in_threadpool(uploads.check_owner, sessions, phone=phone, reference=reference)
        with spool_file() as path:
            upload = await read_upload(request, max_bytes=settings.attachments.max_bytes, spool=path)
            stored, label = await run_in_threadpool(
                uploads.store_upload, sessions, phone=phone, reference=reference,
                name=upload.fields.get("name", "").strip(), path=upload.path, settings=settings,
                store=request_store(request),
            )
    except UploadRefused as exc:
        raise HTTPException(exc.status_code, exc.message) from None
    except uploads.UploadProblem as exc:
        if exc.status_code == 422:
            raise DossierInvalid(exc.errors) from None
        raise HTTPException(exc.status_code, "; ".join(exc.errors.values())) from None
    return AttachmentOut(id=stored.id, name=stored.name, label=label, content_type=stored.content_type,
                         size=stored.size, created_at=stored.created_at)
