"""The calls in progress, as this process last committed them.

A step used to start by reading its call back from the database: on PostgreSQL one of
two round trips of an ordinary step. Kept here after each commit, the call is at hand
for its next webhook. The database stays the truth: an entry is only used when it is at
the turn the webhook names, the write that follows is guarded by that turn (a call
another worker advanced fails the guard and is read afresh), a fault leaves the entry
as it was before the step, and a restart starts empty.
"""

from __future__ import annotations

from collections import OrderedDict

from ivr.calls.rows import LiveCall

CAPACITY = 20_000  # far more calls than one worker has in progress; the oldest go first


class LiveCalls:
    def __init__(self, capacity: int = CAPACITY) -> None:
        self._calls: OrderedDict[str, LiveCall] = OrderedDict()
        self._capacity = capacity

    def at_turn(self, call_sid: str, turn: int) -> LiveCall | None:
        """A copy of the call if it is kept at this turn; the step may change the copy."""
        call = self._calls.get(call_sid)
        if call is None or call.turn != turn:
            return None
        return call.copy()

    def latest(self, call_sid: str) -> LiveCall | None:
        """The call as this process last wrote it, whatever its turn (read only)."""
        return self._calls.get(call_sid)

    def keep(self, call: LiveCall) -> None:
        """After the commit that stored `call`."""
        self._calls[call.call_sid] = call
        self._calls.move_to_end(call.call_sid)
        while len(self._calls) > self._capacity:
            self._calls.popitem(last=False)

    def forget(self, call_sid: str) -> None:
        self._calls.pop(call_sid, None)

    def __len__(self) -> int:
        return len(self._calls)
