"""The audit trail's stored values in words (ui/readable.py)."""

from __future__ import annotations

from ui.readable import audit_text

NAMES = {"610122": "蓝田县", "610000": "陕西省"}


def test_keys_regions_roles_and_statuses_are_named():
    user = {
        "roles": ["statistician"],
        "regions": ["610122"],
        "disabled": False,
        "sso_subject": None,
    }
    assert (
        audit_text(user, "zh", NAMES) == "角色：统计人员；地区：蓝田县；已停用：否；统一身份账号：—"
    )
    assert audit_text({"status": "in_progress", "note": "已部署"}, "en", NAMES) == (
        "status: In progress; note: 已部署"
    )
    revised = {"610122 settled_rural 2021Q1": 7520.0}
    assert audit_text(revised, "zh", NAMES) == "蓝田县 本季农业转移人口城镇落户人数 2021Q1：7,520"
    assert audit_text(None, "zh") == "" and audit_text([], "en") == "—"
