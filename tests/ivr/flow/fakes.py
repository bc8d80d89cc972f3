"""A World answered from plain dicts, for driving the engine without a database."""

from __future__ import annotations

from dataclasses import dataclass, field

from ivr.flow.definition import Flow
from ivr.flow.engine import resume, start_call
from ivr.flow.state import DossierFact, Input, Limits, Step, VesselFact
from ivr.runtime import load_runtime

RUNTIME = load_runtime()
FLOW: Flow = RUNTIME.current

VESSEL_90567 = VesselFact(id=1, registration_number="QNg-90567-TS", owner_name="Nguyễn Văn Tàu")
VESSEL_96169 = VesselFact(id=2, registration_number="QNg-96169-TS", owner_name="Trần Thị Biển")


@dataclass
class FakeWorld:
    caller_owns: VesselFact | None = None
    registry: dict[str, VesselFact] = field(default_factory=dict)
    caller_dossiers: list[DossierFact] = field(default_factory=list)
    dossiers: dict[str, DossierFact] = field(default_factory=dict)
    open_now: bool = True
    consented_to: frozenset[str] = frozenset()  # notice versions the caller consented to before

    def caller_vessel(self) -> VesselFact | None:
        return self.caller_owns

    def find_vessel(self, digits: str) -> VesselFact | None:
        return self.registry.get(digits)

    def caller_newest_dossier(self) -> DossierFact | None:
        return self.caller_dossiers[0] if self.caller_dossiers else None

    def find_dossier(self, reference: str) -> DossierFact | None:
        return self.dossiers.get(reference)

    def is_open(self) -> bool:
        return self.open_now

    def caller_consented(self, notice_version: str) -> bool:
        return notice_version in self.consented_to


class Phone:
    """Presses keys against the engine as a caller would, keeping every step."""

    def __init__(self, world: FakeWorld, *, flow: Flow = FLOW, limits: Limits | None = None) -> None:
        self.world = world
        self.flow = flow
        self.limits = limits or Limits()
        self.steps: list[Step] = [start_call(flow, world, province="QNg",
                                             notice_version=RUNTIME.catalogue.notice_version)]

    @property
    def last(self) -> Step:
        return self.steps[-1]

    def press(self, given: Input) -> Step:
        step = resume(self.flow, self.last.state, given, self.world, province="QNg", limits=self.limits)
        self.steps.append(step)
        return step

    def prompts(self) -> list[str]:
        return [s.prompt for s in self.last.says]
