"""Rendering a step: the cached TwiML must still be this call's, at this turn, in these words."""

from __future__ import annotations

import shutil
from pathlib import Path

from ivr.flow.state import CallState, Step, Wait
from ivr.flow.state import Say as SayPrompt
from ivr.prompts import PROMPTS_ROOT, load_catalogue
from ivr.settings import Settings
from ivr.simulator.twiml import Gather, Redirect, Say, parse_twiml
from ivr.twiml import render_step

CATALOGUE = load_catalogue("vi")
SETTINGS = Settings(twilio_auth_token="t", public_base_url="https://hotline.example")


def _readback(owner: str) -> Step:
    state = CallState(node="vessel_readback", vessel_registration="QNg-90567-TS", vessel_owner=owner)
    return Step(state=state, says=[SayPrompt("vessel_readback")], wait=Wait("vessel_readback", "menu", 1))


def test_the_same_menu_at_two_turns_points_each_caller_at_their_own_next_step() -> None:
    first = parse_twiml(render_step(_readback("Nguyễn Văn A"), turn=3, catalogue=CATALOGUE, settings=SETTINGS))
    again = parse_twiml(render_step(_readback("Nguyễn Văn A"), turn=12, catalogue=CATALOGUE, settings=SETTINGS))
    gathers = [verb for verb in first if isinstance(verb, Gather)]
    assert gathers[0].action == "/twilio/voice/step/3"
    assert [v.url for v in first if isinstance(v, Redirect)] == ["/twilio/voice/step/3?timeout=1"]
    assert [v.action for v in again if isinstance(v, Gather)] == ["/twilio/voice/step/12"]


def test_the_read_back_names_each_callers_own_owner() -> None:
    one = render_step(_readback("Nguyễn Văn A"), turn=3, catalogue=CATALOGUE, settings=SETTINGS)
    other = render_step(_readback("Trần Thị Bích"), turn=3, catalogue=CATALOGUE, settings=SETTINGS)
    assert "Nguyễn Văn A" in one and "Trần Thị Bích" not in one
    assert "Trần Thị Bích" in other


def test_a_callers_words_are_escaped_into_the_shared_twiml() -> None:
    # The menu's TwiML is built once and this call's words are put in afterwards: they must
    # still be escaped as the library would, or an owner named with '&' breaks the call.
    twiml = render_step(_readback("Công ty A & B <Tàu 1>"), turn=4, catalogue=CATALOGUE, settings=SETTINGS)
    said = " ".join(prompt.text for gather in parse_twiml(twiml) if isinstance(gather, Gather)
                    for prompt in gather.prompts if isinstance(prompt, Say))
    assert "Công ty A & B <Tàu 1>" in said
    assert "\u27e6" not in twiml


def test_a_recorded_prompt_is_played_from_where_the_app_serves_it(tmp_path: Path) -> None:
    # The app serves PROMPTS_ROOT under /voice-prompts (ivr.webhooks.mount_voice_prompts):
    # the URL Twilio is given must name the recording's own file there, or the caller hears nothing.
    (tmp_path / "vi" / "audio").mkdir(parents=True)
    shutil.copy(PROMPTS_ROOT / "vi" / "prompts.toml", tmp_path / "vi" / "prompts.toml")
    name = next(n for n in CATALOGUE.prompts if not CATALOGUE.placeholders(n))
    (tmp_path / "vi" / "audio" / f"{name}.mp3").write_bytes(b"ID3")
    catalogue = load_catalogue("vi", root=tmp_path)
    url = catalogue.audio_url(name, SETTINGS.public_base_url)
    assert url is not None and url.startswith("https://hotline.example/voice-prompts/")
    assert (tmp_path / url.removeprefix("https://hotline.example/voice-prompts/")).is_file()
