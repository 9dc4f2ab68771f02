"""Strings of the queue settings (pages/7_queue.py) added with assignment leases."""

STRINGS: dict[str, dict[str, str]] = {
    "queue.lease_minutes": {"zh": "分配保留时长（分钟）", "en": "Assignment lease (minutes)"},
    "queue.lease_minutes_help": {
        "zh": "标注员领到一道题后若在此时长内未投票，这道题会释放给其他人，不再计入重叠人数 k；标注员回来时会拿到新题。",
        "en": "An item not voted on within this time is released to others and no longer counts toward overlap k; the annotator gets a fresh item when they come back.",
    },
    "queue.calibration_share": {
        "zh": "抽检中随机抽取的比例（校准层）",
        "en": "Share of spot checks drawn at random (calibration stratum)",
    },
    "queue.calibration_share_help": {
        "zh": "抽检题中按此比例从所有评审模型投过票的对比中均匀随机抽取；经评审校正的排行榜只用这些随机抽取的人工投票，才保持统计上有效。建议不低于 0.2。",
        "en": "This share of spot-check items is drawn uniformly at random from every judge-voted battle; the judge-corrected leaderboard uses only these randomly drawn human votes, which keeps it statistically valid. 0.2 or more is advised.",
    },
    "queue.break_minutes": {
        "zh": "连续标注多少分钟后提醒休息",
        "en": "Break reminder after this many minutes of continuous work",
    },
    "queue.active_running": {
        "zh": "主动策略：人工排名尚未收敛（{votes} 张有效人工票；相邻名次中仍有 {short} 对比较次数不足），继续开启新的对比。",
        "en": "Active policy: the human ranking has not settled yet ({votes} human votes that count; {short} pairs of rank neighbours still short of comparisons), so new battles keep opening.",
    },
    "queue.active_converged": {
        "zh": "主动策略：人工排名已收敛（{votes} 张有效人工票），不再开启新的对比；已分配的题目和其他策略不受影响。",
        "en": "Active policy: the human ranking has settled ({votes} human votes that count), so no new battles open; items already handed out and the other policies go on.",
    },
}
