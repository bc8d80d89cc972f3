"""The fishers' guide: generated from the flow and the SMS table the service runs."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from ivr.flow.definition import FlowError, check_flow, parse_flow
from ivr.flow.engine import OPERATOR_KEY, REPEAT_KEY
from ivr.guide.menu import walk_menu, walk_menu_nodes
from ivr.runtime import load_runtime
from ivr.sms.parser import KEYWORDS, parse_sms
from ivr.sms.replies import help_text
from tests.ivr.sms.conftest import Texter

RUNTIME = load_runtime()
FLOW = RUNTIME.current


class Sections(HTMLParser):
    """Text under every element carrying a data-* attribute, keyed by (attribute, value)."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, list[tuple[str, str]]]] = []
        self.text: dict[tuple[str, str], str] = defaultdict(str)
        self.codes: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._code: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        marks = [(k, v or "") for k, v in attrs if k.startswith("data-") or k == "id"]
        if tag not in ("br", "meta", "link"):
            self.stack.append((tag, marks))
        if tag == "code" and ("class", "sms-example") in attrs:
            self._code = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "code" and self._code is not None:
            for _, marks in self.stack:
                for mark in marks:
                    self.codes[mark].append(self._code)
            self._code = None
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._code is not None:
            self._code += data
        for _, marks in self.stack:
            for mark in marks:
                self.text[mark] += data


@pytest.fixture
def guide(client: TestClient) -> tuple[str, Sections]:
    r = client.get("/huong-dan")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    sections = Sections()
    sections.feed(r.text)
    return r.text, sections


def squash(text: str) -> str:
    return " ".join(text.split())


def test_the_guide_shows_every_key_of_every_menu_of_the_running_flow(guide: tuple[str, Sections]) -> None:
    _, page = guide
    rule = squash(page.text[("id", "quy-tac")])
    assert f"{REPEAT_KEY} để nghe lại" in rule and f"{OPERATOR_KEY} để gặp điện thoại viên" in rule
    menus = [name for name, node in FLOW.nodes.items() if node.type in ("menu", "entry")]
    assert menus
    for name in menus:
        node = FLOW.nodes[name]
        step = squash(page.text[("data-node", name)])
        assert node.title and node.title in step, name
        for key, target in node.keys.items():
            if target == FLOW.operator:
                assert key == OPERATOR_KEY, (name, key)  # said once, in the rule for every step
                continue
            label = node.labels.get(key)
            assert label, f"{name}: key {key} has no label in flow {FLOW.version}"
            assert f"{key} {label}" in step, (name, key)


def test_the_guide_shows_every_sms_keyword_and_its_examples_parse_to_it(guide: tuple[str, Sections]) -> None:
    _, page = guide
    for keyword in KEYWORDS:
        row = squash(page.text[("data-keyword", keyword.code)])
        assert keyword.syntax in row and keyword.meaning in row, keyword.code
        shown = page.codes[("data-keyword", keyword.code)]
        assert shown == [e.text for e in keyword.examples]
        for example in keyword.examples:
            request = parse_sms(example.text, province="QNg")
            assert request.keyword is keyword and request.problem is None, example.text
            assert (request.vessel or request.reference) == example.means, example.text


def test_the_help_in_the_guide_is_what_an_hd_message_gets(client: TestClient, guide: tuple[str, Sections]) -> None:
    _, page = guide
    shown = squash(page.text[("id", "tin-huong-dan")])
    assert shown == help_text("(0255) 3 818 558")
    assert Texter(client).send("HD") == shown


def test_the_guide_names_the_hotline_and_the_status_key_from_the_flow(guide: tuple[str, Sections]) -> None:
    html, page = guide
    assert 'href="tel:+842553818558"' in html and "(0255) 3 818 558" in html
    first = next(n for n in walk_menu_nodes(FLOW) if FLOW.nodes[n].type == "menu")
    status_key = next(k for k, t in FLOW.nodes[first].keys.items()
                      if FLOW.nodes[t].when == "caller_has_dossiers" or FLOW.nodes[t].lookup == "dossier")
    after = squash(page.text[("id", "sau-do")])
    assert f"bấm {status_key}" in after and "nhắn TT" in after


def test_the_page_prints_on_a4_reads_on_a_phone_and_needs_nothing_from_outside(guide: tuple[str, Sections]) -> None:
    html, page = guide
    assert '<html lang="vi">' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "@page { size: A4" in html and "@media print" in html
    assert all(tag != "script" for tag, _ in page.tags)
    for tag, attrs in page.tags:
        for attr in ("src", "href"):
            value = attrs.get(attr) or ""
            assert not value.startswith(("http:", "https:", "//")), (tag, value)
    assert unicodedata.is_normalized("NFC", html)
    assert "giấy phép khai thác thủy sản" in html  # Vietnamese with its diacritics


def test_a_flow_without_labels_still_gets_a_label_per_key_from_its_prompts() -> None:
    oldest = RUNTIME.flows[min(RUNTIME.flows)]
    menu = walk_menu(oldest, RUNTIME.catalogue)
    main = next(s for s in menu.steps if s.node == "main")
    assert [(k.key, k.label) for k in main.keys][:2] == [
        ("1", "Giấy phép khai thác thủy sản"),
        ("2", "Giấy chứng nhận an toàn kỹ thuật tàu cá"),
    ]


def test_a_label_for_a_key_the_menu_does_not_have_is_refused_at_start_up() -> None:
    broken = """version = "x"
start = "main"
operator = "operator"
[nodes.main]
type = "menu"
prompt = "main_menu"
keys = { "1" = "operator" }
labels = { "1" = "Gặp điện thoại viên", "7" = "Không có" }
[nodes.operator]
type = "operator"
"""
    with pytest.raises(FlowError, match="label for key '7'"):
        check_flow(parse_flow(broken, "test.toml"), RUNTIME.catalogue)
