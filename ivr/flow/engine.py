"""The pure step function: state and input in, prompts, effects and new state out.

No database, no HTTP, no clock: the shell answers facts through `World` and carries out
the effects. So every path through the menus is testable in microseconds.
"""

from __future__ import annotations

from dataclasses import asdict

from ivr.flow.definition import Flow, Node
from ivr.flow.state import (
    CallState,
    Effect,
    End,
    Event,
    Input,
    Limits,
    NoInput,
    Say,
    Step,
    Wait,
    World,
)
from models.domain.registration import normalize_registration

REPEAT_KEY = "*"
OPERATOR_KEY = "0"
# Nodes entered in one step without the caller pressing anything: a guard against a
# definition mistake the loader missed, never reached by a valid flow.
_MAX_CHAIN = 50


def start_call(flow: Flow, world: World, *, province: str, notice_version: str | None = None) -> Step:
    """The greeting. `notice_version`: the personal-data notice in force (the catalogue's);
    a caller who consented to it before may hear a short reminder (`caller_consented`)."""
    step = Step(state=CallState(node=""))
    _enter(flow, step, flow.start, world, province, notice_version=notice_version)
    return step


def replay(flow: Flow, state: CallState) -> Step:
    """The current wait again, changing nothing: the answer to a stale or odd webhook."""
    step = Step(state=state.copy())
    node = flow.nodes.get(state.node)
    if node is None or node.type not in ("menu", "entry"):
        step.says.append(Say("goodbye"))
        step.end = End("hangup")
        return step
    step.says.append(Say(node.prompt or "", node.barge_in))
    step.wait = Wait(state.node, node.type, 1 if node.type == "menu" else node.max_digits)
    return step


def resume(
    flow: Flow, state: CallState, given: Input, world: World, *, province: str, limits: Limits
) -> Step:
    """Apply the caller's answer (keys or silence) to the node the call is waiting in."""
    step = Step(state=state.copy())
    st = step.state
    st.steps += 1
    node = flow.nodes.get(st.node)
    w = world
    if node is None or node.type not in ("menu", "entry"):
        # The state points at a node this flow version lacks: go to a person.
        step.events.append(Event("guard", menu=st.node, detail={"reason": "unknown_node"}))
        _enter(flow, step, flow.operator, w, province)
        return step
    if limits.call_too_long or st.steps > limits.max_steps:
        step.events.append(Event("guard", menu=st.node, detail={"reason": "too_long"}))
        step.says.append(Say("too_long"))
        _enter(flow, step, flow.operator, w, province)
        return step

    if isinstance(given, NoInput):
        step.events.append(Event("key", menu=st.node, key=None, detail={"no_input": True}))
        _miss(flow, step, node, "no_input", w, province, limits)
        return step

    digits = given.value
    step.events.append(Event("key", menu=st.node, key=digits[:32]))
    if digits == REPEAT_KEY:
        _enter(flow, step, st.node, w, province)
        return step
    if digits == OPERATOR_KEY and (node.type == "entry" or OPERATOR_KEY not in node.keys):
        _went_on(step, digits)
        _enter(flow, step, flow.operator, w, province)
        return step

    if node.type == "menu":
        target = node.keys.get(digits)
        if target is None:
            _miss(flow, step, node, "invalid_key", w, province, limits)
            return step
        _went_on(step, digits)
        _enter(flow, step, target, w, province)
        return step

    # entry
    if not (digits.isascii() and digits.isdigit() and node.min_digits <= len(digits) <= node.max_digits):
        _miss(flow, step, node, "invalid_entry", w, province, limits)
        return step
    _went_on(step, digits)
    st.entered = digits
    if node.lookup == "vessel":
        vessel = w.find_vessel(digits)
        if vessel is not None:
            _choose_vessel(st, vessel.id, vessel.registration_number, vessel.owner_name)
            _enter(flow, step, node.found or "", w, province)
        else:
            st.vessel_id, st.vessel_owner, st.vessel_verified = None, None, False
            st.vessel_registration = normalize_registration(digits, default_symbol=province)
            _enter(flow, step, node.not_found or "", w, province)
        return step
    dossier = w.find_dossier(digits)
    st.dossier = dossier.to_json() if dossier is not None else None
    _enter(flow, step, (node.found if dossier else node.not_found) or "", w, province)
    return step


