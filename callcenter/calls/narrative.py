"""A call's path told in words, for operators and supervisors.

The call's events name flow nodes and prompts (`greeting_notice`, `use_caller_vessel`):
the engine's vocabulary. People read "Nghe lời chào và thông báo ghi âm", "Chọn: Cấp
giấy chứng nhận an toàn kỹ thuật tàu cá", "Tàu được nhận theo số điện thoại". Each
event becomes at most one line; a line never shows a node or prompt name, whatever
flow version the call ran on (an unknown step is told as "một bước của menu").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from ivr.flow.definition import Flow, Node
from models.call import CallEvent

Tone = Literal["heard", "pressed", "system", "end"]

OUTCOMES = {
    "dossier_created": "Tạo hồ sơ", "transferred": "Chuyển điện thoại viên",
    "callback_requested": "Xin gọi lại", "abandoned": "Bỏ máy giữa chừng", "status_read": "Hỏi tình trạng",
    "answered": "Điện thoại viên đã nghe máy", "abandoned_in_queue": "Bỏ máy khi chờ điện thoại viên",
    "error": "Lỗi",
}

# What the caller heard, by prompt; a prompt not here is told by its step's title.
HEARD = {
    "greeting_notice": "Nghe lời chào và thông báo ghi âm",
    "greeting_returning": "Nghe lời chào, nhắc cuộc gọi được ghi âm như đã thông báo",
    "main_menu": "Nghe menu chính",
    "licence_variant_menu": "Nghe: cấp mới hay cấp lại giấy phép",
    "vessel_known": "Nghe tàu đăng ký theo số điện thoại đang gọi",
    "vessel_entry": "Được mời bấm số tàu",
    "vessel_readback": "Nghe đọc lại số tàu và tên chủ tàu",
    "vessel_not_found": "Nghe: không tìm thấy tàu trong sổ đăng ký",
    "confirm": "Nghe đọc lại yêu cầu để xác nhận",
    "done": "Nghe mã hồ sơ",
    "status_newest": "Nghe tình trạng hồ sơ mới nhất",
    "status_found": "Nghe tình trạng hồ sơ",
    "status_more": "Nghe: tra hồ sơ khác hoặc gặp điện thoại viên",
    "status_entry": "Được mời bấm mã hồ sơ",
    "status_not_found": "Nghe: không tìm thấy mã hồ sơ",
}
# Steps the caller does not hear but which change the call.
ACTIONS = {
    "choose_caller_vessel": "Tàu được nhận theo số điện thoại",
    "forget_choices": "Làm lại từ đầu",
}
GUARDS = {
    "misses": "Bấm sai hoặc không bấm nhiều lần: chuyển điện thoại viên",
    "too_long": "Cuộc gọi quá dài: chuyển điện thoại viên",
    "unknown_node": "Menu đã thay đổi giữa cuộc gọi: chuyển điện thoại viên",
}
ENTRY_KINDS = {"vessel": "Bấm số tàu", "dossier": "Bấm mã hồ sơ"}


@dataclass(frozen=True)
class PathLine:
    at: datetime
    text: str
    tone: Tone


def _title(node: Node | None) -> str:
    return node.title if node is not None and node.title else "một bước của menu"


def _heard(event: CallEvent, node: Node | None) -> str:
    return HEARD.get(event.prompt or "") or f"Nghe: {_title(node)}"


def _pressed(event: CallEvent, node: Node | None) -> str:
    detail: Mapping[str, Any] = event.detail or {}
    key = event.key
    if key is None or detail.get("no_input"):
        return "Không bấm phím"
    if key == "*":
        return "Bấm * để nghe lại"
    if node is not None and node.type == "entry":
        if key == "0":
            return "Bấm 0: gặp điện thoại viên"
        return f"{ENTRY_KINDS.get(node.lookup or '', 'Bấm số')}: {key}"
    if node is not None and key in node.keys:
        label = node.labels.get(key)
        return f"Chọn: {label} (phím {key})" if label else f"Bấm phím {key}"
    if key == "0":
        return "Bấm 0: gặp điện thoại viên"
    return f"Bấm phím {key}: không có trong menu"


def _line(event: CallEvent, node: Node | None) -> tuple[str, Tone] | None:
    detail: Mapping[str, Any] = event.detail or {}
    match event.kind:
        case "prompt":
            return _heard(event, node), "heard"
        case "key":
            return _pressed(event, node), "pressed"
        case "menu":
            if node is not None and node.type == "action" and node.do in ACTIONS:
                return ACTIONS[node.do], "system"
            return None  # the prompt that follows tells it
        case "consent":
            return "Đồng ý với thông báo về dữ liệu cá nhân", "system"
        case "transfer":
            return "Chuyển tới điện thoại viên", "system"
        case "callback":
            if detail.get("recording"):
                seconds = detail.get("recording_duration_s")
                return (f"Để lại lời nhắn ({seconds} giây)" if seconds else "Để lại lời nhắn"), "system"
            if "recording" in detail:
                return "Không để lại lời nhắn", "system"
            return "Ngoài giờ làm việc: được mời để lại lời nhắn", "system"
        case "dossier":
            return f"Tạo hồ sơ số {detail.get('reference', '')}".strip(), "system"
        case "status":
            reference = detail.get("reference")
            return (f"Nghe tình trạng hồ sơ {reference}" if reference else "Nghe tình trạng hồ sơ"), "system"
        case "guard":
            return GUARDS.get(str(detail.get("reason")), "Chuyển điện thoại viên"), "system"
        case "outcome":
            outcome = str(detail.get("outcome") or "")
            return f"Kết thúc: {OUTCOMES.get(outcome, 'cuộc gọi kết thúc')}", "end"
        case "error":
            return "Lỗi hệ thống trong cuộc gọi", "end"
        case "queue":
            return _in_queue(detail), "system"
    return None


# The operators' queue (ivr.queue), step by step.
QUEUE_STEPS = {
    "joined": "Vào hàng chờ điện thoại viên", "announced": "Nghe thông báo trong hàng chờ",
    "offered": "Mời một điện thoại viên nghe máy", "missed": "Điện thoại viên không nghe máy",
    "answered": "Điện thoại viên nghe máy", "callback": "Xin được gọi lại",
    "left": "Rời hàng chờ", "ended": "Kết thúc cuộc nói chuyện với điện thoại viên",
    "wrap_up": "Điện thoại viên ghi kết quả cuộc gọi",
}
QUEUE_RESULTS = {
    "answered": "đã được nghe máy", "abandoned_in_queue": "bỏ máy khi đang chờ",
    "callback_requested": "chuyển sang gọi lại",
}
CALLBACK_REASONS = {
    "voice_message": "để lại lời nhắn", "queue_choice": "tự chọn được gọi lại",
    "queue_timeout": "chờ quá lâu", "queue_full": "hàng chờ đầy",
    "no_operator": "không có điện thoại viên trực", "fault": "tổng đài gặp sự cố",
}


def _in_queue(detail: Mapping[str, Any]) -> str:
    what = str(detail.get("what") or "")
    parts = [QUEUE_STEPS.get(what, "Hàng chờ điện thoại viên")]
    if detail.get("position"):
        parts.append(f"vị trí thứ {detail['position']}")
    if detail.get("by"):
        parts.append(str(detail["by"]))
    if what == "left" and detail.get("result"):
        parts.append(QUEUE_RESULTS.get(str(detail["result"]), ""))
    wait = detail.get("wait_s")
    if isinstance(wait, int):
        parts.append(f"đã chờ {wait // 60} phút {wait % 60} giây" if wait >= 60 else f"đã chờ {wait} giây")
    if what == "callback" and detail.get("reason"):
        parts.append(CALLBACK_REASONS.get(str(detail["reason"]), ""))
    return ", ".join(p for p in parts if p)


def _worded(name: str, flows: Sequence[Flow]) -> Node | None:
    """The node as the call's flow has it, with the words (title, key labels) of the
    first flow that has them: an older version without words borrows the newer's."""
    found = [flow.nodes[name] for flow in flows if name in flow.nodes]
    if not found:
        return None
    node = found[0]
    title = next((n.title for n in found if n.title), None)
    labels = {
        key: next((n.labels[key] for n in found if key in n.labels and n.keys.get(key) == target), "")
        for key, target in node.keys.items()
    }
    return node.model_copy(update={"title": title, "labels": {k: v for k, v in labels.items() if v}})


def call_path(events: Iterable[CallEvent], flows: Sequence[Flow | None]) -> list[PathLine]:
    """The call's events as lines people read. `flows`: the version the call ran on first,
    then others whose words may tell its steps (the current version)."""
    known = [flow for flow in flows if flow is not None]
    nodes: dict[str, Node | None] = {}
    lines = []
    for event in events:
        name = event.menu or ""
        if name not in nodes:
            nodes[name] = _worded(name, known)
        told = _line(event, nodes[name])
        if told is not None:
            lines.append(PathLine(event.at, *told))
    return lines


# Who wrote a line of a dossier's history, in people's words (a username is a person).
AUTHORS = {"ivr": "Tổng đài tự động", "sms": "Tin nhắn SMS", "system": "Hệ thống",
           "twilio": "Tổng đài (gọi lại)", "web": "Cổng trực tuyến"}


def author(by: str, people: Mapping[str, str]) -> str:
    """`ivr` → "Tổng đài tự động"; a username → the person's full name when known."""
    return AUTHORS.get(by) or people.get(by) or by
