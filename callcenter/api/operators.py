"""Live calls (contract section 8): the softphone token, presence, callers waiting, wrap-up."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Request, status
from pydantic import BaseModel, Field
from sqlalchemy import select

from callcenter.auth.deps import SettingsDep, StaffUser, SupervisorUser, require_roles
from callcenter.operators.card import CallerCard, cards_for, menu_titles, path_in_words, waiting_entries
from callcenter.operators.desk import choose_state, desk_cards, keep_alive, roster
from callcenter.operators.voice_token import SoftphoneNotConfigured, mint_voice_token
from callcenter.operators.wrap_up import WrapUpRefused, file_wrap_up, wrap_up_codes
from ivr.queue.presence import ANSWERING_ROLES, StateRefused, housekeep, identity_of
from ivr.runtime import HotlineRuntime
from models.base import utcnow
from models.db import SessionDep
from models.operator import OperatorPresence
from models.user import User

router = APIRouter(tags=["live calls"])
AnsweringUser = Annotated[User, Depends(require_roles(*ANSWERING_ROLES))]


class VoiceTokenOut(BaseModel):
    token: str
    identity: str
    expires_at: datetime


@router.post("/voice/token")
def voice_token(user: AnsweringUser, settings: SettingsDep) -> VoiceTokenOut:
    try:
        minted = mint_voice_token(settings=settings, user=user, now=utcnow())
    except SoftphoneNotConfigured as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=str(exc)) from None
    return VoiceTokenOut(token=minted.token, identity=minted.identity, expires_at=minted.expires_at)


class PresenceOut(BaseModel):
    username: str
    name: str
    state: str
    since: datetime
    call_sid: str | None


class StateIn(BaseModel):
    state: Literal["ready", "away"]


def _presence_out(user: User, row: OperatorPresence | None) -> PresenceOut:
    if row is None:
        return PresenceOut(username=user.username, name=user.full_name, state="away", since=user.created_at,
                           call_sid=None)
    return PresenceOut(username=user.username, name=user.full_name, state=row.state, since=row.since,
                       call_sid=row.call_sid if row.state in ("on_call", "wrap_up") else None)


@router.put("/operators/me/state")
def put_state(body: StateIn, user: AnsweringUser, session: SessionDep, settings: SettingsDep) -> PresenceOut:
    now = utcnow()
    try:
        row = choose_state(session, user=user, state=body.state, settings=settings, now=now)
    except StateRefused as exc:
        session.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from None
    session.commit()
    return _presence_out(user, row)


class CardDossier(BaseModel):
    reference: str
    procedure: str
    status: str
    created_at: datetime


# `CallerCard` as the contract names it: validated from the card's fields, the aliases
# giving the card's own name where the contract's differs.
class CardOut(BaseModel):
    call_sid: str
    from_: str = Field(validation_alias="from_number", serialization_alias="from")
    waiting_s: int
    vessel: str | None = Field(validation_alias="vessel_registration")
    vessel_from_caller_id: bool
    vessel_verified: bool
    vessel_name: str | None
    owner_name: str | None
    procedure: str | None
    variant: str | None
    path: list[str]
    path_titles: list[str]  # the same menus as the guide names them, for people to read
    reason: str | None
    reason_text: str
    answered_by: str | None
    wrap_up_code: str | None
    dossiers: list[CardDossier]
    open_callbacks: int

    @classmethod
    def of(cls, card: CallerCard, titles: dict[str, str]) -> CardOut:
        return cls.model_validate({**asdict(card), "path_titles": path_in_words(card, titles)})


class MeOut(PresenceOut):
    identity: str
    offer: CardOut | None  # the caller offered to this operator now (their console rings)
    card: CardOut | None  # the caller they are talking to, or wrapping up


@router.get("/operators/me", response_model_by_alias=True)
def get_me(user: AnsweringUser, session: SessionDep, settings: SettingsDep, request: Request) -> MeOut:
    """This operator's presence, the caller offered to them and the card of their call."""
    now = utcnow()
    keep_alive(session, user_id=user.id, settings=settings, now=now)
    session.commit()
    row = session.get(OperatorPresence, user.id)
    cards = desk_cards(session, user_id=user.id, row=row, now=now)
    titles = _titles(request)
    return MeOut(**_presence_out(user, row).model_dump(), identity=identity_of(user),
                 offer=CardOut.of(cards.offer, titles) if cards.offer else None,
                 card=CardOut.of(cards.card, titles) if cards.card else None)


@router.get("/operators")
def list_operators(user: SupervisorUser, session: SessionDep, settings: SettingsDep) -> list[PresenceOut]:
    now = utcnow()
    housekeep(session, settings=settings, now=now)
    session.commit()
    return [_presence_out(u, p) for u, p in roster(session)]


def _titles(request: Request) -> dict[str, str]:
    runtime: HotlineRuntime = request.app.state.hotline
    return menu_titles(runtime)


class WaitingOut(BaseModel):  # validated from a short `CallerCard`, as `CardOut` is
    call_sid: str
    from_: str = Field(validation_alias="from_number", serialization_alias="from")
    waiting_s: int
    vessel: str | None = Field(validation_alias="vessel_registration")
    path: list[str]
    path_titles: list[str]
    reason: str | None
    offered_to: str | None


@router.get("/queue", response_model_by_alias=True,
            responses={403: {"description": "not a role that answers calls (an admin)"}})
def get_queue(user: AnsweringUser, session: SessionDep, request: Request) -> list[WaitingOut]:
    """Callers waiting now, with their whole numbers: for those who answer them (operators,
    supervisors), as the console's live panel; an admin manages accounts, not callers."""
    now = utcnow()
    entries = waiting_entries(session)
    offered = {e.offered_to_id for e in entries if e.offered_to_id}
    names = dict(session.execute(select(User.id, User.username).where(User.id.in_(offered))).all()) \
        if offered else {}
    titles = _titles(request)
    out = []
    for entry, card in zip(entries, cards_for(session, entries, now=now), strict=True):
        out.append(WaitingOut.model_validate({
            **asdict(card), "path_titles": path_in_words(card, titles),
            "offered_to": names.get(entry.offered_to_id) if entry.offered_to_id else None}))
    return out


class WrapUpCodeOut(BaseModel):
    code: str
    label: str


@router.get("/wrap-up-codes")
def get_wrap_up_codes(user: StaffUser) -> list[WrapUpCodeOut]:
    return [WrapUpCodeOut(code=c.code, label=c.label) for c in wrap_up_codes()]


class WrapUpIn(BaseModel):
    code: str = Field(max_length=32)
    note: str = Field(default="", max_length=2000)


class WrapUpOut(BaseModel):
    code: str | None
    note: str | None
    by: str | None
    at: datetime | None


@router.post("/calls/{call_sid}/wrap-up")
def post_wrap_up(call_sid: str, body: WrapUpIn, user: AnsweringUser, session: SessionDep,
                 settings: SettingsDep) -> WrapUpOut:
    now = utcnow()
    try:
        entry = file_wrap_up(session, call_sid=call_sid, user=user, code=body.code, note=body.note, now=now)
    except WrapUpRefused as exc:
        session.rollback()
        if exc.field is not None:
            raise HTTPException(exc.status, detail=[{"loc": ["body", exc.field], "msg": exc.message,
                                                     "type": "value_error"}]) from None
        raise HTTPException(exc.status, detail=exc.message) from None
    session.commit()
    return WrapUpOut(code=entry.wrap_up_code, note=entry.wrap_up_note, by=entry.wrap_up_by,
                     at=entry.wrap_up_at)
