"""The prompt catalogue (voice_prompts/<lang>/prompts.toml) and its recordings."""

from __future__ import annotations

import string
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from models.domain.text import nfc

PROMPTS_ROOT = Path(__file__).resolve().parent.parent / "voice_prompts"
AUDIO_SUFFIXES = (".mp3", ".wav")
# A procedure's name, spoken and in an SMS: keyed by its code (or `<code>_<variant>`),
# with `other` for a procedure the catalogue no longer has.
PROCEDURE_PHRASES = ("procedure", "procedure_sms")
OTHER_PROCEDURE = "other"
SMS_PROCEDURE_MAX = 40  # a receipt and a TT reply stay in one segment with it

# What the IVR can fill into a prompt; a placeholder outside this set is a catalogue bug.
PLACEHOLDERS = frozenset({
    "procedure_spoken", "vessel_spoken", "owner_name", "reference_spoken",
    "status_reference_spoken", "entered_spoken", "status_spoken", "due_date_spoken",
    "tracking_spoken",
    # From the settings and the calendar (ivr.hours): the opening hours, and when an
    # operator will call back.
    "opening_hours_spoken", "callback_when_spoken",
    # the operators' queue ([queue] in the catalogue)
    "position", "wait_minutes", "operator_name",
})


class CatalogueError(ValueError):
    pass


@dataclass(frozen=True)
class Catalogue:
    language: str
    notice_version: str
    prompts: dict[str, str]
    phrases: dict[str, dict[str, str]]
    audio: dict[str, str] = field(default_factory=dict)  # prompt name → file name

    def text(self, name: str) -> str:
        return self.prompts[name]

    def audio_url(self, name: str, base_url: str) -> str | None:
        """Where Twilio fetches the prompt's recording (served under /voice-prompts), if it has one."""
        audio = self.audio.get(name)
        return f"{base_url}/voice-prompts/{self.language[:2]}/audio/{audio}" if audio else None

    def placeholders(self, name: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(self.prompts[name]) if f}

    def phrase(self, group: str, key: str) -> str:
        return self.phrases[group][key]

    def procedure_phrase(self, group: str, procedure: str | None, variant: str | None) -> str:
        """A procedure's name in `group` (`procedure`: spoken, `procedure_sms`: an SMS's):
        its variant's own, else the procedure's, else `other` — never the raw code."""
        if not procedure:
            return ""
        table = self.phrases[group]
        if variant and f"{procedure}_{variant}" in table:
            return table[f"{procedure}_{variant}"]
        return table.get(procedure) or table[OTHER_PROCEDURE]


def load_catalogue(language: str = "vi", root: Path = PROMPTS_ROOT) -> Catalogue:
    folder = root / language
    path = folder / "prompts.toml"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogueError(f"cannot read prompt catalogue {path}: {exc}") from exc
    # The queue's prompts sit in a table of their own ([queue]) and join the others.
    prompts = {k: nfc(v) for k, v in {**raw.get("prompts", {}), **raw.get("queue", {})}.items()}
    phrases = {g: {k: nfc(v) for k, v in table.items()} for g, table in raw.get("phrases", {}).items()}
    audio_dir = folder / "audio"
    audio = {}
    if audio_dir.is_dir():
        for file in sorted(audio_dir.iterdir()):
            if file.suffix in AUDIO_SUFFIXES and file.stem in prompts:
                audio[file.stem] = file.name
    catalogue = Catalogue(
        language=raw["meta"]["language"],
        notice_version=raw["meta"]["notice_version"],
        prompts=prompts,
        phrases=phrases,
        audio=audio,
    )
    _check_procedure_phrases(phrases, path)
    for name in prompts:
        unknown = catalogue.placeholders(name) - PLACEHOLDERS
        if unknown:
            raise CatalogueError(f"prompt {name!r} uses unknown placeholders {sorted(unknown)}")
        if name in audio and catalogue.placeholders(name):
            raise CatalogueError(f"prompt {name!r} has placeholders and cannot be a recording")
    return catalogue


def _check_procedure_phrases(phrases: dict[str, dict[str, str]], path: Path) -> None:
    for group in PROCEDURE_PHRASES:
        if OTHER_PROCEDURE not in phrases.get(group, {}):
            raise CatalogueError(f"{path}: [phrases.{group}] needs '{OTHER_PROCEDURE}'")
    for key, text in phrases["procedure_sms"].items():
        if not text.isascii() or not text.strip() or len(text) > SMS_PROCEDURE_MAX:
            raise CatalogueError(f"{path}: [phrases.procedure_sms] {key!r} must be plain text without "
                                 f"diacritics, 1 to {SMS_PROCEDURE_MAX} characters")
