"""The hotline menu as readers see it, walked from the flow definition the engine runs.

The printed guide never holds a copy of the menu: it is this walk over the current flow
version, so a published change of the menus changes the guide with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ivr.flow.definition import Flow, Node
from ivr.flow.engine import OPERATOR_KEY, REPEAT_KEY
from ivr.prompts import Catalogue

KEY_ORDER = "123456789#0"


@dataclass(frozen=True)
class GuideKey:
    key: str
    label: str


@dataclass(frozen=True)
class GuideStep:
    node: str
    kind: Literal["menu", "entry"]
    title: str
    keys: tuple[GuideKey, ...]  # keys that lead to an operator are the general rule instead
    hint: str | None = None  # an entry's prompt, when it reads the same for every caller


@dataclass(frozen=True)
class GuideMenu:
    version: str
    steps: tuple[GuideStep, ...]
    repeat_key: str = REPEAT_KEY
    operator_key: str = OPERATOR_KEY


def _label_from_prompt(prompt: str, key: str) -> str | None:
    """`…. Cấp lại giấy phép, bấm phím 2.` → `Cấp lại giấy phép`: for a flow without labels."""
    match = re.search(rf"([^.]*?),\s*bấm (?:phím )?{re.escape(key)}\b", prompt)
    return match.group(1).strip() if match else None


def _label(node: Node, key: str, catalogue: Catalogue) -> str:
    if key in node.labels:
        return node.labels[key]
    prompt = catalogue.prompts.get(node.prompt or "", "")
    return _label_from_prompt(prompt, key) or node.keys[key]


def _hint(node: Node, catalogue: Catalogue) -> str | None:
    if node.type != "entry" or not node.prompt or catalogue.placeholders(node.prompt):
        return None
    return catalogue.text(node.prompt)


def _ordered(keys: dict[str, str]) -> list[str]:
    return sorted(keys, key=lambda k: KEY_ORDER.index(k) if k in KEY_ORDER else len(KEY_ORDER))


def walk_menu(flow: Flow, catalogue: Catalogue) -> GuideMenu:
    """Every menu and entry a caller can reach, in the order a caller meets them (depth first)."""
    steps: list[GuideStep] = []
    for name in walk_menu_nodes(flow):
        node = flow.nodes[name]
        if node.type not in ("menu", "entry"):
            continue
        keys = tuple(
            GuideKey(key, _label(node, key, catalogue))
            for key in _ordered(node.keys)
            if node.keys[key] != flow.operator
        )
        steps.append(GuideStep(name, "menu" if node.type == "menu" else "entry",
                               node.title or name, keys, _hint(node, catalogue)))
    return GuideMenu(version=flow.version, steps=tuple(steps))


def first_menu_key_reaching(flow: Flow, lookup: str) -> str | None:
    """The key of the first menu whose branch leads to an entry with `lookup` (`3` for status)."""
    first = next(n for n in walk_menu_nodes(flow) if flow.nodes[n].type == "menu")
    for key in _ordered(flow.nodes[first].keys):
        seen, stack = {first}, [flow.nodes[first].keys[key]]
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            node = flow.nodes[name]
            if node.type == "entry" and node.lookup == lookup:
                return key
            stack.extend(t for t in node.targets().values() if t)
    return None


def walk_menu_nodes(flow: Flow) -> list[str]:
    """Node names in the depth-first order the guide presents them."""
    order: list[str] = []
    seen: set[str] = set()
    stack = [flow.start]
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        order.append(name)
        node = flow.nodes[name]
        nexts = [node.keys[k] for k in _ordered(node.keys)]
        nexts += [t for t in node.targets().values() if t and t not in nexts]
        stack.extend(reversed([t for t in nexts if t not in seen]))
    return order