def _went_on(step: Step, key: str) -> None:
    """The caller's first key that moves the call on is their consent to the notice."""
    step.state.misses = 0
    if not step.state.consent:
        step.state.consent = True
        step.effects.append(Effect("consent", key))
        step.events.append(Event("consent", menu=step.state.node, key=key))


def _miss(
    flow: Flow, step: Step, node: Node, reason: str, world: World, province: str, limits: Limits
) -> None:
    st = step.state
    st.misses += 1
    if st.misses >= limits.max_misses:
        step.events.append(Event("guard", menu=st.node, detail={"reason": "misses", "misses": st.misses}))
        st.misses = 0
        _enter(flow, step, flow.operator, world, province)
        return
    step.says.append(Say(reason))
    _enter(flow, step, st.node, world, province, count_miss_reset=False)


def _choose_vessel(st: CallState, vessel_id: int, registration: str, owner: str) -> None:
    st.vessel_id, st.vessel_registration, st.vessel_owner = vessel_id, registration, owner
    st.vessel_verified = True


def _enter(
    flow: Flow, step: Step, name: str, world: World, province: str, *, count_miss_reset: bool = True,
    notice_version: str | None = None,
) -> None:
    st = step.state
    w = world
    for _ in range(_MAX_CHAIN):
        node = flow.nodes[name]
        if name != st.node or node.type not in ("menu", "entry"):
            step.events.append(Event("menu", menu=name))
        if name != st.node and count_miss_reset:
            st.misses = 0
        st.node = name
        for attr, value in node.set.items():
            setattr(st, attr, value or None)

        match node.type:
            case "menu" | "entry":
                step.says.append(Say(node.prompt or "", node.barge_in))
                step.events.append(Event("prompt", menu=name, prompt=node.prompt))
                step.wait = Wait(name, node.type, 1 if node.type == "menu" else node.max_digits)
                return
            case "say":
                step.says.append(Say(node.prompt or "", node.barge_in))
                step.events.append(Event("prompt", menu=name, prompt=node.prompt))
                if node.prompt in ("status_newest", "status_found"):
                    step.effects.append(Effect("outcome", "status_read"))
                    step.events.append(Event("status", menu=name, detail=st.dossier))
                name = node.next or ""
            case "branch":
                if node.when == "caller_consented":
                    # Only at the start of a call is the notice version known: later, "no".
                    consented = notice_version is not None and w.caller_consented(notice_version)
                    name = (node.yes if consented else node.no) or ""
                elif node.when == "caller_has_one_vessel":
                    vessel = w.caller_vessel()
                    st.offered_vessel = asdict(vessel) if vessel else None
                    if vessel:  # the prompt reads the offered vessel out
                        st.vessel_registration = vessel.registration_number
                        st.vessel_owner = vessel.owner_name
                    name = (node.yes if vessel else node.no) or ""
                else:
                    dossier = w.caller_newest_dossier()
                    st.dossier = dossier.to_json() if dossier else None
                    name = (node.yes if dossier else node.no) or ""
            case "action":
                _act(step, node)
                name = node.next or ""
            case "operator":
                if w.is_open():
                    step.says.append(Say("operator_connecting"))
                    step.events.append(Event("transfer", menu=name, detail={"queue": "operators"}))
                    step.effects.append(Effect("outcome", "transferred"))
                    step.end = End("enqueue")
                else:
                    step.says.append(Say("callback_offer"))
                    step.events.append(Event("callback", menu=name))
                    step.effects.append(Effect("outcome", "callback_requested"))
                    step.end = End("record")
                return
            case "hangup":
                step.says.append(Say(node.prompt or "", node.barge_in))
                step.events.append(Event("prompt", menu=name, prompt=node.prompt))
                step.end = End("hangup")
                return
    raise RuntimeError(f"flow {flow.version}: more than {_MAX_CHAIN} nodes without input")


def _act(step: Step, node: Node) -> None:
    st = step.state
    match node.do:
        case "choose_caller_vessel":
            offered = st.offered_vessel or {}
            if offered:
                _choose_vessel(st, offered["id"], offered["registration_number"], offered["owner_name"])
        case "forget_choices":
            st.procedure = st.variant = st.vessel_registration = st.vessel_owner = None
            st.vessel_id, st.vessel_verified, st.offered_vessel, st.entered = None, False, None, None
        case "create_dossier":
            step.effects.append(Effect("create_dossier"))
        case "read_newest_status":
            pass

