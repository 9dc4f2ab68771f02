"""Strings added by the issue-15 fixes: gold marking from the battle view, error and empty-state
wording, Streamlit's own widget texts in the page's language."""

STRINGS: dict[str, dict[str, str]] = {
    "gold.mark_here": {"zh": "将此对比标为金标题", "en": "Mark this battle as a gold item"},
    "gold.is_gold": {
        "zh": "此对比是金标题，标准答案：{verdict}。",
        "en": "This battle is a gold item; its verdict: {verdict}.",
    },
    "gold.no_verdict": {"zh": "请先选择金标答案。", "en": "Choose the gold verdict first."},
    "gold.refused": {"zh": "未标为金标题：{error}", "en": "Not marked as gold: {error}"},
    "gold.mark_where": {
        "zh": "要把某个对比标为金标题，请在“专家裁决”页或“校准”页的对比详情中打开它，选择标准答案。",
        "en": "To make a battle a gold item, open it on the Adjudication page or in a Calibration drill-down and choose its verdict there.",
    },
    "ui.choose_one": {"zh": "请选择", "en": "Choose one"},
    "ui.choose_many": {"zh": "请选择（可多选）", "en": "Choose one or more"},
    "ui.nothing_to_choose": {"zh": "暂无可选项", "en": "Nothing to choose from yet"},
    # punctuation that differs by language: a list's items, whole entries, a remark after a text
    "ui.list_separator": {"zh": "、", "en": ", "},
    "ui.entry_separator": {"zh": "；", "en": "; "},
    "ui.aside_open": {"zh": "（", "en": " ("},
    "ui.aside_close": {"zh": "）", "en": ")"},
    "qb.tab.browse": {"zh": "浏览题目", "en": "Browse questions"},
    "qb.browse_help": {
        "zh": "只读：查看一个版本的全部题目（专家可查看已发布的版本）。",
        "en": "Read only: every question of a release (experts see the published releases).",
    },
    "qb.question_id": {"zh": "题目编号", "en": "Question id"},
    "qb.reference_answer": {"zh": "参考回答", "en": "Reference answer"},
}
