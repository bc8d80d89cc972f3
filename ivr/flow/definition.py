"""The flow definition: menus as data, loaded and checked before the hotline answers.

A broken definition is refused at start-up with a message naming the node, rather than
discovered by a fisher at sea when a key leads nowhere.
"""

from __future__ import annotations

import tomllib
from collections import deque
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ivr.prompts import Catalogue

VERSIONS_DIR = Path(__file__).resolve().parent / "versions"

NodeType = Literal["say", "menu", "entry", "branch", "action", "operator", "hangup"]
# caller_consented: the caller consented to the current notice on an earlier call
# (decided when the call starts; the notice version comes from the prompt catalogue).
Condition = Literal["caller_has_one_vessel", "caller_has_dossiers", "caller_consented"]
Lookup = Literal["vessel", "dossier"]
Action = Literal["choose_caller_vessel", "forget_choices", "create_dossier", "read_newest_status"]
SETTABLE = frozenset({"procedure", "variant"})
MENU_KEYS = frozenset("0123456789#")  # `*` is reserved: it repeats every menu
WAITING = frozenset({"menu", "entry"})


class FlowError(ValueError):
    pass


class Node(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    type: NodeType
    prompt: str | None = None
    barge_in: bool = True
    next: str | None = None
    keys: dict[str, str] = Field(default_factory=dict)
    set: dict[str, str] = Field(default_factory=dict)
    when: Condition | None = None
    yes: str | None = None
    no: str | None = None
    lookup: Lookup | None = None
    min_digits: int = 1
    max_digits: int = 12
    found: str | None = None
    not_found: str | None = None
    do: Action | None = None
    # For people reading the menu rather than hearing it (the printed guide, the console):
    # a short name of the step and of each key. The engine never reads them.
    title: str | None = None
    labels: dict[str, str] = Field(default_factory=dict)

    def targets(self) -> dict[str, str | None]:
        """Every edge out of this node, labelled for error messages."""
        edges: dict[str, str | None] = {f"key {k}": v for k, v in self.keys.items()}
        match self.type:
            case "say" | "action":
                edges["next"] = self.next
            case "branch":
                edges["yes"], edges["no"] = self.yes, self.no
            case "entry":
                edges["found"], edges["not_found"] = self.found, self.not_found
        return edges


class Flow(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    start: str
    operator: str
    nodes: dict[str, Node]


_REQUIRED: dict[str, tuple[str, ...]] = {
    "say": ("prompt", "next"),
    "menu": ("prompt",),
    "entry": ("prompt", "lookup", "found", "not_found"),
    "branch": ("when", "yes", "no"),
    "action": ("do", "next"),
    "operator": (),
    "hangup": ("prompt",),
}


def check_flow(flow: Flow, catalogue: Catalogue) -> None:
    problems: list[str] = []
    for ref, label in ((flow.start, "start"), (flow.operator, "operator")):
        if ref not in flow.nodes:
            problems.append(f"{label} node {ref!r} does not exist")
    if flow.operator in flow.nodes and flow.nodes[flow.operator].type != "operator":
        problems.append(f"operator node {flow.operator!r} is not of type operator")
    for name, node in flow.nodes.items():
        for attr in _REQUIRED[node.type]:
            if getattr(node, attr) in (None, ""):
                problems.append(f"node {name!r} ({node.type}) needs {attr!r}")
        if node.keys and node.type != "menu":
            problems.append(f"node {name!r}: only a menu has keys")
        if node.type == "menu" and not node.keys:
            problems.append(f"node {name!r}: a menu needs at least one key")
        for key in sorted(set(node.labels) - set(node.keys)):
            problems.append(f"node {name!r}: label for key {key!r}, which the menu does not have")
        for key in node.keys:
            if key not in MENU_KEYS:
                problems.append(f"node {name!r}: key {key!r} is not a phone key (`*` repeats menus)")
        for edge, target in node.targets().items():
            if target is not None and target not in flow.nodes:
                problems.append(f"node {name!r}: {edge} leads to unknown node {target!r}")
        unknown_sets = set(node.set) - SETTABLE
        if unknown_sets:
            problems.append(f"node {name!r}: cannot set {sorted(unknown_sets)}")
        if node.prompt is not None and node.prompt not in catalogue.prompts:
            problems.append(f"node {name!r}: prompt {node.prompt!r} is not in the catalogue")
        if node.type == "entry" and not 1 <= node.min_digits <= node.max_digits:
            problems.append(f"node {name!r}: min_digits/max_digits out of order")
    if not problems:
        problems += _reachability_problems(flow) + _silent_loop_problems(flow)
    if problems:
        raise FlowError(f"flow {flow.version}: " + "; ".join(problems))


def _edges(flow: Flow, name: str) -> list[str]:
    node = flow.nodes[name]
    targets = [t for t in node.targets().values() if t]
    if node.type in WAITING:
        targets.append(flow.operator)  # `0` and the third miss
    return targets


def _reachability_problems(flow: Flow) -> list[str]:
    seen = {flow.start}
    queue = deque([flow.start])
    while queue:
        for target in _edges(flow, queue.popleft()):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return [f"node {name!r} cannot be reached from {flow.start!r}" for name in flow.nodes if name not in seen]


def _silent_loop_problems(flow: Flow) -> list[str]:
    """A cycle of nodes that never wait for input would spin without the caller."""
    problems = []
    for origin, node in flow.nodes.items():
        if node.type in WAITING:
            continue
        stack, seen = [origin], set()
        while stack:
            current = stack.pop()
            for target in _edges(flow, current):
                if flow.nodes[target].type in WAITING:
                    continue
                if target == origin:
                    problems.append(f"node {origin!r} loops back to itself without waiting for a key")
                    stack.clear()
                    break
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
    return problems


def parse_flow(text: str, source: str) -> Flow:
    try:
        return Flow.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise FlowError(f"{source}: not valid TOML: {exc}") from exc
    except ValidationError as exc:
        details = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise FlowError(f"{source}: {details}") from exc


def load_flows(catalogue: Catalogue, folder: Path = VERSIONS_DIR) -> dict[str, Flow]:
    """Every published version, checked; the newest is where new calls start."""
    flows: dict[str, Flow] = {}
    for path in sorted(folder.glob("*.toml")):
        flow = parse_flow(path.read_text(encoding="utf-8"), path.name)
        check_flow(flow, catalogue)
        if flow.version in flows:
            raise FlowError(f"{path.name}: version {flow.version} is published twice")
        flows[flow.version] = flow
    if not flows:
        raise FlowError(f"no flow definition in {folder}")
    return flows


def newest(flows: dict[str, Flow]) -> Flow:
    return flows[max(flows)]
