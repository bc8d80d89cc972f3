"""The SMS grammar (contract section 7): one keyword table, the only source of the syntax.

The help reply, the printed guide and docs/sms.md are all generated from (or checked
against) `KEYWORDS`, so what fishers are told to type is exactly what is understood.

Fishers type on old keypads, mostly without diacritics, with stray spaces and dots:
`gp.cl 90567`, `G P 90567`, `at QNG 90567 TS`. So a message is folded (case and
diacritics), every run of punctuation becomes a space, and a keyword is recognised by
its letters alone (`G P`, `GP-CL`, `gpcl` are the same); the longest spelling wins, so
`GPCL` is a reissue and never `GP` for a vessel called `CL…`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from models.domain.reference import is_reference
from models.domain.registration import KNOWN_SYMBOLS, normalize_registration
from models.domain.text import fold

Action = Literal["draft", "status", "help"]
Argument = Literal["vessel", "reference"]
Problem = Literal["missing_vessel", "bad_vessel", "bad_reference"]


@dataclass(frozen=True)
class Example:
    text: str
    # What the argument must parse to (registration or reference); None: no argument.
    means: str | None = None


@dataclass(frozen=True)
class Keyword:
    code: str  # as published: `GP CL`
    action: Action
    short: str  # a few words, with diacritics; the help SMS strips them
    meaning: str  # the full name of what it does, for the guide
    aliases: tuple[str, ...]  # folded letters only, no spaces: every spelling understood
    examples: tuple[Example, ...]
    argument: Argument | None = None
    argument_required: bool = False
    procedure: str | None = None
    variant: str | None = None

    @property
    def syntax(self) -> str:
        """`GP <số tàu>`, `TT [mã hồ sơ]`: the form printed in the guide."""
        if self.argument is None:
            return self.code
        label = ARGUMENT_LABELS[self.argument]
        return f"{self.code} <{label}>" if self.argument_required else f"{self.code} [{label}]"


ARGUMENT_LABELS: dict[Argument, str] = {"vessel": "số tàu", "reference": "mã hồ sơ"}
# The vessel and dossier used in every example (guide, help text, docs).
EXAMPLE_VESSEL = "90567"
EXAMPLE_REFERENCE = "472915"
_FULL = f"QNg-{EXAMPLE_VESSEL}-TS"  # examples assume the hotline's province, Quảng Ngãi

KEYWORDS: tuple[Keyword, ...] = (
    Keyword(
        code="GP", action="draft", procedure="fishing_licence", variant="new",
        argument="vessel", argument_required=True,
        short="cấp mới giấy phép", meaning="Cấp mới giấy phép khai thác thủy sản",
        aliases=("gp", "giayphep"),
        examples=(Example(f"GP {EXAMPLE_VESSEL}", _FULL), Example(f"gp QNg-{EXAMPLE_VESSEL}-TS", _FULL)),
    ),
    Keyword(
        code="GP CL", action="draft", procedure="fishing_licence", variant="reissue",
        argument="vessel", argument_required=True,
        short="cấp lại giấy phép", meaning="Cấp lại giấy phép khai thác thủy sản",
        aliases=("gpcl", "gplai", "gpcaplai", "clgp", "giayphepcaplai"),
        examples=(Example(f"GP CL {EXAMPLE_VESSEL}", _FULL), Example(f"gpcl qng{EXAMPLE_VESSEL}ts", _FULL)),
    ),
    Keyword(
        code="AT", action="draft", procedure="vessel_safety_certificate", variant=None,
        argument="vessel", argument_required=True,
        short="chứng nhận an toàn", meaning="Cấp giấy chứng nhận an toàn kỹ thuật tàu cá",
        aliases=("at", "antoan"),
        examples=(Example(f"AT {EXAMPLE_VESSEL}", _FULL), Example(f"at QNG {EXAMPLE_VESSEL} TS", _FULL)),
    ),
    Keyword(
        code="TT", action="status", argument="reference",
        short="xem hồ sơ",
        meaning="Xem hồ sơ đến đâu: hồ sơ mới nhất của số đang nhắn, hoặc hồ sơ có mã đã nhắn",
        aliases=("tt", "tinhtrang"),
        examples=(Example("TT"), Example(f"TT {EXAMPLE_REFERENCE}", EXAMPLE_REFERENCE)),
    ),
    Keyword(
        code="HD", action="help",
        short="hướng dẫn", meaning="Nhận hướng dẫn (tin không hiểu được cũng nhận hướng dẫn này)",
        aliases=("hd", "huongdan", "help"),
        examples=(Example("HD"),),
    ),
)

HELP = next(k for k in KEYWORDS if k.action == "help")
_BY_ALIAS = sorted(((a, k) for k in KEYWORDS for a in k.aliases), key=lambda pair: -len(pair[0]))
_SYMBOLS = {fold(s): s for s in KNOWN_SYMBOLS}
_NOT_WORD = re.compile(r"[^a-z0-9]+")
# After the keyword: [province symbol] digits [TS], then perhaps a polite word or two
# ("cam on"), never more digits: `GP 90567 96169` is refused rather than half-read.
_VESSEL = re.compile(r"^(?:(?P<symbol>[a-z]{1,4}) ?)?(?P<digits>\d(?: ?\d){2,5})(?: ?ts)?(?: [a-z ]*)?$")
_REFERENCE = re.compile(r"^(?P<digits>\d(?: ?\d){5})(?: [a-z ]*)?$")


@dataclass(frozen=True)
class SmsRequest:
    keyword: Keyword  # HELP when nothing else was understood
    vessel: str | None = None  # normalised registration, `QNg-90567-TS`
    reference: str | None = None
    problem: Problem | None = None
    understood: bool = True  # False: the help was chosen because nothing matched

    @property
    def action(self) -> Action:
        return self.keyword.action


def simplify(body: str) -> str:
    """Folded, punctuation as single spaces: `GP.CL  QNg-90567-TS!` → `gp cl qng 90567 ts`."""
    return _NOT_WORD.sub(" ", fold(body)).strip()


def _split_keyword(text: str) -> tuple[Keyword, str] | None:
    squashed = text.replace(" ", "")
    for alias, keyword in _BY_ALIAS:
        if squashed.startswith(alias):
            # Walk the spaced text past as many letters as the alias has.
            consumed, i = 0, 0
            while consumed < len(alias):
                if text[i] != " ":
                    consumed += 1
                i += 1
            return keyword, text[i:].strip()
    return None


def _vessel(rest: str, province: str) -> tuple[str | None, Problem | None]:
    if not rest:
        return None, "missing_vessel"
    match = _VESSEL.match(rest)
    if match is None:
        return None, "bad_vessel"
    digits = match["digits"].replace(" ", "")
    raw_symbol = match["symbol"]
    if raw_symbol is None:
        return normalize_registration(digits, default_symbol=province), None
    symbol = _SYMBOLS.get(raw_symbol)
    if symbol is None:  # `GPX 90567`: a typo, not a province we know
        return None, "bad_vessel"
    return normalize_registration(f"{symbol}-{digits}-TS"), None


def parse_sms(body: str, *, province: str) -> SmsRequest:
    """What a fisher asked for. `province` is implied when only the digits are given."""
    text = simplify(body)
    found = _split_keyword(text)
    if found is None:
        return SmsRequest(HELP, understood=not text)
    keyword, rest = found
    if keyword.argument == "vessel":
        vessel, problem = _vessel(rest, province)
        return SmsRequest(keyword, vessel=vessel, problem=problem)
    if keyword.argument == "reference" and any(ch.isdigit() for ch in rest):
        match = _REFERENCE.match(rest)
        digits = match["digits"].replace(" ", "") if match else ""
        if not is_reference(digits):
            return SmsRequest(keyword, problem="bad_reference")
        return SmsRequest(keyword, reference=digits)
    return SmsRequest(keyword)
