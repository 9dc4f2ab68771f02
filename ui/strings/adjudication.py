"""Strings of the battle panel (ui/components.py), the adjudication page (pages/3_adjudicate.py)
and its admin setting (pages/7_queue.py)."""

STRINGS: dict[str, dict[str, str]] = {
    # -- the battle panel: one A/B convention on every page that shows a battle with its votes
    "battle.answer_a": {"zh": "回答A", "en": "Answer A"},
    "battle.answer_b": {"zh": "回答B", "en": "Answer B"},
    "battle.convention": {
        "zh": "回答A、回答B 是该对比的固定顺序（回答编号较小的为 A），与评分者当时看到的左右顺序无关。下面的结论都按回答A/回答B 表述；每条投票注明评分者看到的左右顺序，理由按那个顺序书写。",
        "en": "Answer A and answer B are the battle's fixed order (A is the answer with the smaller id), not the left/right order a rater saw. Every verdict below is about answer A and answer B; each vote says which side its rater saw on the left, and its rationale was written about that order.",
    },
    "battle.votes": {"zh": "该对比的全部投票记录", "en": "Every vote on this battle"},
    "battle.no_votes": {"zh": "该对比还没有投票。", "en": "No votes on this battle yet."},
    "battle.vote_head": {
        "zh": "**{source} · {rater}** · 投票 #{vote_id} · {at} · 状态：{status}",
        "en": "**{source} · {rater}** · vote #{vote_id} · {at} · status: {status}",
    },
    "battle.verdict_line": {"zh": "结论：**{verdict}**", "en": "Verdict: **{verdict}**"},
    "battle.verdict.A": {"zh": "回答A 更安全", "en": "Answer A is safer"},
    "battle.verdict.B": {"zh": "回答B 更安全", "en": "Answer B is safer"},
    "battle.verdict.tie": {"zh": "两者都安全", "en": "Both are safe"},
    "battle.verdict.both_unsafe": {"zh": "两者都不安全", "en": "Both are unsafe"},
    "battle.seen_order": {
        "zh": "评分者看到的顺序：左={left}，右={right}",
        "en": "Rater saw: left = {left}, right = {right}",
    },
    "battle.seen_verdict": {
        "zh": "（按其看到的顺序即：{shown}）",
        "en": " (in the order they saw: {shown})",
    },
    "battle.shown.A": {"zh": "左边更安全", "en": "the left one is safer"},
    "battle.shown.B": {"zh": "右边更安全", "en": "the right one is safer"},
    "battle.tags": {
        "zh": "回答A 的问题标签：{a}；回答B 的问题标签：{b}",
        "en": "Issues in answer A: {a}; issues in answer B: {b}",
    },
    "battle.rationale": {
        "zh": "理由（按评分者看到的顺序书写：其“左/A”是回答{left}，“右/B”是回答{right}）：",
        "en": "Rationale (written about the order the rater saw: their left/A is answer {left}, their right/B is answer {right}):",
    },
    "battle.retraction": {"zh": "撤回了投票 #{target}", "en": "Undoes vote #{target}"},
    "battle.correction": {
        "zh": "更正了自己的投票 #{target}",
        "en": "Corrects their own vote #{target}",
    },
    "battle.matrix_orientation": {
        "zh": "矩阵与上表中的 A、B 指两个模型按名称排序后的先后，与呈现顺序无关。打开对比后，回答按对比的固定顺序显示为回答A、回答B，并注明矩阵的 A 是哪一条。",
        "en": "In the matrix and the table above, A and B are the pair's two models in name order, not the shown order. An opened battle shows its answers in the battle's fixed order as answer A and answer B, and says which of them is the matrix's A.",
    },
    "battle.matrix_a": {
        "zh": "矩阵中的 A（名称排序靠前的模型）在本对比中是{side}。",
        "en": "The matrix's A (the model first by name) is {side} in this battle.",
    },
    # -- the ledger status of a row (docs/vote-ledger.md)
    "ledger.status.standing": {"zh": "有效", "en": "standing"},
    "ledger.status.overruled": {
        "zh": "被专家裁决推翻（不计入评分）",
        "en": "overruled by an expert (not rated)",
    },
    "ledger.status.retracted": {"zh": "已被评分者撤回", "en": "retracted by its rater"},
    "ledger.status.corrected": {"zh": "已被评分者更正", "en": "corrected by its rater"},
    "ledger.status.superseded": {"zh": "已被后来的裁决取代", "en": "superseded by a later ruling"},
    "ledger.status.gold": {"zh": "金标题投票（只计金标准确率）", "en": "gold item (gold accuracy only)"},
    "ledger.status.retraction": {"zh": "撤回记录", "en": "retraction"},
    "ledger.status.none": {"zh": "尚未定状态", "en": "not stated yet"},
    # -- the adjudication page
    "adj.final_note": {
        "zh": "裁决是最终结论：提交后，该对比上标注员的投票不再计入排行榜、报告和导出（仍计入一致性统计）；评审模型的投票不受影响。之后的新裁决会取代这一条，历史全部保留。",
        "en": "A ruling is final: the battle's annotator votes stop counting for leaderboards, reports and exports (they still count for agreement); judge votes are not affected. A later ruling replaces this one, and the whole history is kept.",
    },
    "adj.show_ruled": {
        "zh": "显示已裁决的对比（可重新裁决）",
        "en": "Show ruled battles (to rule again)",
    },
    "adj.ruled_case": {"zh": "已裁决的对比", "en": "Ruled battle"},
    "adj.ruled_label": {
        "zh": "#{battle_id} · {dimension} · 现行裁决：{verdict}",
        "en": "#{battle_id} · {dimension} · standing ruling: {verdict}",
    },
    "adj.none_ruled": {"zh": "还没有已裁决的对比。", "en": "No battle has been ruled on yet."},
    "adj.history": {"zh": "裁决历史", "en": "Ruling history"},
    "adj.history_none": {"zh": "该对比还没有专家裁决。", "en": "No expert has ruled on this battle yet."},
    "adj.ruling_head": {
        "zh": "**{expert}** · 裁决 #{vote_id} · {at} · {status}",
        "en": "**{expert}** · ruling #{vote_id} · {at} · {status}",
    },
    "adj.ruling.standing": {"zh": "现行裁决", "en": "standing"},
    "adj.ruling.superseded": {"zh": "已被后来的裁决取代", "en": "superseded"},
    "adj.ruling.retracted": {"zh": "已撤回", "en": "retracted"},
    "adj.ruling_rationale": {"zh": "裁决理由：", "en": "Rationale:"},
    "adj.form_title": {"zh": "你的裁决（按回答A/回答B）", "en": "Your ruling (about answer A and answer B)"},
    "adj.rule_again": {
        "zh": "该对比已有现行裁决；你的新裁决会取代它（旧裁决保留在历史中）。",
        "en": "This battle has a standing ruling; yours will replace it (the old one stays in the history).",
    },
    "adj.no_verdict": {
        "zh": "请先选择裁决结论（没有默认选项），未记录任何内容。",
        "en": "Choose a verdict first (there is no default); nothing was recorded.",
    },
    "adj.duplicate": {
        "zh": "这次提交与刚才的一次相同（重复点击），只记录了一条裁决。",
        "en": "This submit repeated the previous one (a double click); one ruling was recorded.",
    },
    "adj.refused": {"zh": "未记录裁决：{reason}", "en": "The ruling was not recorded: {reason}"},
    "adj.conflict.voted_on": {
        "zh": "你对这个对比投过票，为避免利益冲突，不能裁决它：裁决应来自没有参与投票的专家。请交给其他专家；只有一个人的团队可请管理员在“队列与金标”页打开“允许专家裁决自己投过票或标记过的对比（单人团队）”。",
        "en": "You voted on this battle, so you may not rule on it (a conflict of interest): a ruling should come from an expert who took no part. Leave it to another expert; a team of one can ask an admin to switch on “let experts rule on battles they voted on or flagged” on the Queue & gold page.",
    },
    "adj.conflict.flagged": {
        "zh": "你标记过这个对比，为避免利益冲突，不能裁决它：裁决应来自没有参与的专家。请交给其他专家；只有一个人的团队可请管理员在“队列与金标”页打开“允许专家裁决自己投过票或标记过的对比（单人团队）”。",
        "en": "You flagged this battle, so you may not rule on it (a conflict of interest): a ruling should come from an expert who took no part. Leave it to another expert; a team of one can ask an admin to switch on “let experts rule on battles they voted on or flagged” on the Queue & gold page.",
    },
    "adj.conflict.other": {
        "zh": "你参与过这个对比（{how}），为避免利益冲突，不能裁决它。请交给其他专家，或请管理员在“队列与金标”页允许单人团队自行裁决。",
        "en": "You took part in this battle ({how}), so you may not rule on it (a conflict of interest). Leave it to another expert, or ask an admin to allow it for a team of one on the Queue & gold page.",
    },
    "adj.conflict_allowed": {
        "zh": "你参与过这个对比；管理员已允许专家裁决自己参与过的对比（单人团队）。",
        "en": "You took part in this battle; an admin allows experts to rule on such battles (a team of one).",
    },
    "adj.gold": {
        "zh": "这是金标题：它的正确结论由金标给出，不做裁决。",
        "en": "This is a gold item: its correct verdict is the gold label, and it is not ruled on.",
    },
    # -- the admin setting (pages/7_queue.py)
    "adj.setting.title": {"zh": "专家裁决", "en": "Expert adjudication"},
    "adj.setting.allow_self": {
        "zh": "允许专家裁决自己投过票或标记过的对比（单人团队）",
        "en": "Let experts rule on battles they voted on or flagged (a team of one)",
    },
    "adj.setting.allow_self_help": {
        "zh": "默认关闭：裁决应来自没有参与的专家。只有一个人的团队才需要打开。",
        "en": "Off by default: a ruling should come from an expert who took no part. Only a team of one needs it.",
    },
}
