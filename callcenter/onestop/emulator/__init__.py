"""The built-in one-stop emulator (see docs/onestop.md)."""

from callcenter.onestop.emulator.app import create_emulator_app, standalone_database
from callcenter.onestop.emulator.clock import Clock, ManualClock, SystemClock

__all__ = [
    "Clock", "ManualClock", "SystemClock", "create_emulator_app", "standalone_database",
]
