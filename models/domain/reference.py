"""Dossier references: 6 digits a caller hears and keys back.

Random rather than sequential so that a reference says nothing of how many dossiers
exist and cannot be guessed from a neighbour's; no leading zero, so nobody drops it.
"""

from __future__ import annotations

import secrets


def new_reference() -> str:
    return str(100000 + secrets.randbelow(900000))


def is_reference(value: str) -> bool:
    return len(value) == 6 and value.isdigit() and value[0] != "0"
