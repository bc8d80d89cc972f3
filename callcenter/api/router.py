"""JSON API v1 (contract section 5)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
