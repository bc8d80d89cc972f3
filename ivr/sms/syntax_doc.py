"""docs/sms.md, generated from the keyword table: `python -m ivr.sms.syntax_doc > docs/sms.md`.

A test compares the file with this output, so the published syntax cannot drift from
what the parser understands.
"""

from __future__ import annotations

from ivr.settings import Settings
from ivr.sms.parser import EXAMPLE_VESSEL, KEYWORDS, Keyword
from ivr.sms.replies import help_text
from ivr.sms.service import SmsLimits

DEFAULTS = Settings.model_fields


def _effect(keyword: Keyword) -> str:
    if keyword.action == "draft":
        variant = f", variant `{keyword.variant}`" if keyword.variant else ""
        return f"draft dossier, `{keyword.procedure}`{variant}; reply: the reference"
    if keyword.action == "status":
        return "none; reply: where the sender's newest dossier (or the given one) stands"
    return "none; reply: the help text (also the answer to anything not understood)"


def render_markdown() -> str:
    hotline = str(DEFAULTS["hotline_display"].default)
    province = str(DEFAULTS["hotline_province"].default)
    limits = SmsLimits()
    same_hours = int(limits.same_request_window.total_seconds() // 3600)
    draft_minutes = int(limits.drafts_window.total_seconds() // 60)
    rows = "\n".join(
        f"| `{k.syntax}` | {k.meaning} | {_effect(k)} | {', '.join(f'`{a}`' for a in k.aliases)} "
        f"| {', '.join(f'`{e.text}`' for e in k.examples)} |"
        for k in KEYWORDS
    )
    return f"""# SMS to the hotline

<!-- Generated from ivr/sms/parser.py by `python -m ivr.sms.syntax_doc > docs/sms.md`;
     tests/ivr/sms/test_docs.py fails when this file and the parser disagree. -->

Fishers text the hotline number ({hotline}); Twilio posts each message to
`POST /twilio/sms`. Case and diacritics do not matter, and spaces, dots and dashes
inside a keyword or a number are tolerated (`gp.cl {EXAMPLE_VESSEL}`, `G P {EXAMPLE_VESSEL}`,
`GP-CL {EXAMPLE_VESSEL}`). `<số tàu>` (vessel) is the digits (`{EXAMPLE_VESSEL}`, the
hotline's province `{province}` implied) or the whole registration number
(`{province}-{EXAMPLE_VESSEL}-TS`, `{province.lower()}{EXAMPLE_VESSEL}ts`); `<mã hồ sơ>` is
the 6-digit dossier reference.

| message | meaning (as printed in the guide) | effect | spellings understood (letters only) | examples |
| --- | --- | --- | --- | --- |
{rows}

A keyword with a missing or malformed argument (`GP`, `GPX {EXAMPLE_VESSEL}`, `TT 1234`) gets
a reply naming the problem with an example, never a guess.

The reply to `HD` (generated from the same table):

```text
{help_text(hotline)}
```

- Replies are plain Vietnamese without diacritics, one 160-character segment where possible.
- A draft is the same as a call's (`channel=sms`); a vessel the registry does not know
  leaves an unverified draft, and the reply says an operator will call to check the number.
- `TT` reads the newest dossier of the sender's number (and lists up to two others);
  `TT <mã hồ sơ>` reads that dossier. The postal tracking number (once the result is on
  its way) goes only to the dossier's own number; any other number gets status and dates.
- A repeated `MessageSid` has one effect and gets the same reply.
- The same request (procedure and vessel) while its draft still waits, within
  {same_hours} hours, gets that draft's reference instead of a new draft.
- At most {limits.drafts_per_window} drafts per sender in {draft_minutes} minutes; beyond that the reply
  asks to wait for the operator's call.
- At most {limits.messages_per_minute} messages per sender a minute are answered; the next one is told to
  wait, later ones get no reply (so an auto-responder cannot loop with the hotline).
  Every message is still recorded.
"""


if __name__ == "__main__":
    print(render_markdown(), end="")
