"""Every path of the published menu, through the pure step function."""

from __future__ import annotations

from ivr.flow.state import Digits, DossierFact, Limits, NoInput
from tests.ivr.flow.fakes import VESSEL_90567, VESSEL_96169, FakeWorld, Phone


def keys(phone: Phone, *presses: str) -> None:
    for p in presses:
        phone.press(Digits(p))


def test_greeting_plays_the_notice_in_full_then_waits_in_the_main_menu() -> None:
    phone = Phone(FakeWorld())
    first = phone.last
    assert [s.prompt for s in first.says] == ["greeting_notice", "main_menu"]
    assert first.says[0].barge_in is False
    assert first.wait is not None and first.wait.node == "main"
    assert first.effects == []  # listening to the notice is not consent


def test_first_key_that_goes_on_is_the_consent_and_only_once() -> None:
    phone = Phone(FakeWorld())
    phone.press(Digits("*"))  # repeating is not going on
    assert not any(e.kind == "consent" for e in phone.last.effects)
    phone.press(Digits("1"))
    assert [e.kind for e in phone.last.effects] == ["consent"]
    assert phone.last.state.consent
    phone.press(Digits("1"))
    assert not any(e.kind == "consent" for e in phone.last.effects)


def test_licence_new_for_an_unknown_caller_with_digit_entry_and_readback() -> None:
    phone = Phone(FakeWorld(registry={"90567": VESSEL_90567}))
    keys(phone, "1", "1")
    assert phone.last.wait is not None and phone.last.wait.node == "vessel_entry"
    phone.press(Digits("90567"))
    assert phone.prompts() == ["vessel_readback"]
    assert phone.last.state.vessel_owner == "Nguyễn Văn Tàu"
    phone.press(Digits("1"))
    assert phone.prompts() == ["confirm"]
    phone.press(Digits("1"))
    st = phone.last.state
    assert (st.procedure, st.variant, st.vessel_registration, st.vessel_verified) == (
        "fishing_licence", "new", "QNg-90567-TS", True,
    )
    assert [e.kind for e in phone.last.effects] == ["create_dossier"]
    assert phone.prompts() == ["done"] and phone.last.end is not None and phone.last.end.kind == "hangup"


def test_reissue_for_the_caller_whose_number_is_registered_to_one_vessel() -> None:
    phone = Phone(FakeWorld(caller_owns=VESSEL_96169))
    keys(phone, "1", "2")
    assert phone.prompts() == ["vessel_known"]
    assert phone.last.state.vessel_registration == "QNg-96169-TS"
    keys(phone, "1")
    assert phone.prompts() == ["confirm"]
    st = phone.last.state
    assert (st.variant, st.vessel_id, st.vessel_verified) == ("reissue", 2, True)


def test_caller_known_can_enter_another_vessel() -> None:
    phone = Phone(FakeWorld(caller_owns=VESSEL_96169, registry={"90567": VESSEL_90567}))
    keys(phone, "2", "2", "90567", "1")
    st = phone.last.state
    assert (st.procedure, st.variant, st.vessel_registration) == ("vessel_safety_certificate", None, "QNg-90567-TS")


def test_unknown_vessel_can_go_on_unverified_or_be_entered_again() -> None:
    phone = Phone(FakeWorld())
    keys(phone, "2", "12345")
    assert phone.prompts() == ["vessel_not_found"]
    keys(phone, "1")
    assert phone.last.wait is not None and phone.last.wait.node == "vessel_entry"
    keys(phone, "12345", "2")
    st = phone.last.state
    assert phone.prompts() == ["confirm"]
    assert (st.vessel_registration, st.vessel_verified, st.vessel_id) == ("QNg-12345-TS", False, None)


def test_start_again_forgets_the_choices() -> None:
    phone = Phone(FakeWorld(registry={"90567": VESSEL_90567}))
    keys(phone, "1", "1", "90567", "1", "2")
    st = phone.last.state
    assert phone.last.wait is not None and phone.last.wait.node == "main"
    assert (st.procedure, st.variant, st.vessel_registration) == (None, None, None)


