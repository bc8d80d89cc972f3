"""The SMS grammar: every keyword, the ways fishers actually type it, and what is refused."""

from __future__ import annotations

import pytest

from ivr.sms.parser import HELP, KEYWORDS, parse_sms, simplify

BY_CODE = {k.code: k for k in KEYWORDS}


def parsed(body: str) -> tuple[str, str | None, str | None, str | None]:
    r = parse_sms(body, province="QNg")
    return r.keyword.code, r.vessel, r.reference, r.problem


@pytest.mark.parametrize("keyword", KEYWORDS, ids=lambda k: k.code)
def test_every_published_example_parses_to_what_it_promises(keyword) -> None:  # type: ignore[no-untyped-def]
    assert keyword.examples, keyword.code
    for example in keyword.examples:
        request = parse_sms(example.text, province="QNg")
        assert request.keyword is keyword, example.text
        assert request.problem is None, example.text
        assert (request.vessel or request.reference) == example.means, example.text


@pytest.mark.parametrize("keyword", KEYWORDS, ids=lambda k: k.code)
def test_every_alias_and_its_spaced_and_shouted_forms_reach_the_keyword(keyword) -> None:  # type: ignore[no-untyped-def]
    tail = " 90567" if keyword.argument == "vessel" else ""
    for alias in keyword.aliases:
        for body in (alias, alias.upper(), " ".join(alias), ".".join(alias.upper()), alias + "."):
            assert parse_sms(body + tail, province="QNg").keyword is keyword, body + tail


@pytest.mark.parametrize(
    "body",
    ["GP 90567", "gp 90567", "Gp 90567", "G P 90567", "G.P. 90567", "gp.90567", "GP90567", "  GP   90567 ",
     "GP QNg-90567-TS", "GP qng90567ts", "GP QNG 90567 TS", "gp Qng.90567.Ts", "GP 90567 TS", "gp 90567, cam on",
     "Giấy phép 90567", "giay phep 90567", "GP 905 67"],
)
def test_first_issue_of_a_licence(body: str) -> None:
    assert parsed(body) == ("GP", "QNg-90567-TS", None, None)


@pytest.mark.parametrize(
    "body",
    ["GP CL 90567", "GPCL 90567", "GP-CL 90567", "gp cl 90567", "gp.cl 90567", "GP.CL90567", "G P C L 90567",
     "gpcl qng90567ts", "GP CL QNg-90567-TS", "gp lai 90567", "CL GP 90567", "gp cap lai 90567",
     "Giấy phép cấp lại 90567", "GP CL: 90567"],
)
def test_reissue_of_a_licence(body: str) -> None:
    assert parsed(body) == ("GP CL", "QNg-90567-TS", None, None)


@pytest.mark.parametrize(
    "body", ["AT 90567", "at 90567", "A T 90567", "A.T 90567", "Át 90567", "AT QNg-90567-TS", "at qng90567ts",
             "an toan 90567", "An toàn 90567", "AT:90567"],
)
def test_safety_certificate(body: str) -> None:
    assert parsed(body) == ("AT", "QNg-90567-TS", None, None)


def test_another_provinces_symbol_is_kept_and_the_hotlines_is_implied() -> None:
    assert parsed("AT BĐ 12345")[1] == "BĐ-12345-TS"
    assert parsed("AT bd12345ts")[1] == "BĐ-12345-TS"
    assert parse_sms("AT 12345", province="BĐ").vessel == "BĐ-12345-TS"


@pytest.mark.parametrize("body", ["TT", "tt", "tt.", "T T", "TT?", "tinh trang", "Tình trạng", "tt cam on"])
def test_status_of_the_senders_dossiers(body: str) -> None:
    assert parsed(body) == ("TT", None, None, None)


@pytest.mark.parametrize("body", ["TT 472915", "tt472915", "TT 472 915", "tt.472915", "T.T: 472915", "tt 472915 cam on"])
def test_status_of_one_dossier(body: str) -> None:
    assert parsed(body) == ("TT", None, "472915", None)


@pytest.mark.parametrize("body", ["HD", "hd", "H D", "Hd.", "huong dan", "Hướng dẫn", "HƯỚNG DẪN", "help", "?", "", "   "])
def test_asking_for_help(body: str) -> None:
    request = parse_sms(body, province="QNg")
    assert request.keyword is HELP and request.understood


@pytest.mark.parametrize("body", ["xin chao", "toi muon lam giay to", "90567", "472915", "ok", "Alo alo"])
def test_anything_not_understood_gets_the_help(body: str) -> None:
    request = parse_sms(body, province="QNg")
    assert request.keyword is HELP and not request.understood


@pytest.mark.parametrize(
    ("body", "problem"),
    [("GP", "missing_vessel"), ("GP CL", "missing_vessel"), ("AT .", "missing_vessel"),
     ("GP tau toi", "bad_vessel"), ("GPX 90567", "bad_vessel"), ("GP 90567 96169", "bad_vessel"),
     ("AT 12", "bad_vessel"), ("AT 1234567", "bad_vessel"),
     ("TT 12345", "bad_reference"), ("TT 012345", "bad_reference"), ("TT 4729155", "bad_reference")],
)
def test_a_keyword_with_a_bad_argument_is_named_not_guessed(body: str, problem: str) -> None:
    code, vessel, reference, found = parsed(body)
    assert code != "HD" and (vessel, reference, found) == (None, None, problem)


def test_the_longest_spelling_wins_so_a_reissue_is_never_read_as_a_first_issue() -> None:
    aliases = [(a, k.code) for k in KEYWORDS for a in k.aliases]
    for alias, code in aliases:
        assert parse_sms(alias + " 90567", province="QNg").keyword.code == code
    assert len({a for a, _ in aliases}) == len(aliases), "one spelling, two keywords"


def test_simplify_folds_case_diacritics_and_punctuation() -> None:
    assert simplify("GP.CL  QNg-90567-TS!") == "gp cl qng 90567 ts"
    assert simplify("Đăng ký") == "dang ky"
