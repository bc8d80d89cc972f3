"""What the engine reads and returns: the call's state, the facts it asks for, its output."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal, Protocol


@dataclass(frozen=True)
class VesselFact:
    id: int
    registration_number: str
    owner_name: str


@dataclass(frozen=True)
class DossierFact:
    reference: str
    procedure: str
    variant: str | None
    status: str
    due_date: date | None = None
    tracking_number: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["due_date"] = self.due_date.isoformat() if self.due_date else None
        return data


class World(Protocol):
    """The facts a step may need, answered by the shell (the database) or by a test."""

    def caller_vessel(self) -> VesselFact | None: ...
    def find_vessel(self, digits: str) -> VesselFact | None: ...
    def caller_newest_dossier(self) -> DossierFact | None: ...
    def find_dossier(self, reference: str) -> DossierFact | None: ...
    def is_open(self) -> bool: ...
    # A caller who consented to this version of the personal-data notice on an earlier
    # call hears a short reminder instead of the notice in full.
    def caller_consented(self, notice_version: str) -> bool: ...


@dataclass
class CallState:
    """The waiting session of one call, stored as JSON on the call row."""

    node: str
    misses: int = 0
    steps: int = 0
    consent: bool = False
    procedure: str | None = None
    variant: str | None = None
    offered_vessel: dict[str, Any] | None = None
    vessel_id: int | None = None
    vessel_registration: str | None = None
    vessel_owner: str | None = None
    vessel_verified: bool = False
    entered: str | None = None
    dossier: dict[str, Any] | None = None  # the dossier whose status is being read
    reference: str | None = None  # the dossier this call created

    def to_json(self) -> dict[str, Any]:
        # The nested values are flat dicts of plain values (a fact's JSON): a shallow copy
        # of each is a full copy, at a fraction of `asdict`'s cost on the hot path.
        return {k: dict(v) if isinstance(v, dict) else v for k, v in self.__dict__.items()}

    def copy(self) -> CallState:
        twin = object.__new__(CallState)  # no __init__: the fields are all there already
        twin.__dict__.update(self.to_json())
        return twin

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CallState:
        return cls(**{k: v for k, v in data.items() if k in _STATE_FIELDS})


# What a stored state may carry; a key of an older flow version that this one lacks is dropped.
_STATE_FIELDS = frozenset(CallState.__dataclass_fields__)


@dataclass(frozen=True)
class Digits:
    value: str


@dataclass(frozen=True)
class NoInput:
    pass


Input = Digits | NoInput


@dataclass(frozen=True)
class Say:
    prompt: str
    barge_in: bool = True


@dataclass(frozen=True)
class Wait:
    node: str
    kind: Literal["menu", "entry"]
    max_digits: int


@dataclass(frozen=True)
class End:
    kind: Literal["hangup", "enqueue", "record"]


@dataclass(frozen=True)
class Effect:
    """Something the shell must do: consent, create_dossier, outcome (with `value`)."""

    kind: Literal["consent", "create_dossier", "outcome"]
    value: str = ""


@dataclass(frozen=True)
class Event:
    """One line of the call's timeline."""

    kind: Literal[
        "menu", "key", "prompt", "transfer", "callback", "consent", "status", "guard", "dossier", "outcome"
    ]
    menu: str | None = None
    key: str | None = None
    prompt: str | None = None
    detail: dict[str, Any] | None = None


@dataclass
class Step:
    state: CallState
    says: list[Say] = field(default_factory=list)
    wait: Wait | None = None
    end: End | None = None
    effects: list[Effect] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)


@dataclass(frozen=True)
class Limits:
    max_misses: int = 3
    max_steps: int = 60
    call_too_long: bool = False
