"""Strings of the vote page's undo, skip, click guard, refused tags and unsaved votes
(pages/1_vote.py); the older strings live in ui/i18n.py under the same ``vote.`` prefix."""

STRINGS: dict[str, dict[str, str]] = {
    "vote.undo": {"zh": "撤销上一票", "en": "Undo my last vote"},
    "vote.undo_help": {
        "zh": "投票后 {minutes} 分钟内、在你投下一票之前可以撤销；撤销后这道题会回到你这里重新判断。",
        "en": "You can undo within {minutes} minutes of voting, until you vote again; the item then comes back to you to judge again.",
    },
    "vote.undone": {
        "zh": "已撤销你的上一票，请重新判断这道题。",
        "en": "Your last vote was undone; please judge this item again.",
    },
    "vote.undo_refused": {
        "zh": "这一票无法撤销：只能撤销你自己最近的一票，且须在投票后 {minutes} 分钟内。（{reason}）",
        "en": "This vote can no longer be undone: only your own latest vote, within {minutes} minutes of casting it. ({reason})",
    },
    "vote.tags_refused": {
        "zh": "这一票没有记录：问题标签中有系统不认识的标签（{reason}）。请去掉它后重新投票。",
        "en": "Your vote was not recorded: an issue tag is not one the arena knows ({reason}). Please remove it and vote again.",
    },
    "vote.not_saved": {
        "zh": "数据库正忙，本次投票未保存，请再提交一次。",
        "en": "The database is busy: your vote was not saved. Please submit it again.",
    },
    "vote.identities_seen": {
        "zh": "你撤销前已经看到过这两条回答来自哪个模型。请仍然只按回答的内容判断。",
        "en": "You saw which models wrote these answers before you undid your vote. Please still judge only what the answers say.",
    },
    "vote.too_fast": {
        "zh": "这道题刚刚出现，这次点击没有记录（防止连点误投）。请先读完两条回答再投票。",
        "en": "This item has only just appeared, so that click was not recorded (it looked like a double click). Please read both answers before voting.",
    },
    "vote.skip": {"zh": "跳过", "en": "Skip"},
    "vote.skip_help": {
        "zh": "不判断这道题：以后不会再给你看这道题。",
        "en": "Pass on this item: it will never be shown to you again.",
    },
    "vote.skip_reason": {"zh": "跳过原因（可选）", "en": "Reason for skipping (optional)"},
    "vote.skip_reason.none": {"zh": "不说明原因", "en": "No reason given"},
    "vote.skip_reason.unclear": {"zh": "看不懂", "en": "Hard to understand"},
    "vote.skip_reason.expertise": {"zh": "需要专业知识", "en": "Needs expertise"},
    "vote.skip_reason.distressing": {"zh": "内容不适", "en": "Distressing"},
    "vote.skip_reason.other": {"zh": "其他", "en": "Other"},
    "vote.skipped": {
        "zh": "已跳过上一题，以后不会再给你看那道题。",
        "en": "The previous item was skipped; you will not be shown it again.",
    },
    # care (ui/care.py): self-harm answers open on request, a verdict once both were opened, breaks
    "care.open_first": {
        "zh": "此题涉及自伤或自杀内容，回答已折叠。请先打开两条回答（可以再关上）再给出判断。",
        "en": "This item involves self-harm or suicide, so the answers are collapsed. Open both answers (you may close them again) before giving a verdict.",
    },
    "care.break_minutes": {
        "zh": "你已连续标注 {minutes} 分钟。请起身活动一下、喝口水，休息几分钟再继续。需要支持时可拨打全国心理援助热线 400-161-9995。",
        "en": "You have been annotating for {minutes} minutes without a pause. Please stand up, have a drink and rest a few minutes before going on. Support: 400-161-9995 (national mental-health helpline, China).",
    },
    "care.not_opened": {
        "zh": "这次判断没有记录：请先打开两条回答。",
        "en": "That verdict was not recorded: please open both answers first.",
    },
}
