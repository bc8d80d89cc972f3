"""JSON API v1 (contract section 5)."""

from __future__ import annotations

from fastapi import APIRouter

from callcenter.api import auth, calls, dossiers

router = APIRouter()
router.include_router(auth.router)
router.include_router(dossiers.router)
router.include_router(calls.router)
