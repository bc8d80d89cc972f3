"""What the IVR loads once at start-up: the prompt catalogue and every flow version."""

from __future__ import annotations

from dataclasses import dataclass

from ivr.flow.definition import Flow, load_flows, newest
from ivr.prompts import Catalogue, load_catalogue


@dataclass(frozen=True)
class HotlineRuntime:
    catalogue: Catalogue
    flows: dict[str, Flow]

    @property
    def current(self) -> Flow:
        return newest(self.flows)


def load_runtime(language: str = "vi") -> HotlineRuntime:
    """Raises FlowError / CatalogueError naming what is broken; the app refuses to start."""
    catalogue = load_catalogue(language)
    return HotlineRuntime(catalogue=catalogue, flows=load_flows(catalogue))
