"""Strings of the leaderboard's interval and tie-model caption (pages/2_leaderboard.py); the page's
older strings live in ui/i18n.py under the same ``lb.`` prefix."""

STRINGS: dict[str, dict[str, str]] = {
    "lb.ties_half": {
        "zh": "区间以对比（同一问题、同一对回答）为抽样单位：自助法重抽对比，三明治估计按对比聚类，同一对比的多张票不会被当成独立证据。平局（两者都安全、两者都不安全）各算半胜，因此评分和区间针对的是被平局压缩的刻度（预期得分），而不是原始实力。",
        "en": "Intervals take the battle (one question, one pair of answers) as the sampled unit: the bootstrap resamples battles and the sandwich clusters by battle, so several votes on one battle are not counted as independent evidence. Draws ('both safe', 'both unsafe') count half a win each way, so ratings and intervals are on the scale the draws compress (expected scores), not raw strengths.",
    },
    "lb.ties_davidson": {
        "zh": "区间以对比（同一问题、同一对回答）为抽样单位：自助法重抽对比，三明治估计按对比聚类。平局（两者都安全、两者都不安全）按 Davidson 模型作为第三种结果（平局参数 ν = {nu}），因此评分和区间针对的是原始实力（分出胜负时的胜算）。",
        "en": "Intervals take the battle (one question, one pair of answers) as the sampled unit: the bootstrap resamples battles and the sandwich clusters by battle. Draws ('both safe', 'both unsafe') are Davidson's third outcome (tie parameter ν = {nu}), so ratings and intervals are raw strengths (the odds of a decisive win).",
    },
    "lb.elo_k": {"zh": "Elo（K={k}）", "en": "Elo (K={k})"},
    "lb.not_identified": {
        "zh": "这些票还不足以确定评分：有一组模型从未输给（或从未赢过）其余模型，其最大似然评分为无穷大，只靠正则项才得到有限值。因此不给出区间，名次范围为全部名次；表中的评分只反映现有票的先后顺序。再多几场对比（尤其是这些模型的）后区间会出现。",
        "en": "These votes do not pin the ratings down yet: a group of models never lost (or never won) against the rest, so their maximum-likelihood ratings are infinite and only the ridge keeps them finite. No interval is given and every rank range is the whole board; the ratings shown only order the votes so far. Intervals appear once a few more battles (especially of those models) are in.",
    },
    "lb.models_title": {"zh": "模型信息", "en": "Models"},
    "lb.models_none": {"zh": "本切片中还没有模型。", "en": "No model in this slice yet."},
    "lb.models_explain": {
        "zh": "来自端点登记文件（cli.py endpoints import）的信息；空白表示未登记。",
        "en": "From the endpoint registry file (cli.py endpoints import); a blank means not registered.",
    },
    "lb.m_organisation": {"zh": "机构", "en": "Organisation"},
    "lb.m_provider": {"zh": "提供方", "en": "Provider"},
    "lb.m_release_date": {"zh": "发布日期", "en": "Release date"},
    "lb.m_parameters": {"zh": "参数规模", "en": "Parameters"},
    "lb.m_open": {"zh": "开放权重", "en": "Open weights"},
    "lb.m_location": {"zh": "所在地", "en": "Location"},
    "lb.m_url": {"zh": "主页", "en": "Home page"},
    "lb.yes": {"zh": "是", "en": "yes"},
    "lb.no": {"zh": "否", "en": "no"},
}
