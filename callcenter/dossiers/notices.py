"""What the fisher reads by SMS and what the history says, as a dossier moves on.

SMS texts are plain Vietnamese without diacritics (GSM-7, 160 characters a segment):
most fishers read them on basic phones. History sentences are for staff, with diacritics.
"""

from __future__ import annotations

from datetime import date

from models.domain.text import strip_diacritics

SENDER = "DVC Quang Ngai"

STATUS_LABELS = {
    "draft": "nháp",
    "in_progress": "đang hoàn thiện",
    "submitting": "đang gửi lên hệ thống một cửa",
    "submitted": "đã nộp",
    "processing": "đang xử lý",
    "result_ready": "đã có kết quả",
    "in_transit": "đang chuyển phát",
    "delivered": "đã trả kết quả",
    "cancelled": "đã hủy",
    "rejected": "bị từ chối",
}


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def _sms(text: str) -> str:
    return strip_diacritics(" ".join(text.split()))


def receipt_sms(reference: str, code: str, due: date | None) -> str:
    when = f", hen tra ket qua ngay {due:%d/%m/%Y}" if due else ""
    return _sms(f"{SENDER}: ho so {reference} da duoc tiep nhan. Ma ho so {code}{when}.")


def status_sms(
    reference: str, status: str, *, tracking_number: str | None, by_post: bool, comment: str | None
) -> str | None:
    """The SMS for a new status, or None when the fisher need not be told."""
    if status == "processing":
        return _sms(f"{SENDER}: ho so {reference} dang duoc xu ly.")
    if status == "result_ready":
        how = "Ket qua se gui qua buu dien." if by_post else "Moi ong/ba den nhan tai bo phan mot cua."
        return _sms(f"{SENDER}: ho so {reference} da co ket qua. {how}")
    if status == "in_transit":
        number = f", ma buu gui {tracking_number}" if tracking_number else ""
        return _sms(f"{SENDER}: ket qua ho so {reference} da gui qua buu dien{number}.")
    if status == "delivered":
        return _sms(f"{SENDER}: ket qua ho so {reference} da duoc giao. Cam on ong/ba.")
    if status == "rejected":
        why = f" Ly do: {comment}." if comment else ""
        text = _sms(f"{SENDER}: ho so {reference} khong duoc chap nhan.{why} Xin goi lai tong dai.")
        return text if len(text) <= 160 else _sms(
            f"{SENDER}: ho so {reference} khong duoc chap nhan. Xin goi lai tong dai de biet ly do."
        )
    return None


def status_history(status: str, *, code: str, tracking_number: str | None, comment: str | None) -> str:
    text = f"Hệ thống một cửa: hồ sơ {code} chuyển sang {status_label(status)}"
    if tracking_number:
        text += f", mã bưu gửi {tracking_number}"
    if comment:
        text += f" ({comment})"
    return text + "."