def test_star_repeats_the_current_menu_at_every_wait() -> None:
    phone = Phone(FakeWorld(registry={"90567": VESSEL_90567}))
    for presses, node in (((), "main"), (("1",), "licence_variant"), (("1",), "vessel_entry"),
                          (("90567",), "vessel_readback"), (("1",), "confirm")):
        keys(phone, *presses)
        phone.press(Digits("*"))
        assert phone.last.wait is not None and phone.last.wait.node == node
        assert phone.last.says[-1].prompt == phone.last.says[0].prompt


def test_wrong_key_and_silence_reprompt_and_the_third_miss_queues_for_an_operator() -> None:
    phone = Phone(FakeWorld(open_now=True))
    phone.press(Digits("7"))
    assert phone.prompts() == ["invalid_key", "main_menu"]
    phone.press(NoInput())
    assert phone.prompts() == ["no_input", "main_menu"]
    phone.press(Digits("9"))
    assert phone.last.end is not None and phone.last.end.kind == "enqueue"
    assert ("outcome", "transferred") in [(e.kind, e.value) for e in phone.last.effects]


def test_a_good_key_resets_the_miss_count() -> None:
    phone = Phone(FakeWorld())
    keys(phone, "7", "8", "1")  # two misses, then on to the licence menu
    keys(phone, "5", "5")  # two misses there: still waiting
    assert phone.last.end is None and phone.last.wait is not None


def test_third_miss_outside_opening_hours_records_a_call_back_request() -> None:
    phone = Phone(FakeWorld(open_now=False))
    for _ in range(3):
        phone.press(NoInput())
    assert phone.last.end is not None and phone.last.end.kind == "record"
    assert phone.prompts() == ["callback_offer"]
    assert ("outcome", "callback_requested") in [(e.kind, e.value) for e in phone.last.effects]


def test_zero_reaches_an_operator_from_menus_and_from_digit_entry() -> None:
    for presses in (("0",), ("1", "0"), ("2", "0")):
        phone = Phone(FakeWorld())
        keys(phone, *presses)
        assert phone.last.end is not None and phone.last.end.kind == "enqueue", presses


def test_entry_rejects_letters_and_wrong_lengths() -> None:
    phone = Phone(FakeWorld())
    keys(phone, "2")
    for junk in ("12", "1234567", "9a567", "١٢٣٤٥"):
        phone = Phone(FakeWorld())
        keys(phone, "2", junk)
        assert phone.prompts() == ["invalid_entry", "vessel_entry"], junk


def test_status_reads_the_callers_newest_dossier() -> None:
    fact = DossierFact(reference="472915", procedure="fishing_licence", variant="new", status="processing")
    phone = Phone(FakeWorld(caller_dossiers=[fact]))
    keys(phone, "3")
    assert phone.prompts() == ["status_newest", "status_more"]
    assert phone.last.state.dossier is not None and phone.last.state.dossier["reference"] == "472915"
    assert ("outcome", "status_read") in [(e.kind, e.value) for e in phone.last.effects]


def test_status_by_reference_when_the_caller_has_none() -> None:
    fact = DossierFact(reference="472915", procedure="vessel_safety_certificate", variant=None, status="draft")
    phone = Phone(FakeWorld(dossiers={"472915": fact}))
    keys(phone, "3")
    assert phone.prompts() == ["status_entry"]
    keys(phone, "111111")
    assert phone.prompts() == ["status_not_found"]
    keys(phone, "1", "472915")
    assert phone.prompts() == ["status_found", "status_more"]


def test_a_call_that_goes_round_too_long_is_put_through_to_a_person() -> None:
    phone = Phone(FakeWorld(), limits=Limits(max_steps=4))
    for _ in range(4):
        phone.press(Digits("*"))
    assert phone.last.end is None
    phone.press(Digits("*"))
    assert phone.prompts()[0] == "too_long"
    assert phone.last.end is not None and phone.last.end.kind == "enqueue"


def test_every_step_is_on_the_timeline() -> None:
    phone = Phone(FakeWorld())
    keys(phone, "1")
    kinds = [(e.kind, e.menu) for e in phone.last.events]
    assert ("key", "main") in kinds and ("menu", "licence_variant") in kinds
    assert ("prompt", "licence_variant") in kinds
