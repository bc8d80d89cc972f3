"""Every supervisor page, under /console/supervisor; supervisors and admins only."""

from __future__ import annotations

from fastapi import APIRouter

from callcenter.supervisor import calls, dashboard, wallboard

PREFIX = "/console/supervisor"

router = APIRouter(include_in_schema=False)
# The prefix on each include: the dashboard itself lives at the bare prefix.
router.include_router(dashboard.router, prefix=PREFIX)
router.include_router(calls.router, prefix=PREFIX)
router.include_router(wallboard.router, prefix=PREFIX)
