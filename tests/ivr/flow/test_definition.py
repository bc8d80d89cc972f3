"""A broken flow is refused at start-up with a message that names the node."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.flow.definition import VERSIONS_DIR, FlowError, check_flow, load_flows, parse_flow
from ivr.prompts import load_catalogue

CATALOGUE = load_catalogue()
PUBLISHED = next(VERSIONS_DIR.glob("*.toml")).read_text(encoding="utf-8")


def broken(old: str, new: str) -> str:
    assert old in PUBLISHED, old
    return PUBLISHED.replace(old, new, 1)


def refused(text: str) -> str:
    with pytest.raises(FlowError) as err:
        check_flow(parse_flow(text, "test.toml"), CATALOGUE)
    return str(err.value)


def test_the_published_flows_load() -> None:
    flows = load_flows(CATALOGUE)
    assert flows and all(f.start in f.nodes for f in flows.values())


def test_a_key_leading_nowhere_names_the_node_and_the_key() -> None:
    message = refused(broken('"2" = "licence_reissue"', '"2" = "licence_reissu"'))
    assert "licence_variant" in message and "key 2" in message and "licence_reissu" in message


def test_an_unreachable_node_is_named() -> None:
    message = refused(PUBLISHED + '\n[nodes.orphan]\ntype = "hangup"\nprompt = "goodbye"\n')
    assert "'orphan' cannot be reached" in message


def test_a_prompt_missing_from_the_catalogue_is_named() -> None:
    message = refused(broken('prompt = "confirm"', 'prompt = "confirm_typo"'))
    assert "node 'confirm'" in message and "confirm_typo" in message


def test_star_cannot_be_bound_because_it_repeats_every_menu() -> None:
    message = refused(broken('"0" = "operator" }', '"*" = "operator" }'))
    assert "'*'" in message


def test_a_loop_without_any_wait_is_refused() -> None:
    message = refused(broken('do = "forget_choices"\nnext = "main"', 'do = "forget_choices"\nnext = "restart"'))
    assert "restart" in message and "loops" in message


def test_unknown_node_type_and_missing_fields_are_reported() -> None:
    with pytest.raises(FlowError, match="type"):
        parse_flow(broken('type = "operator"', 'type = "transfer"'), "test.toml")
    message = refused(broken('lookup = "vessel"\n', ""))
    assert "vessel_entry" in message and "lookup" in message


def test_a_version_published_twice_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text(PUBLISHED, encoding="utf-8")
    (tmp_path / "b.toml").write_text(PUBLISHED, encoding="utf-8")
    with pytest.raises(FlowError, match="published twice"):
        load_flows(CATALOGUE, tmp_path)
