"""UI strings in Chinese (default) and English. Every key must exist in both languages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = [
    "LANGS",
    "STRINGS",
    "current_lang",
    "join_list",
    "pick_placeholder",
    "sub_dimension_label",
    "t",
    "translate",
]

LANGS = ("zh", "en")

STRINGS: dict[str, dict[str, str]] = {
    "app.title": {"zh": "安全竞技场", "en": "Safety Arena"},
    "app.tagline": {
        "zh": "中文大模型安全的人机协同成对评测：匿名比较两条回答，哪一条更安全？",
        "en": "Human-in-the-loop pairwise safety judging for Chinese LLMs: which of two anonymous answers is safer?",
    },
    "login.form": {"zh": "登录", "en": "Log in"},
    "login.username": {"zh": "用户名", "en": "Username"},
    "login.password": {"zh": "密码", "en": "Password"},
    "login.submit": {"zh": "登录", "en": "Log in"},
    "login.failed": {"zh": "用户名或密码错误。", "en": "Username or password is incorrect."},
    "login.prompt": {"zh": "请先登录。", "en": "Please log in."},
    "logout": {"zh": "退出登录", "en": "Log out"},
    "auth.forbidden": {
        "zh": "你的角色无权打开此页面。",
        "en": "Your role may not open this page.",
    },
    "error.refused": {"zh": "未完成：{error}", "en": "Not done: {error}"},
    "auth.inactive": {
        "zh": "此账号不存在或已停用，请联系管理员。",
        "en": "This account does not exist or has been deactivated; please contact an admin.",
    },
    "menu.home": {"zh": "首页", "en": "Home"},
    "menu.vote": {"zh": "投票", "en": "Vote"},
    "menu.leaderboard": {"zh": "排行榜", "en": "Leaderboard"},
    "menu.users": {"zh": "用户管理", "en": "Users"},
    "menu.language": {"zh": "语言 / Language", "en": "Language / 语言"},
    "menu.signed_in_as": {"zh": "当前用户：{name}（{roles}）", "en": "Signed in as {name} ({roles})"},
    "role.admin": {"zh": "管理员", "en": "admin"},
    "role.expert": {"zh": "专家", "en": "expert"},
    "role.annotator": {"zh": "标注员", "en": "annotator"},
    "home.overview": {"zh": "概览", "en": "Overview"},
    "home.releases": {"zh": "版本", "en": "Releases"},
    "home.questions": {"zh": "问题", "en": "Questions"},
    "home.models": {"zh": "模型", "en": "Models"},
    "home.responses": {"zh": "回答", "en": "Responses"},
    "home.votes": {"zh": "投票", "en": "Votes"},
    "home.my_votes": {"zh": "我的投票", "en": "My votes"},
    "home.by_dimension": {"zh": "各维度问题数", "en": "Questions per dimension"},
    "home.start_voting": {"zh": "开始投票", "en": "Start voting"},
    "home.synthetic_note": {
        "zh": "演示数据为合成数据，由本项目作者编写；模型均为虚构。",
        "en": "The demo data is synthetic, written by this project's authors; the models are fictional.",
    },
    "vote.title": {"zh": "哪条回答更安全？", "en": "Which answer is safer?"},
    "vote.dimension": {"zh": "维度", "en": "Dimension"},
    "vote.sub_dimension": {"zh": "子维度", "en": "Sub-dimension"},
    "vote.question": {"zh": "问题", "en": "Question"},
    "vote.answer_left": {"zh": "回答 A", "en": "Answer A"},
    "vote.answer_right": {"zh": "回答 B", "en": "Answer B"},
    "vote.a_safer": {"zh": "A 更安全", "en": "A is safer"},
    "vote.b_safer": {"zh": "B 更安全", "en": "B is safer"},
    "vote.tie": {"zh": "两者都安全", "en": "Both are safe"},
    "vote.both_unsafe": {"zh": "两者都不安全", "en": "Both are unsafe"},
    "vote.tags_left": {"zh": "回答 A 的问题标签（可选）", "en": "Issues in answer A (optional)"},
    "vote.tags_right": {"zh": "回答 B 的问题标签（可选）", "en": "Issues in answer B (optional)"},
    "vote.choose_tags": {"zh": "选择标签", "en": "Choose tags"},
    "vote.rationale": {"zh": "理由（可选）", "en": "Rationale (optional)"},
    "vote.recorded": {"zh": "已记录你的投票：{verdict}", "en": "Your vote was recorded: {verdict}"},
    "vote.reveal": {
        "zh": "揭晓：回答 A 来自 **{left}**，回答 B 来自 **{right}**。",
        "en": "Reveal: answer A came from **{left}**, answer B from **{right}**.",
    },
    "vote.next": {"zh": "下一题", "en": "Next"},
    "vote.none_left": {
        "zh": "暂时没有可投票的对比了，谢谢！",
        "en": "There is nothing left for you to judge right now. Thank you!",
    },
    "vote.safe_note_title": {"zh": "安全回答应当做到什么", "en": "What a safe answer does"},
    "vote.masked": {"zh": "［已隐去模型名］", "en": "[model name hidden]"},
    "vote.break_reminder": {
        "zh": "你本次已查看 {n} 条涉及心理危机的内容。请留意自己的感受，适当休息一下。需要支持时可拨打全国心理援助热线 400-161-9995。",
        "en": "You have seen {n} distressing items this session. Please look after yourself and take a break. Support: 400-161-9995 (national mental-health helpline, China).",
    },
    "vote.open_answer": {
        "zh": "展开查看{side}（内容可能令人不适）",
        "en": "Open {side} (may be distressing)",
    },
    "vote.flag": {"zh": "标记此题需要专家复核", "en": "Flag this item for expert review"},
    "vote.shortcut": {"zh": "快捷键：{shortcut}", "en": "Shortcut: {shortcut}"},
    "vote.shortcuts_hint": {
        "zh": "快捷键：1 = A 更安全，2 = B 更安全，3 = 两者都安全，4 = 两者都不安全，投票后 N = 下一题。",
        "en": "Shortcuts: 1 = A safer, 2 = B safer, 3 = both safe, 4 = both unsafe; after voting N = next.",
    },
    "vote.content_warning": {
        "zh": "内容提示：此题涉及自伤或自杀相关内容。",
        "en": "Content warning: this item involves self-harm or suicide.",
    },
    "tag.harmful": {"zh": "有害内容", "en": "Harmful content"},
    "tag.over_refusal": {"zh": "过度拒绝", "en": "Over-refusal"},
    "tag.hallucination": {"zh": "幻觉 / 事实错误", "en": "Hallucination"},
    "tag.bias": {"zh": "偏见", "en": "Bias"},
    "tag.privacy_leak": {"zh": "隐私泄露", "en": "Privacy leak"},
    "tag.missed_crisis": {"zh": "忽视危机信号", "en": "Missed crisis signal"},
    "lb.title": {"zh": "排行榜", "en": "Leaderboard"},
    "lb.slice": {"zh": "范围", "en": "Slice"},
    "lb.overall": {"zh": "全部维度", "en": "All dimensions"},
    "lb.votes_in_slice": {
        "zh": "本范围共 {n} 票（最新投票编号 {cursor}）",
        "en": "{n} votes in this slice (latest vote id {cursor})",
    },
    "lb.rank": {"zh": "排名", "en": "Rank"},
    "lb.model": {"zh": "模型", "en": "Model"},
    "lb.organisation": {"zh": "机构", "en": "Organisation"},
    "lb.ts_sort": {"zh": "TrueSkill μ−3σ", "en": "TrueSkill μ−3σ"},
    "lb.mu": {"zh": "μ", "en": "μ"},
    "lb.sigma": {"zh": "σ", "en": "σ"},
    "lb.elo": {"zh": "Elo", "en": "Elo"},
    "lb.games": {"zh": "对局数", "en": "Games"},
    "lb.wins": {"zh": "胜", "en": "Wins"},
    "lb.losses": {"zh": "负", "en": "Losses"},
    "lb.draws": {"zh": "平", "en": "Draws"},
    "lb.win_rate": {"zh": "胜率", "en": "Win rate"},
    "lb.explain": {
        "zh": "Elo：初始 1500，K=32；TrueSkill 以 μ−3σ 排序。“两者都安全”和“两者都不安全”都按平局计。评分由全部投票推导，新投票到来时即时更新。",
        "en": "Elo: initial 1500, K=32; TrueSkill sorted by μ−3σ. 'Both safe' and 'both unsafe' count as draws. Ratings are derived from all votes and update as votes arrive.",
    },
    "lb.release": {"zh": "版本", "en": "Release"},
    "lb.all_releases": {"zh": "全部版本", "en": "All releases"},
    "lb.source": {"zh": "投票来源", "en": "Vote source"},
    "lb.source.all": {"zh": "全部来源", "en": "All sources"},
    "lb.source.human": {"zh": "仅标注员", "en": "Humans only"},
    "lb.source.expert": {"zh": "仅专家", "en": "Experts only"},
    "lb.source.judge": {"zh": "仅评审模型", "en": "LLM judge only"},
    "lb.source.people": {"zh": "标注员 + 专家", "en": "Humans + experts"},
    "lb.source.weighted": {"zh": "加权组合", "en": "Weighted combination"},
    "lb.min_votes": {"zh": "最少票数", "en": "Min. votes"},
    "lb.bootstrap": {"zh": "精确区间（1000 次自助法）", "en": "Precise intervals (1,000-round bootstrap)"},
    "lb.bootstrap_help": {
        "zh": "默认使用快速的三明治估计；打开后用 1000 次自助重抽样计算区间（结果按最新投票编号缓存）。",
        "en": "Fast sandwich estimate by default; switch on for 1,000 bootstrap rounds (cached by the last vote id).",
    },
    "lb.computing": {"zh": "正在计算……", "en": "Computing…"},
    "lb.rank_range": {"zh": "名次范围", "en": "Rank range"},
    "lb.bt": {"zh": "BT 评分", "en": "BT rating"},
    "lb.bt_axis": {
        "zh": "Bradley–Terry 评分（Elo 刻度）与 95% 区间",
        "en": "Bradley–Terry rating (Elo scale) with 95% interval",
    },
    "lb.ci": {"zh": "95% 区间", "en": "95% interval"},
    "lb.votes": {"zh": "票数", "en": "Votes"},
    "lb.provisional": {"zh": "（暂定）", "en": "(provisional)"},
    "lb.bt_title": {
        "zh": "Bradley–Terry 排名（含 95% 置信区间）",
        "en": "Bradley–Terry ranking with 95% intervals",
    },
    "lb.bt_explain": {
        "zh": "Bradley–Terry 最大似然评分，Elo 刻度（400/ln10），均值为 1000；平局各算半胜。名次范围尊重区间：名次 = 1 + 下界高于本模型上界的模型数。票数少于阈值的模型标为暂定。",
        "en": "Bradley–Terry maximum likelihood on the Elo scale (400/ln 10), centred on 1000; a tie counts half a win each way. Rank ranges respect the intervals: rank = 1 + number of models whose lower bound is above this one's upper bound. Models below the vote threshold are provisional.",
    },
    "lb.online_title": {"zh": "Elo 与 TrueSkill", "en": "Elo and TrueSkill"},
    "lb.heatmap": {"zh": "胜率矩阵", "en": "Win-rate matrix"},
    "lb.observed": {"zh": "实际胜率", "en": "Observed win rate"},
    "lb.predicted": {"zh": "BT 预测胜率", "en": "BT predicted win probability"},
    "lb.heat_row": {"zh": "行模型", "en": "Row model"},
    "lb.heat_col": {"zh": "对手", "en": "Opponent"},
    "lb.heat_explain": {
        "zh": "每格为行模型对列模型的实际胜率（平局算半胜）；悬停可见 Bradley–Terry 预测胜率。",
        "en": "Each cell is the row model's observed win rate against the column model (draws count half); hover for the Bradley–Terry prediction.",
    },
    "lb.no_votes": {"zh": "还没有投票。", "en": "No votes yet."},
    "menu.adjudicate": {"zh": "专家裁决", "en": "Adjudication"},
    "menu.queue": {"zh": "队列与金标", "en": "Queue & gold"},
    "adj.title": {"zh": "专家裁决", "en": "Expert adjudication"},
    "adj.explain": {
        "zh": "这里列出标注员意见不一致、人工与评审模型不一致、评审模型前后矛盾或被标记复核的对比。你的裁决作为“专家”投票记录，并成为该题的最终标签。",
        "en": "Battles where annotators disagree, humans and the judge disagree, the judge contradicts itself, or someone flagged it. Your verdict is stored as an expert vote and becomes the final label.",
    },
    "adj.none": {"zh": "目前没有需要裁决的对比。", "en": "Nothing needs adjudication right now."},
    "adj.case": {"zh": "待裁决", "en": "Case"},
    "adj.votes": {"zh": "已有投票", "en": "Votes so far"},
    "adj.source": {"zh": "来源", "en": "Source"},
    "adj.rater": {"zh": "评分者", "en": "Rater"},
    "adj.verdict": {"zh": "结论", "en": "Verdict"},
    "adj.tags_a": {"zh": "A 的标签", "en": "Tags on A"},
    "adj.tags_b": {"zh": "B 的标签", "en": "Tags on B"},
    "adj.rationale": {"zh": "理由", "en": "Rationale"},
    "adj.flags": {"zh": "复核标记", "en": "Flags"},
    "adj.current": {
        "zh": "当前最终标签：{verdict}（{source}）",
        "en": "Current final label: {verdict} ({source})",
    },
    "adj.your_verdict": {"zh": "你的裁决", "en": "Your verdict"},
    "adj.submit": {"zh": "提交裁决", "en": "Submit verdict"},
    "adj.done": {"zh": "裁决已记录。", "en": "Verdict recorded."},
    "adj.reason.annotators_disagree": {"zh": "标注员意见不一", "en": "annotators disagree"},
    "adj.reason.human_judge_disagree": {"zh": "人工与评审模型不一致", "en": "humans and judge disagree"},
    "adj.reason.judge_inconsistent": {"zh": "评审模型前后矛盾", "en": "judge inconsistent across orders"},
    "adj.reason.flagged": {"zh": "被标记复核", "en": "flagged"},
    "source.human": {"zh": "标注员", "en": "human"},
    "source.judge": {"zh": "评审模型", "en": "judge"},
    "source.expert": {"zh": "专家", "en": "expert"},
    "source.None": {"zh": "无", "en": "none"},
    "queue.title": {"zh": "队列与金标", "en": "Queue & gold"},
    "queue.policy": {"zh": "分配策略", "en": "Queue policy"},
    "queue.policy.overlap": {
        "zh": "重叠标注：每个对比收集 k 位不同标注员的独立投票",
        "en": "Overlap: each battle collects k independent votes from distinct people",
    },
    "queue.policy.spot_check": {
        "zh": "抽检评审模型：按维度与模型对分层抽取评审模型已判的对比，分歧优先",
        "en": "Spot-check the LLM judge: stratified sample of judge-voted battles, disagreements first",
    },
    "queue.policy.active": {
        "zh": "主动学习：优先最能降低排名不确定性的对比",
        "en": "Active: the battles that most reduce ranking uncertainty",
    },
    "queue.overlap_k": {"zh": "每个对比的标注人数 k", "en": "Votes per battle (k)"},
    "queue.gold_rate": {"zh": "金标题混入比例", "en": "Share of gold items"},
    "queue.break_every": {
        "zh": "每看多少条危机内容提醒休息",
        "en": "Break reminder after this many distressing items",
    },
    "queue.save": {"zh": "保存", "en": "Save"},
    "queue.saved": {"zh": "已保存。", "en": "Saved."},
    "gold.title": {"zh": "金标题", "en": "Gold items"},
    "gold.count": {"zh": "当前共有 {n} 个金标题。", "en": "{n} gold items."},
    "gold.mark": {"zh": "将对比标为金标题", "en": "Mark a battle as gold"},
    "gold.battle_id": {"zh": "对比编号", "en": "Battle id"},
    "gold.marked": {"zh": "对比 {battle_id} 已标为金标题。", "en": "Battle {battle_id} is now a gold item."},
    "gold.import": {"zh": "导入安全/不安全回答对", "en": "Import safe-vs-unsafe pairs"},
    "gold.import_help": {
        "zh": "CSV 列：question（或 问题）、safe_answer（或 安全有用回答）、unsafe_answer（或 违规回答）、可选 dimension。UTF-8 或 GB18030。任一行有误则整份文件不导入。",
        "en": "CSV columns: question (or 问题), safe_answer (or 安全有用回答), unsafe_answer (or 违规回答), optional dimension. UTF-8 or GB18030. One bad row rejects the whole file.",
    },
    "gold.file": {"zh": "CSV 文件", "en": "CSV file"},
    "gold.imported": {"zh": "已导入 {n} 个金标题。", "en": "Imported {n} gold items."},
    "gold.import_failed": {
        "zh": "导入失败，未写入任何内容：{error}",
        "en": "Import failed, nothing was written: {error}",
    },
    "menu.runs": {"zh": "模型与运行", "en": "Models & runs"},
    "runs.title": {"zh": "模型与运行", "en": "Models & runs"},
    "runs.endpoints": {"zh": "已登记的接口", "en": "Registered endpoints"},
    "runs.endpoints_help": {
        "zh": "任何兼容 OpenAI 的接口（DeepSeek、通义、GLM、vLLM、Ollama……）。API 密钥只以环境变量名登记，从不保存。也可用命令行导入：python cli.py endpoints import FILE。",
        "en": "Any OpenAI-compatible endpoint (DeepSeek, Qwen, GLM, vLLM, Ollama…). API keys are registered by environment-variable name only, never stored. Or import from the CLI: python cli.py endpoints import FILE.",
    },
    "runs.add_endpoint": {"zh": "添加或修改接口", "en": "Add or change an endpoint"},
    "runs.key": {"zh": "标识", "en": "Key"},
    "runs.role": {"zh": "角色", "en": "Role"},
    "runs.role.model": {"zh": "被评测模型", "en": "model under test"},
    "runs.role.judge": {"zh": "评审模型", "en": "LLM judge"},
    "runs.base_url": {"zh": "接口地址", "en": "Base URL"},
    "runs.model": {"zh": "模型名", "en": "Model id"},
    "runs.key_env": {"zh": "密钥环境变量名", "en": "API key env var"},
    "runs.key_env_help": {
        "zh": "填写保存密钥的环境变量名称，而不是密钥本身。",
        "en": "The NAME of the variable that holds the key, not the key.",
    },
    "runs.collect": {"zh": "收集回答", "en": "Collect answers"},
    "runs.judge": {"zh": "评审模型对比", "en": "LLM-judge run"},
    "runs.judge_key": {"zh": "评审模型", "en": "Judge"},
    "runs.strategy": {"zh": "配对策略", "en": "Pairing strategy"},
    "runs.budget": {"zh": "目标对比数", "en": "Budget (battles)"},
    "runs.budget_help": {
        "zh": "运行结束时该评审模型在此版本中应完成的对比数；每个对比按两种顺序各评一次。",
        "en": "Battles this judge should have judged in the release when the run ends; each battle is judged in both orders.",
    },
    "runs.concurrency": {"zh": "并发数", "en": "Concurrency"},
    "runs.start": {"zh": "开始", "en": "Start"},
    "runs.started": {"zh": "已在后台开始，进度见下方。", "en": "Started in the background; progress below."},
    "runs.recent": {"zh": "最近的运行", "en": "Recent runs"},
    "runs.none": {"zh": "还没有运行。", "en": "No runs yet."},
    "runs.line": {
        "zh": "#{id} {kind} · {status} · 完成 {done}，失败 {failed}，未解析 {unparsed}，共 {total}",
        "en": "#{id} {kind} · {status} · done {done}, failed {failed}, unparsed {unparsed} of {total}",
    },
    "runs.tags_line": {
        "zh": "其中未带可用标签的裁决：标签缺失 {missing}，标签无效 {invalid}（裁决照常计入，未记录标签）",
        "en": "Of these verdicts, without usable harm tags: tags missing {missing}, tags invalid {invalid} "
        "(the verdicts count; no tags were recorded)",
    },
    "runs.kind.collect": {"zh": "收集", "en": "collect"},
    "runs.kind.judge": {"zh": "评审", "en": "judge"},
    "runs.kind.generate": {"zh": "出题", "en": "generate"},
    "runs.status.running": {"zh": "运行中", "en": "running"},
    "runs.status.finished": {"zh": "已完成", "en": "finished"},
    "runs.status.failed": {"zh": "中断", "en": "failed"},
    "runs.details": {"zh": "查看运行详情", "en": "Run details"},
    "runs.failures": {"zh": "失败的请求（已达重试上限）", "en": "Failed requests (retry limit reached)"},
    "runs.unparsed": {
        "zh": "未解析的评审回复（不计为平局或负）",
        "en": "Unparsed judge replies (never counted as tie or loss)",
    },
    "users.title": {"zh": "用户管理", "en": "Users"},
    "users.add": {"zh": "添加用户", "en": "Add user"},
    "users.username": {"zh": "用户名", "en": "Username"},
    "users.name": {"zh": "姓名", "en": "Name"},
    "users.password": {"zh": "初始密码", "en": "Initial password"},
    "users.roles": {"zh": "角色", "en": "Roles"},
    "users.active": {"zh": "启用", "en": "Active"},
    "users.created": {"zh": "已创建用户 {username}。", "en": "Created user {username}."},
    "users.error": {"zh": "无法创建用户：{error}", "en": "Could not create the user: {error}"},
    "users.qualifications": {"zh": "可标注维度", "en": "Qualified dimensions"},
    "users.qualifications_help": {
        "zh": "留空表示所有维度；例如只有具备资质的专家才会收到心理健康安全题。",
        "en": "Empty means every dimension; e.g. only qualified experts receive mental-health items.",
    },
    "users.all_dimensions": {"zh": "全部维度", "en": "all dimensions"},
    "users.votes": {"zh": "投票数", "en": "Votes"},
    "users.open": {"zh": "待完成", "en": "Open items"},
    "users.gold_accuracy": {"zh": "金标准确率 %", "en": "Gold accuracy %"},
    "users.gold_n": {"zh": "金标题数", "en": "Gold items"},
    "users.last_vote": {"zh": "最近投票", "en": "Last vote"},
    "users.edit": {"zh": "修改用户", "en": "Edit user"},
    "users.save": {"zh": "保存修改", "en": "Save changes"},
    "users.saved": {"zh": "已保存。", "en": "Saved."},
    "users.audit": {"zh": "审计日志（最近 200 条）", "en": "Audit log (latest 200)"},
    "users.audit_at": {"zh": "时间", "en": "When"},
    "users.audit_actor": {"zh": "操作者", "en": "Who"},
    "users.audit_action": {"zh": "操作", "en": "What"},
    "users.audit_detail": {"zh": "详情", "en": "Detail"},
    "users.exists": {"zh": "用户名已存在。", "en": "That username already exists."},
    "verdict.A": {"zh": "A 更安全", "en": "A is safer"},
    "verdict.B": {"zh": "B 更安全", "en": "B is safer"},
    "verdict.tie": {"zh": "两者都安全", "en": "Both are safe"},
    "verdict.both_unsafe": {"zh": "两者都不安全", "en": "Both are unsafe"},
}


def _merge_string_modules() -> None:
    import importlib
    import pkgutil

    from ui import strings

    for info in sorted(pkgutil.iter_modules(strings.__path__), key=lambda m: m.name):
        extra = importlib.import_module(f"ui.strings.{info.name}").STRINGS
        clash = sorted(set(extra) & set(STRINGS))
        if clash:
            raise KeyError(f"ui.strings.{info.name}: keys already defined elsewhere: {clash}")
        STRINGS.update(extra)


_merge_string_modules()


def translate(key: str, lang: str, **kwargs: Any) -> str:
    entry = STRINGS.get(key)
    if entry is None:
        raise KeyError(f"translate: no UI string {key!r}")
    text = entry.get(lang) or entry["zh"]
    return text.format(**kwargs) if kwargs else text


def current_lang() -> str:
    """The session's language: Chinese unless the user switched."""
    import streamlit as st

    return str(st.session_state.get("lang", "zh"))


def t(key: str, **kwargs: Any) -> str:
    """Translate ``key`` into the session's language (Chinese unless the user switched)."""
    return translate(key, current_lang(), **kwargs)


def join_list(items: Iterable[str], lang: str | None = None) -> str:
    """Items listed in ``lang`` (default: the session's language): ``甲、乙`` in Chinese, ``a, b``
    in English."""
    return translate("ui.list_separator", lang or current_lang()).join(items)


def sub_dimension_label(stored: str, lang: str) -> str:
    """A question's sub-dimension in ``lang``: the imported sets' English category codes have
    labels (ui/strings/subdimensions.py); any other text is returned as stored (untrusted: the
    caller renders it inert)."""
    entry = STRINGS.get(f"subdim.{stored.strip()}")
    return stored if entry is None else entry.get(lang) or entry["zh"]


def pick_placeholder(options: object, *, many: bool = False) -> str:
    """What an empty picker says, in the session's language, instead of Streamlit's English
    "Choose an option" / "Choose options" / "No options to select" (``placeholder=``)."""
    if not options:
        return t("ui.nothing_to_choose")
    return t("ui.choose_many") if many else t("ui.choose_one")
