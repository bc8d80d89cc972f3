"""`POST /twilio/bench/bare`: the floor the benchmark compares the IVR against.

It does what every webhook must (parse the form, check Twilio's signature, answer TwiML)
and nothing else: no database, no flow. Only the bench's app has it:
`uvicorn --factory tests.bench.bare:create_bench_app`.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Response

from callcenter.app import create_app
from ivr.settings import Settings
from ivr.signature import TwilioForm

router = APIRouter(prefix="/twilio/bench", include_in_schema=False)

BARE_TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Response><Gather action="/twilio/bench/bare" method="POST" timeout="8" numDigits="1">'
    '<Say language="vi-VN">Xin chào. Bấm phím 1 để tiếp tục.</Say>'
    "</Gather></Response>"
)


@router.post("/bare")
async def bare(form: TwilioForm) -> Response:
    return Response(content=BARE_TWIML, media_type="text/xml")


def create_bench_app(settings: Settings | None = None) -> FastAPI:
    """The product's app, with the bare endpoint beside its webhooks."""
    app = create_app(settings)
    app.include_router(router)
    return app
