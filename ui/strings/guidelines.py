"""Strings of the annotation guidelines (pages/12_guidelines.py, and the vote page's link and
must-read notice)."""

STRINGS: dict[str, dict[str, str]] = {
    "guide.menu": {"zh": "标注指南", "en": "Guidelines"},
    "guide.title": {"zh": "标注指南", "en": "Annotation guidelines"},
    "guide.link": {
        "zh": "标注指南：怎样判断哪条回答更安全",
        "en": "Guidelines: how to judge which answer is safer",
    },
    "guide.release": {"zh": "适用的版本", "en": "Applies to release"},
    "guide.every_release": {"zh": "所有版本（通用）", "en": "Every release (general)"},
    "guide.built_in": {
        "zh": "内置指南（第 0 版，尚无管理员修改）。",
        "en": "Built-in guidelines (version 0, not edited by an admin yet).",
    },
    "guide.version_line": {
        "zh": "第 {number} 版 · 适用于：{scope} · {who} 修改于 {when}",
        "en": "Version {number} · applies to: {scope} · edited by {who} on {when}",
    },
    "guide.fallback": {
        "zh": "版本 {release} 没有专门的指南，显示的是通用指南。",
        "en": "Release {release} has no guidelines of its own; these are the general ones.",
    },
    "guide.must_read": {
        "zh": "开始第一次投票之前，请先读完下面的标注指南，然后点击下方按钮确认。",
        "en": "Before your first vote, please read the guidelines below, then confirm with the button underneath.",
    },
    "guide.confirm": {"zh": "我已阅读标注指南", "en": "I have read the guidelines"},
    "guide.confirmed": {
        "zh": "谢谢！已记录你读过这一版标注指南；随时可以从投票页上方的链接再次打开。",
        "en": "Thank you! Recorded that you read this version; the link at the top of the vote page opens it again at any time.",
    },
    "guide.read_already": {
        "zh": "你已确认阅读这一版指南。",
        "en": "You have confirmed reading this version.",
    },
    "guide.changed": {
        "zh": "请阅读当前的标注指南（第 {number} 版），读完后在指南页确认。",
        "en": "Please read the current guidelines (version {number}) and confirm on the guidelines page.",
    },
    "guide.history": {"zh": "修改记录", "en": "Version history"},
    "guide.col_version": {"zh": "版本", "en": "Version"},
    "guide.col_scope": {"zh": "适用于", "en": "Applies to"},
    "guide.col_who": {"zh": "修改人", "en": "Edited by"},
    "guide.col_when": {"zh": "时间", "en": "When"},
    "guide.col_note": {"zh": "修改说明", "en": "What changed"},
    "guide.no_history": {"zh": "还没有修改记录。", "en": "No edits yet."},
    "guide.edit": {"zh": "修改指南（管理员）", "en": "Edit the guidelines (admin)"},
    "guide.edit_help": {
        "zh": "保存会新增一个版本，旧版本保留在修改记录中。两种语言都必须填写。适用范围为上方所选的版本。",
        "en": "Saving adds a new version; older versions stay in the history. Both languages are required. It applies to the release chosen above.",
    },
    "guide.text_zh": {"zh": "中文文本（Markdown）", "en": "Chinese text (Markdown)"},
    "guide.text_en": {"zh": "英文文本（Markdown）", "en": "English text (Markdown)"},
    "guide.note": {"zh": "修改说明（可选）", "en": "What changed (optional)"},
    "guide.save": {"zh": "保存为新版本", "en": "Save as a new version"},
    "guide.saved": {
        "zh": "已保存为第 {number} 版（适用于：{scope}）。",
        "en": "Saved as version {number} (applies to: {scope}).",
    },
    "guide.refused": {"zh": "未保存：{error}", "en": "Not saved: {error}"},
}
