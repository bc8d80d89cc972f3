"""JSON API v1 (contract section 5)."""

from __future__ import annotations

from fastapi import APIRouter

from callcenter.api import audit, auth, calls, dossier_actions, dossiers, operators, reports

router = APIRouter()
router.include_router(auth.router)
router.include_router(dossiers.router)
router.include_router(dossier_actions.router)
router.include_router(calls.router)
router.include_router(reports.router)
router.include_router(audit.router)
router.include_router(operators.router)
