"""How long a caller listens, and how many keys they press, before they hear their reference.

`python -m tests.bench.speech` prints the figures for the three paths a new dossier takes
through the current menus (the caller whose number is registered to one vessel, on a
first call and on a later one, and the caller the registry does not know), driving the
pure engine as a phone would. Speech time is estimated from the prompts as rendered for
the call: Vietnamese is written one syllable per word, read at 3.5 syllables a second.
The clock starts at the first word and stops at the first word of the reference, every
prompt heard in full (a caller who interrupts a prompt with a key hears less).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from ivr.flow.definition import Flow
from ivr.flow.engine import resume, start_call
from ivr.flow.state import Digits, Limits, Step, VesselFact
from ivr.prompts import Catalogue
from ivr.runtime import HotlineRuntime, load_runtime
from ivr.settings import Settings
from ivr.speech import digits_spoken
from tests.ivr.flow.fakes import FakeWorld

SYLLABLES_PER_SECOND = 3.5
# A weekday morning in opening hours, so no prompt depends on the day of the test run.
AT = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # Monday 09:00 in Quảng Ngãi
REFERENCE = "482915"
VESSEL = VesselFact(id=1, registration_number="QNg-90567-TS", owner_name="Nguyễn Văn Tám")

# Targets of issue 16 (seconds of speech before the reference).
FIRST_CALL_TARGET_S = 60.0
RETURNING_CALL_TARGET_S = 45.0


@dataclass(frozen=True)
class PathFigures:
    name: str
    presses: int  # single keys, `#` included
    syllables: int  # before the first word of the reference
    prompts: tuple[str, ...]
    whole_syllables: int = 0  # the whole call, the reference read twice and the goodbye included

    @property
    def seconds(self) -> float:
        return self.syllables / SYLLABLES_PER_SECOND

    @property
    def whole_seconds(self) -> float:
        return self.whole_syllables / SYLLABLES_PER_SECOND


_WORD = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)


def number_syllables(digits: str) -> int:
    """How many syllables a number written in digits takes to say (`17` → mười bảy: 2)."""
    n = int(digits)
    if n < 11 or len(digits) > 2:
        return 1 if n < 11 else len(digits)  # long numbers in prompts are read digit by digit
    tens, units = divmod(n, 10)
    if tens == 1:
        return 2  # mười X
    return 2 + (1 if units else 0)  # X mươi (Y)


def syllables(text: str) -> int:
    return sum(number_syllables(w) if w.isdigit() else 1 for w in _WORD.findall(text))


def _spoken(step: Step, catalogue: Catalogue, settings: Settings) -> list[tuple[str, str]]:
    """(prompt, text) of what the caller hears in this step, as the TwiML would say it."""
    from ivr.twiml import spoken_text  # the renderer's own words, placeholders filled

    return [(say.prompt, spoken_text(say.prompt, step, catalogue, settings, now=AT)) for say in step.says]


def walk(name: str, flow: Flow, catalogue: Catalogue, settings: Settings, world: FakeWorld,
         keys: list[str]) -> PathFigures:
    limits = Limits()
    step = start_call(flow, world, province="QNg", notice_version=catalogue.notice_version)
    heard = _spoken(step, catalogue, settings)
    for key in keys:
        # Twilio sends the digits without the `#` that ended them.
        step = resume(flow, step.state, Digits(key.rstrip("#")), world, province="QNg", limits=limits)
        if any(e.kind == "create_dossier" for e in step.effects):
            step.state.reference = REFERENCE
        heard += _spoken(step, catalogue, settings)
    total, whole, reached = 0, 0, False
    prompts = []
    marker = digits_spoken(REFERENCE, catalogue)
    for prompt, text in heard:
        prompts.append(prompt)
        whole += syllables(text)
        if not reached:
            before, found, _ = text.partition(marker)
            total += syllables(before)
            reached = bool(found)
    if not reached:
        raise AssertionError(f"{name}: the reference was never read out ({prompts})")
    return PathFigures(name, sum(len(k) for k in keys), total, tuple(prompts), whole)


def measure(runtime: HotlineRuntime | None = None, settings: Settings | None = None) -> list[PathFigures]:
    runtime = runtime or load_runtime()
    settings = settings or Settings(_env_file=None)  # type: ignore[call-arg]
    flow, catalogue = runtime.current, runtime.catalogue

    def world(owns: VesselFact | None, *, consented: bool = False) -> FakeWorld:
        return FakeWorld(caller_owns=owns, registry={"90567": VESSEL},
                         consented_to=frozenset({catalogue.notice_version} if consented else ()))

    # Safety certificate: 2, then the vessel, then 1 to send.
    return [
        walk("known caller, first call", flow, catalogue, settings, world(VESSEL), ["2", "1", "1"]),
        walk("known caller, returning", flow, catalogue, settings, world(VESSEL, consented=True),
             ["2", "1", "1"]),
        walk("unknown caller", flow, catalogue, settings, world(None), ["2", "90567#", "1", "1"]),
    ]


def report(figures: list[PathFigures]) -> str:
    lines = [f"{'path':<28} {'keys':>4} {'syllables':>9} {'speech s':>8} {'whole call s':>12}"]
    for f in figures:
        lines.append(f"{f.name:<28} {f.presses:>4} {f.syllables:>9} {f.seconds:>8.1f} {f.whole_seconds:>12.1f}")
    return "\n".join(lines)


def main() -> None:
    print("Speech before the reference (syllables ÷ 3.5/s, every prompt heard in full;")
    print(f"targets {FIRST_CALL_TARGET_S:.0f} s on a first call, {RETURNING_CALL_TARGET_S:.0f} s for a returning caller)")
    print(report(measure()))


if __name__ == "__main__":
    main()
