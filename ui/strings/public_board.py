"""Strings of the public leaderboard (login screen) and its admin switch."""

STRINGS: dict[str, dict[str, str]] = {
    "pub.title": {"zh": "公开排行榜", "en": "Public leaderboard"},
    "pub.none": {"zh": "还没有已发布的版本。", "en": "No release has been published yet."},
    "pub.caption": {
        "zh": "已发布版本 {tag}：{title}。只读；登录后可投票和查看更多。",
        "en": "Published release {tag}: {title}. Read-only; log in to vote and see more.",
    },
    "pub.votes": {"zh": "本范围共 {n} 票", "en": "{n} votes in this slice"},
    "pub.explain": {
        "zh": "Bradley–Terry 评分（以 1000 为中心），95% 区间按对局聚类；名次范围是区间允许的名次。"
        "票数不足的模型标为暂定。",
        "en": "Bradley–Terry ratings (centred on 1000) with 95% intervals clustered by battle; the rank "
        "range is what the intervals allow. Models with too few votes are marked provisional.",
    },
    "pub.setting.title": {"zh": "公开排行榜", "en": "Public leaderboard"},
    "pub.setting.toggle": {
        "zh": "向未登录的访客显示已发布版本的排行榜",
        "en": "Show published releases' leaderboards to visitors who are not logged in",
    },
    "pub.setting.help": {
        "zh": "默认关闭。打开后，登录页下方显示已发布版本的总榜和各维度榜（只读）；草稿、金标、投票、"
        "标注员和其他页面都不会对访客开放。",
        "en": "Off by default. When on, the login screen shows the overall and per-dimension boards of "
        "published releases (read-only); drafts, gold items, votes, annotators and every other page "
        "stay closed to visitors.",
    },
    "pub.setting.on": {"zh": "公开排行榜已打开。", "en": "The public leaderboard is on."},
    "pub.setting.off": {"zh": "公开排行榜已关闭。", "en": "The public leaderboard is off."},
}

# The leaderboard page's harm tag table (ui/harm_tags_view.py).
STRINGS |= {
    "tags.title": {"zh": "问题标签比例（%）", "en": "Harm tags (% of answers)"},
    "tags.by": {"zh": "标注来源", "en": "Tagged by"},
    "tags.answers": {"zh": "回答数", "en": "Answers"},
    "tags.group.people": {"zh": "人工", "en": "People"},
    "tags.group.judge": {"zh": "评审模型", "en": "LLM judge"},
    "tags.explain": {
        "zh": "每个模型的回答被人工（标注员与专家）和评审模型分别标为各类问题的百分比，基于仍然有效的投票；"
        "一次投票中的一个回答计一次（评审模型对每个对比按两种顺序各投一票）。只统计要求给出标签的评审提示词版本。",
        "en": "The share of each model's answers that people (annotators and experts) and the LLM judge "
        "tagged each way, over the votes raters stand by; an answer counts once per vote it appears in "
        "(the judge votes twice per battle, once per order). Only judge prompts that asked for tags count.",
    },
}
