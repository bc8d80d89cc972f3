"""Phone and citizen ID numbers masked in any text that reaches a log line.

Code already masks what it knows to be a number (mask_phone, mask_citizen_id); this is
the net under it, for a number inside an error message, a form echo or a free text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping
from typing import Any

from models.domain.citizen_id import mask_citizen_id
from models.domain.phone import mask_phone

# A number on its own: not inside a Twilio SID (CA + hex) or a longer digit run.
_PHONE = re.compile(r"(?<![\w+])(?:\+84|84|0)\d{8,10}(?!\w)")
_CITIZEN_ID = re.compile(r"(?<!\w)\d{12}(?!\w)")
_OLD_ID = re.compile(r"(?<!\w)\d{9}(?!\w)")  # the 9-digit CMND of old records
# Each of the three holds a run of at least nine digits: text without one is left as it
# is after one scan, not three (most log values: events, references, SIDs, outcomes).
_NINE_DIGITS = re.compile(r"\d{9}")


def mask_text(text: str) -> str:
    if not _NINE_DIGITS.search(text):
        return text
    text = _CITIZEN_ID.sub(lambda m: mask_citizen_id(m.group()), text)
    text = _PHONE.sub(lambda m: mask_phone(m.group()), text)
    return _OLD_ID.sub(lambda m: mask_citizen_id(m.group()), text)


def mask_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, Mapping):
        return {k: mask_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [mask_value(v) for v in value]
    return value


_PLAIN = (int, float, bool, type(None))


def mask_personal_data(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: every string value, nested ones too.

    Most lines are a few short strings with no nine-digit run: those are searched once,
    joined (a run cannot span the line break between two values), instead of value by
    value; anything nested, or a line with a run, is masked value by value.
    """
    texts: list[str] = []
    for value in event_dict.values():
        if isinstance(value, str):
            texts.append(value)
        elif not isinstance(value, _PLAIN):
            break
    else:
        if not _NINE_DIGITS.search("\n".join(texts)):
            return event_dict
    for key, value in event_dict.items():
        event_dict[key] = mask_value(value)
    return event_dict
