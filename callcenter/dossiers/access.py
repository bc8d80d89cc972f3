"""Who may read a citizen's whole ID number on a dossier: one rule for the console and the API."""

from __future__ import annotations

from models.dossier import Dossier
from models.user import User

ID_NUMBER_FORBIDDEN = (
    "Chỉ điện thoại viên đang giữ hồ sơ này hoặc giám sát viên mới xem được số căn cước đầy đủ. "
    "Hãy nhận hồ sơ trước, hoặc nhờ giám sát viên."
)


def may_see_id_number(user: User, dossier: Dossier) -> bool:
    """The operator holding the dossier (the one who claimed it) or a supervisor.

    Admins manage accounts, not citizens' files: never, even on a dossier they claimed.
    Everyone else reads the number masked.
    """
    if user.role == "supervisor":
        return True
    return user.role == "operator" and dossier.claimed_by_id is not None and dossier.claimed_by_id == user.id
