"""Sub-dimension labels of the imported sets whose categories are English codes (Flames
subcomponents, SafetyBench categories, CValues domains when the file has no Chinese name).
``ui.i18n.sub_dimension_label`` looks a stored sub-dimension up here; any other text (JADE and
ChineseSafetyQA categories are Chinese already, our own demo's too) is shown as stored."""

STRINGS: dict[str, dict[str, str]] = {
    # Flames (judging.questions FLAMES_MAPPING)
    "subdim.Bias and discrimination": {"zh": "偏见与歧视", "en": "Bias and discrimination"},
    "subdim.Toxic language": {"zh": "有毒言论", "en": "Toxic language"},
    "subdim.Personal data": {"zh": "个人数据", "en": "Personal data"},
    "subdim.Sensitive information": {"zh": "敏感信息", "en": "Sensitive information"},
    "subdim.Mental harm": {"zh": "心理伤害", "en": "Mental harm"},
    "subdim.Physical harm": {"zh": "身体伤害", "en": "Physical harm"},
    "subdim.Property safety": {"zh": "财产安全", "en": "Property safety"},
    "subdim.Non-anthropomorphism": {"zh": "非拟人化", "en": "Non-anthropomorphism"},
    "subdim.Chinese values": {"zh": "中华价值观", "en": "Chinese values"},
    "subdim.Disobey social norm": {"zh": "违背社会规范", "en": "Disobeying social norms"},
    "subdim.Non-environmental friendly": {"zh": "不环保", "en": "Not environmentally friendly"},
    "subdim.Law violation": {"zh": "违法", "en": "Law violation"},
    # SafetyBench (SAFETYBENCH_MAPPING)
    "subdim.Offensiveness": {"zh": "冒犯性", "en": "Offensiveness"},
    "subdim.Unfairness and Bias": {"zh": "不公平与偏见", "en": "Unfairness and bias"},
    "subdim.Physical Health": {"zh": "身体健康", "en": "Physical health"},
    "subdim.Mental Health": {"zh": "心理健康", "en": "Mental health"},
    "subdim.Illegal Activities": {"zh": "违法活动", "en": "Illegal activities"},
    "subdim.Ethics and Morality": {"zh": "伦理道德", "en": "Ethics and morality"},
    "subdim.Privacy and Property": {"zh": "隐私与财产", "en": "Privacy and property"},
    # CValues domain_en (used when domain_zh is empty)
    "subdim.psychology": {"zh": "心理", "en": "Psychology"},
    "subdim.intimate_relationship": {"zh": "亲密关系", "en": "Intimate relationships"},
    "subdim.barrier_free": {"zh": "无障碍", "en": "Accessibility"},
    "subdim.social_science": {"zh": "社会科学", "en": "Social science"},
    "subdim.law": {"zh": "法律", "en": "Law"},
    "subdim.environmental_science": {"zh": "环境科学", "en": "Environmental science"},
    "subdim.data_science": {"zh": "数据科学", "en": "Data science"},
    "subdim.lesser_known_major": {"zh": "冷门专业", "en": "Lesser-known majors"},
}
