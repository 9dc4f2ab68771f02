"""Strings of the queue settings (pages/7_queue.py) added with assignment leases."""

STRINGS: dict[str, dict[str, str]] = {
    "queue.lease_minutes": {"zh": "分配保留时长（分钟）", "en": "Assignment lease (minutes)"},
    "queue.lease_minutes_help": {
        "zh": "标注员领到一道题后若在此时长内未投票，这道题会释放给其他人，不再计入重叠人数 k；标注员回来时会拿到新题。",
        "en": "An item not voted on within this time is released to others and no longer counts toward overlap k; the annotator gets a fresh item when they come back.",
    },
}
