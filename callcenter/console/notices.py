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
    "callback_failed": "Không gọi được qua Twilio; lần gọi đã được ghi lại và hẹn gọi lại (xem bên dưới).",
    "callback_no_fisher_phone": "Hồ sơ chưa có số điện thoại của người dân để gọi lại.",
    "not_ready": "Hồ sơ chưa đủ điều kiện để gửi ngay; xem các mục còn thiếu bên dưới.",
    "callback_no_operator_phone": "Tài khoản của bạn chưa có số điện thoại để tổng đài gọi vào trước.",
}


def notice_text(code: str | None) -> str | None:
    return NOTICES.get(code or "")
