"""Strings of campaigns (the queue page's campaign form) and of annotator progress (the vote
page's counts, the users page's table and CSV download)."""

STRINGS: dict[str, dict[str, str]] = {
    "camp.title": {"zh": "标注任务（版本与维度配比）", "en": "Campaign (release and dimension mix)"},
    "camp.help": {
        "zh": "把人工标注队列指向一个已发布的版本，并按权重分配各维度（例如只填隐私 = 1，就只出隐私题）。可以对所有人设置，也可以为某个人单独设置（单独设置优先）。每人只会收到自己有资质的维度。不设置时，队列从所有版本和维度中出题。",
        "en": "Point the human queue at one published release and share the dimensions out by weight (e.g. privacy = 1 alone serves privacy items only). Set it for everybody, or for one person (their own wins). Each person gets only the dimensions they are qualified for. Without a campaign the queue serves every release and dimension.",
    },
    "camp.none": {
        "zh": "目前没有任务：队列从所有版本和维度中出题。",
        "en": "No campaign: the queue serves every release and dimension.",
    },
    "camp.scope": {"zh": "适用于", "en": "Applies to"},
    "camp.everyone": {"zh": "所有人", "en": "Everybody"},
    "camp.release": {"zh": "版本", "en": "Release"},
    "camp.release_state.published": {"zh": "{tag}（已发布）", "en": "{tag} (published)"},
    "camp.release_state.draft": {
        "zh": "{tag}（草稿，不能作为任务）",
        "en": "{tag} (draft: not for a campaign)",
    },
    "camp.release_state.retired": {
        "zh": "{tag}（已退役，后续版本为 {successor}）",
        "en": "{tag} (retired; its successor is {successor})",
    },
    "camp.weights": {
        "zh": "各维度权重（0 表示不出这一维度）",
        "en": "Dimension weights (0: none of that dimension)",
    },
    "camp.save": {"zh": "保存任务", "en": "Save campaign"},
    "camp.clear": {"zh": "结束任务", "en": "End campaign"},
    "camp.saved": {"zh": "已保存任务：{scope} → {release}。", "en": "Campaign saved: {scope} → {release}."},
    "camp.cleared": {"zh": "已结束任务：{scope}。", "en": "Campaign ended: {scope}."},
    "camp.refused": {
        "zh": "任务未保存，未做任何修改：{error}",
        "en": "Campaign not saved, nothing was changed: {error}",
    },
    "camp.col_scope": {"zh": "适用于", "en": "Applies to"},
    "camp.col_release": {"zh": "版本", "en": "Release"},
    "camp.col_weights": {"zh": "维度权重", "en": "Dimension weights"},
    "camp.col_started": {"zh": "开始时间", "en": "Started"},
    "camp.now_retired": {
        "zh": "注意：任务版本 {tag} 已退役（后续版本为 {successor}），队列仍按任务出题；请考虑把任务改到 {successor}。",
        "en": "Note: the campaign's release {tag} is retired (its successor is {successor}); the queue still follows the campaign. Consider moving it to {successor}.",
    },
    "progress.today": {"zh": "今天已完成", "en": "Done today"},
    "progress.in_campaign": {"zh": "本轮任务已完成（{release}）", "en": "Done in this campaign ({release})"},
    "progress.all_time": {"zh": "累计完成", "en": "Done in total"},
    "progress.remaining": {"zh": "剩余", "en": "Remaining"},
    "progress.remaining_help": {
        "zh": "还需要投票、而且可以分给你的对比数：本轮任务（或全部题库）中，人数不足 k 的回答对里你还没看过的那些。撤销的投票不计入已完成。",
        "en": "Battles that still need votes and can still go to you: the answer pairs of the campaign (or the whole bank) with fewer than k people's votes that you have not been shown. Undone votes do not count as done.",
    },
    "progress.title": {"zh": "标注进度", "en": "Annotator progress"},
    "progress.explain": {
        "zh": "今天 = 服务器本地日期；本轮任务 = 该用户当前任务的版本和维度中、任务开始后的投票；剩余 = 该任务中人数不足 k 且此人还没看过的回答对。撤销的投票不计。",
        "en": "Today = the server's local date; campaign = votes in the person's current campaign (release and dimensions) since it started; remaining = answer pairs of that campaign with fewer than k votes the person has not been shown. Undone votes do not count.",
    },
    "progress.col_campaign": {"zh": "任务", "en": "Campaign"},
    "progress.col_in_campaign": {"zh": "本轮任务已完成", "en": "Done in campaign"},
    "progress.col_own": {"zh": "单独设置", "en": "Own campaign"},
    "progress.no_campaign": {"zh": "（无任务）", "en": "(no campaign)"},
    "progress.download": {"zh": "下载标注统计（CSV）", "en": "Download annotator statistics (CSV)"},
}
