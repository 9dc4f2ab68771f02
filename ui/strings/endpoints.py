"""Strings of the endpoint registry on the Models & runs page (ui/endpoints_admin.py)."""

STRINGS: dict[str, dict[str, str]] = {
    "ep.state": {"zh": "状态", "en": "State"},
    "ep.state.on": {"zh": "启用", "en": "on"},
    "ep.state.off": {"zh": "已停用", "en": "switched off"},
    "ep.manage": {"zh": "管理接口", "en": "Manage an endpoint"},
    "ep.switch_off": {"zh": "停用", "en": "Switch off"},
    "ep.switch_on": {"zh": "重新启用", "en": "Switch on"},
    "ep.delete": {"zh": "删除", "en": "Delete"},
    "ep.saved": {"zh": "已保存接口 {name}。", "en": "Endpoint {name} saved."},
    "ep.switched_off": {
        "zh": "接口 {name} 已停用：不再出现在选择列表中，运行也不会调用它。",
        "en": "Endpoint {name} is switched off: no picker offers it and no run calls it.",
    },
    "ep.switched_on": {"zh": "接口 {name} 已重新启用。", "en": "Endpoint {name} is switched on again."},
    "ep.deleted": {"zh": "接口 {name} 已删除。", "en": "Endpoint {name} was deleted."},
    "ep.kept_disabled": {
        "zh": "接口 {name} 已有回答、投票或运行记录引用，不能删除；已改为停用。",
        "en": "Answers, votes or runs refer to endpoint {name}, so it cannot be deleted; it was switched off instead.",
    },
    "ep.refused": {"zh": "未保存：{error}", "en": "Not saved: {error}"},
}
