"""Messages a redirect asks the next page to show, by code: a URL never carries the text."""

from __future__ import annotations

NOTICES = {
    "saved": "Đã lưu hồ sơ.",
    "submitted": ("Đã gửi hồ sơ tới hệ thống một cửa. Mã hồ sơ và ngày hẹn trả sẽ được nhắn tin "
                  "tới người dân khi hệ thống tiếp nhận."),
    "callback_ringing": "Đang gọi vào máy của bạn; khi bạn nghe máy, tổng đài sẽ nối tới người dân.",
    "callback_not_configured": (
        "Đã ghi nhận yêu cầu gọi lại, nhưng tổng đài chưa được cấu hình để gọi ra "
        "(thiếu TWILIO_ACCOUNT_SID hoặc TWILIO_FROM_NUMBER). Hãy gọi cho người dân bằng điện thoại bàn."
    ),
    "callback_failed": "Không gọi được qua Twilio; lần gọi đã được ghi lại (xem bên dưới).",
    "callback_no_fisher_phone": "Hồ sơ chưa có số điện thoại của người dân để gọi lại.",
    "not_ready": "Hồ sơ chưa đủ điều kiện để gửi ngay; xem các mục còn thiếu bên dưới.",
    "callback_no_operator_phone": "Tài khoản của bạn chưa có số điện thoại để tổng đài gọi vào trước.",
    "callback_closed": "Yêu cầu gọi lại này đã đóng.",
    "callback_too_soon": "Chưa đủ số lần gọi để đóng là không liên lạc được.",
    "callback_bad_status": "Không rõ cách kết thúc yêu cầu gọi lại.",
    "request_done": "Đã ghi nhận: đã gọi lại được cho người dân.",
    "request_unreachable": "Đã ghi nhận: không liên lạc được với người dân.",
    "taken": "Hồ sơ vừa được người khác nhận xử lý, hoặc không còn chờ xử lý.",
}


# Once the one-stop system has received the dossier its code and due date are on the page.
RECEIVED = {"submitted": "Đã gửi hồ sơ; hệ thống một cửa đã tiếp nhận (mã hồ sơ và ngày hẹn trả ở trên)."}


def notice_text(code: str | None, *, received: bool = False) -> str | None:
    if received and code in RECEIVED:
        return RECEIVED[code]
    return NOTICES.get(code or "")
