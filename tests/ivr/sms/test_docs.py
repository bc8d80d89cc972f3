"""One source: docs/sms.md and the help reply say exactly what the parser understands."""

from __future__ import annotations

import re
from pathlib import Path

from ivr.sms.parser import HELP, KEYWORDS, parse_sms
from ivr.sms.replies import help_text
from ivr.sms.syntax_doc import render_markdown

DOC = Path(__file__).resolve().parents[3] / "docs" / "sms.md"


def test_docs_sms_md_is_the_generated_syntax() -> None:
    assert DOC.read_text(encoding="utf-8") == render_markdown(), (
        "docs/sms.md is stale: run `python -m ivr.sms.syntax_doc > docs/sms.md`"
    )


def test_every_keyword_has_a_row_and_every_example_in_it_parses_to_that_keyword() -> None:
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 5 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = re.findall(r"`([^`]+)`", cells[4])
    assert set(rows) == {k.syntax for k in KEYWORDS}
    for keyword in KEYWORDS:
        assert rows[keyword.syntax], keyword.code
        for example in rows[keyword.syntax]:
            request = parse_sms(example, province="QNg")
            assert request.keyword is keyword and request.problem is None, example


def test_the_help_reply_is_generated_from_the_table_and_its_examples_parse() -> None:
    text = help_text("(0255) 3 818 558")
    assert text.isascii() and len(text) <= 160
    for keyword in KEYWORDS:
        if keyword is HELP:
            continue
        example = keyword.examples[0].text
        assert example in text, keyword.code
        assert parse_sms(example, province="QNg").keyword is keyword
