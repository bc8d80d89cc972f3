"""Every procedure of the catalogue has a spoken name and an SMS name in the prompt
catalogue; one without is named at start-up, and an SMS name with diacritics is refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from callcenter.procedures import load_catalogue, parse_catalogue
from callcenter.procedures.phrases import check_procedure_phrases, missing_phrases
from ivr.prompts import PROMPTS_ROOT, CatalogueError
from ivr.prompts import load_catalogue as load_prompts
from ivr.sms.replies import plain

PROMPTS = load_prompts()


def test_every_shipped_procedure_has_a_spoken_and_an_sms_name() -> None:
    procedures = load_catalogue()
    assert len(procedures.procedures) == 5
    assert missing_phrases(procedures, PROMPTS) == []
    for procedure in procedures.procedures:
        spoken = PROMPTS.procedure_phrase("procedure", procedure.code, None)
        sms = PROMPTS.procedure_phrase("procedure_sms", procedure.code, None)
        assert procedure.code not in spoken and "_" not in spoken
        assert sms.isascii() and len(sms) <= 40 and "_" not in sms
        assert sms == plain(sms)  # already plain Vietnamese: nothing for GSM-7 to lose


def test_a_procedure_added_without_names_stops_the_start_naming_it() -> None:
    added = parse_catalogue('''
[[procedure]]
code = "fishing_licence"
name = "Cấp, cấp lại Giấy phép khai thác thủy sản"
processing_days = 6
legal_basis = "x"

[[procedure]]
code = "market_stall_permit"
name = "Cấp phép kinh doanh tại chợ"
processing_days = 5
legal_basis = "x"
''')
    assert missing_phrases(added, PROMPTS) == [
        "[phrases.procedure] market_stall_permit", "[phrases.procedure_sms] market_stall_permit"]
    with pytest.raises(CatalogueError, match="market_stall_permit"):
        check_procedure_phrases(added, PROMPTS)


def test_a_procedure_no_longer_in_the_catalogue_is_named_generically_not_by_code() -> None:
    assert PROMPTS.procedure_phrase("procedure", "ferry_licence", None) == "thủ tục hành chính"
    assert PROMPTS.procedure_phrase("procedure_sms", "ferry_licence", "new") == "thu tuc hanh chinh"


def test_an_sms_name_with_diacritics_is_refused_at_load(tmp_path: Path) -> None:
    shutil.copytree(PROMPTS_ROOT / "vi", tmp_path / "vi", ignore=shutil.ignore_patterns("audio"))
    path = tmp_path / "vi" / "prompts.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('promotion_notice = "thong bao khuyen mai"',
                                 'promotion_notice = "thông báo khuyến mại"'), encoding="utf-8")
    with pytest.raises(CatalogueError, match="promotion_notice"):
        load_prompts("vi", root=tmp_path)
