"""Request-scoped dependencies shared by the IVR and the console.

The session is opened per request and rolled back if the endpoint did not commit:
endpoints are the single commit point, services only flush.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from ivr.settings import HotlineSettings


def get_session(request: Request) -> Iterator[Session]:
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    session = factory()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def get_hotline_settings(request: Request) -> HotlineSettings:
    settings: HotlineSettings = request.app.state.settings
    return settings


SessionDep = Annotated[Session, Depends(get_session)]
HotlineSettingsDep = Annotated[HotlineSettings, Depends(get_hotline_settings)]
