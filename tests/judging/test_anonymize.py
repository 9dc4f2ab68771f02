"""Masking of model self-identification, table-driven, in Chinese and English.

Two promises are tested: every name that tells the annotator who wrote an answer is hidden (with its
version tail), and no ordinary word is ever hidden, since a false marker singles out an answer too.
"""

from __future__ import annotations

import pytest

from judging.anonymize import KNOWN_MODEL_NAMES, MODEL_FAMILIES, mask_self_identification

M = "［已隐去模型名］"

# (answer text, what the annotator sees)
MASKED: list[tuple[str, str]] = [
    # Alibaba
    ("我是通义千问，很高兴为你服务。", f"我是{M}，很高兴为你服务。"),
    ("我是通义千问2.5，由阿里云开发。", f"我是{M}，由{M}开发。"),
    ("我是阿里云通义千问，很高兴见到你。", f"我是{M}，很高兴见到你。"),
    ("Qwen2.5-72B-Instruct", M),
    ("我是Qwen/Qwen2.5-72B-Instruct。", f"我是{M}。"),
    # Baidu
    ("我是文心一言，由百度研发。", f"我是{M}，由{M}研发。"),
    ("我是ERNIE-4.0-8K。", f"我是{M}。"),
    ("我是一个由百度开发的AI助手。", f"我是一个由{M}开发的AI助手。"),
    # ByteDance
    ("你好！我是豆包，有什么可以帮你？", f"你好！我是{M}，有什么可以帮你？"),
    ("我是Doubao-pro-32k，由字节跳动开发。", f"我是{M}，由{M}开发。"),
    ("我是豆包，字节跳动开发的AI助手。", f"我是{M}，{M}开发的AI助手。"),
    # Moonshot
    ("我是 Kimi，月之暗面开发的助手。", f"我是 {M}，{M}开发的助手。"),
    ("我是Kimi，由Moonshot AI训练。", f"我是{M}，由{M}训练。"),
    ("I am Kimi, developed by Moonshot AI.", f"I am {M}, developed by {M}."),
    # DeepSeek
    ("作为 DeepSeek 的模型，我会谨慎回答。", f"作为 {M} 的模型，我会谨慎回答。"),
    ("DeepSeek-V3 和 DeepSeek-R1 都能回答。", f"{M} 和 {M} 都能回答。"),
    ("我是DeepSeek-R1，由深度求索训练。", f"我是{M}，由{M}训练。"),
    ("我是由深度求索训练的AI助手。", f"我是由{M}训练的AI助手。"),
    # Zhipu
    ("我是智谱清言，也叫 ChatGLM。", f"我是{M}，也叫 {M}。"),
    ("我是 GLM-4-Plus，由智谱开发。", f"我是 {M}，由{M}开发。"),
    ("我是ChatGLM3-6B。", f"我是{M}。"),
    # Tencent
    ("我是腾讯混元大模型。", f"我是{M}大模型。"),
    ("我是混元，由腾讯开发。", f"我是{M}，由{M}开发。"),
    ("我是Hunyuan-Turbo。", f"我是{M}。"),
    ("我是腾讯元宝。", f"我是{M}。"),
    ("我是元宝，有什么可以帮你？", f"我是{M}，有什么可以帮你？"),
    ("我是腾讯的元宝。", f"我是{M}的{M}。"),
    # iFlytek
    ("我是讯飞星火认知大模型。", f"我是{M}。"),
    ("我是星火，由科大讯飞开发。", f"我是{M}，由{M}开发。"),
    ("I am iFlytek Spark, a large language model.", f"I am {M}, a large language model."),
    # Huawei
    ("我是盘古大模型，由华为开发。", f"我是{M}，由{M}开发。"),
    ("作为盘古，我会尽力回答。", f"作为{M}，我会尽力回答。"),
    # MiniMax
    ("我是海螺AI，由MiniMax开发。", f"我是{M}，由{M}开发。"),
    ("我是abab6.5s。", f"我是{M}。"),
    ("我是海螺，很高兴认识你。", f"我是{M}，很高兴认识你。"),
    # Baichuan
    ("我是百川大模型，由百川智能训练。", f"我是{M}，由{M}训练。"),
    ("我是Baichuan2-13B-Chat。", f"我是{M}。"),
    ("我是百小应，百川智能的助手。", f"我是{M}，{M}的助手。"),
    # StepFun
    ("我是阶跃星辰的跃问。", f"我是{M}的{M}。"),
    ("我是Step-2，由阶跃星辰开发。", f"我是{M}，由{M}开发。"),
    ("I am Step-1V, made by StepFun.", f"I am {M}, made by {M}."),
    # Kunlun
    ("我是天工，由昆仑万维开发。", f"我是{M}，由{M}开发。"),
    ("我是天工AI助手。", f"我是{M}助手。"),
    # Shanghai AI Lab
    ("我是书生·浦语，由上海人工智能实验室开发。", f"我是{M}，由{M}开发。"),
    ("我是书生浦语。", f"我是{M}。"),
    ("我是InternLM2.5-7B-Chat。", f"我是{M}。"),
    # 360, 01.AI, SenseTime
    ("我是360智脑。", f"我是{M}。"),
    ("我是Yi-34B-Chat，由零一万物训练。", f"我是{M}，由{M}训练。"),
    ("我是Yi-Lightning。", f"我是{M}。"),
    ("我是商汤商量，由商汤科技开发。", f"我是{M}，由{M}开发。"),
    ("我是商量，由商汤开发。", f"我是{M}，由{M}开发。"),
    ("I am SenseChat.", f"I am {M}."),
    # OpenAI
    ("作为ChatGPT，我不能提供这类信息。", f"作为{M}，我不能提供这类信息。"),
    ("As ChatGPT, I can't do that.", f"As {M}, I can't do that."),
    ("I'm ChatGPT.", f"I'm {M}."),
    ("i am chatgpt", f"i am {M}"),
    (
        "As an AI developed by OpenAI, I can't help with that.",
        f"As an AI developed by {M}, I can't help with that.",
    ),
    ("This answer was written by GPT-4o and checked.", f"This answer was written by {M} and checked."),
    ("I am GPT-4o mini.", f"I am {M}."),
    ("I am o1, a reasoning model by OpenAI.", f"I am {M}, a reasoning model by {M}."),
    # Anthropic
    ("I am Claude, an AI assistant made by Anthropic.", f"I am {M}, an AI assistant made by {M}."),
    ("I'm Claude 3.5 Sonnet, made by Anthropic.", f"I'm {M}, made by {M}."),
    ("As Claude, I won't help with this.", f"As {M}, I won't help with this."),
    ("我是 Claude，由 Anthropic 训练。", f"我是 {M}，由 {M} 训练。"),
    # Google
    (
        "I am Gemini, a large language model trained by Google.",
        f"I am {M}, a large language model trained by {M}.",
    ),
    ("I am Gemini 1.5 Pro.", f"I am {M}."),
    ("I am Bard, a model developed by Google.", f"I am {M}, a model developed by {M}."),
    ("As a Gemini model, I cannot answer.", f"As a {M} model, I cannot answer."),
    ("作为谷歌的AI助手，我不能。", f"作为{M}的AI助手，我不能。"),
    # Meta, Mistral, xAI, Microsoft
    ("I am Llama 3.1, an AI assistant developed by Meta.", f"I am {M}, an AI assistant developed by {M}."),
    ("meta-llama/Llama-3.1-8B-Instruct", M),
    ("I am Mistral, built by Mistral AI.", f"I am {M}, built by {M}."),
    ("Mixtral-8x7B-Instruct answered this.", f"{M} answered this."),
    ("I am Grok, built by xAI.", f"I am {M}, built by {M}."),
    ("Grok-2 says hi.", f"{M} says hi."),
    ("I am Copilot, an AI companion made by Microsoft.", f"I am {M}, an AI companion made by {M}."),
    ("我是微软的Copilot。", f"我是{M}的{M}。"),
    ("我是Phi-3-mini。", f"我是{M}。"),
]

# Ordinary sentences: a model name inside them is an ordinary word, a place, a person, a company
# doing something other than train the answerer, or a generic self-description.
NOT_MASKED: list[str] = [
    "百度地图很好用，可以查附近的药店。",
    "不懂的可以先百度一下。",
    "这里是百度百科的介绍。",
    "元宝是古代的一种货币，过年时也有人包元宝形状的饺子。",
    "天工开物是明代宋应星的著作。",
    "星星之火，可以燎原；星火燎原的故事。",
    "Let's solve it step by step.",
    "Step 2: open the window and call 119.",
    "The yield curve inverted last year.",
    "Claude Monet painted water lilies.",
    "I am Claude Monet's biggest fan.",
    "Gemini is a constellation in the winter sky.",
    "I grok recursion now.",
    # generic self-descriptions name no vendor, so they stay (every model says them)
    "我是一名医生，建议你尽快就医。",
    "作为一个AI助手，我不能提供诊断。",
    "I am an AI assistant and cannot give medical advice.",
    "海纳百川，有容乃大。",
    "盘古开天辟地是古代神话。",
    "孩子在海边捡了一个海螺。",
    "这个字节数组有 16 个元素。",
    "我们商量一下周末去哪儿。",
    "他是一介书生。",
    "Android 是由 Google 开发的操作系统。",
    "Windows was developed by Microsoft.",
    "The minimax algorithm is used in chess engines.",
    "Ernie and Bert are puppets.",
    "用广义线性模型（GLM）分析数据。",
    "Apache Spark handles big data.",
    "The copilot landed the plane safely.",
    "A meta-analysis pooled twelve trials.",
    "我是华为手机的用户。",
    "作为阿里巴巴的员工，我每天加班。",
    "这些数据来自百度。",
    "Models such as Gemini, Claude and Llama differ.",
    "The llama is a South American animal.",
    "云雀在天空歌唱。",
    "早餐吃了一个豆包和一杯豆浆。",
    "混元太极是一种武术。",
    "这个项目名为星火。",
    "The mistral is a cold wind in France.",
    "请拨打心理援助热线 400-161-9995，寻求专业帮助。",
    "Chat with a friend, or open a book.",
]

CASES = [*MASKED, *((text, text) for text in NOT_MASKED)]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_masking_table(text: str, expected: str) -> None:
    result = mask_self_identification(text)
    assert result.text == expected
    assert result.masked is (expected != text)
    assert result.text.count(M) == len(result.hits)


def test_the_table_is_big_enough() -> None:
    assert len(CASES) >= 80
    assert len(NOT_MASKED) >= 25


# Registered in this arena (as pipeline.workflow.voting.masked_view passes them): keys, display names and the
# Chinese parts of display names.
ARENA = [
    "qingyun-care",
    "青云 Care",
    "青云",
    "boshi-pro",
    "博识 Pro",
    "博识",
    "mock-generic",
    "通用 Mock",
    "通用",
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我是青云 Care，很高兴认识你。", f"我是{M}，很高兴认识你。"),
        ("我是青云Care。", f"我是{M}。"),
        ("我是青云，很高兴认识你。", f"我是{M}，很高兴认识你。"),
        ("这条回答来自 qingyun-care 接口。", f"这条回答来自 {M} 接口。"),
        ("作为博识 Pro 2.0，我可以明确告诉您。", f"作为{M}，我可以明确告诉您。"),
        ("通用 Mock 生成了这段话。", f"{M} 生成了这段话。"),
        ("我是通用，", f"我是{M}，"),
        # an all-Chinese registered word is an ordinary word outside an identity phrasing
        ("作为通用的建议，先冷静下来。", "作为通用的建议，先冷静下来。"),
        ("这是通用的做法。", "这是通用的做法。"),
        ("作为通用大模型，我无法诊断。", "作为通用大模型，我无法诊断。"),
        ("作为通用AI助手，我不能提供诊断。", "作为通用AI助手，我不能提供诊断。"),
        ("他平步青云，升职很快。", "他平步青云，升职很快。"),
        ("他博识多闻。", "他博识多闻。"),
        ("青云会尽力帮忙。", "青云会尽力帮忙。"),  # documented gap: third person is not an identity phrasing
        ("百度地图和通用的导航软件都可以。", "百度地图和通用的导航软件都可以。"),
        (
            "Take care of yourself; a pro tip: mock interviews help.",
            "Take care of yourself; a pro tip: mock interviews help.",
        ),
    ],
)
def test_registered_names(text: str, expected: str) -> None:
    assert mask_self_identification(text, extra_names=ARENA).text == expected


@pytest.mark.parametrize("family", MODEL_FAMILIES, ids=lambda f: f.family)
def test_every_lexicon_name_is_masked_when_a_model_introduces_itself(family) -> None:
    for name in family.names():
        assert mask_self_identification(f"我是{name}，很高兴认识你。").text == f"我是{M}，很高兴认识你。", (
            name
        )
        assert (
            mask_self_identification(f"I am {name}, nice to meet you.").text == f"I am {M}, nice to meet you."
        ), name
    for name in (*family.anywhere, *family.exact):
        assert mask_self_identification(f"这段话提到了{name}。").text == f"这段话提到了{M}。", name
    for name in family.versioned:
        assert mask_self_identification(f"这段话提到了{name}-2。").text == f"这段话提到了{M}。", name


def test_lexicon_covers_the_vendors() -> None:
    assert len(set(KNOWN_MODEL_NAMES)) >= 40
    for name in [
        "通义千问", "Qwen", "文心一言", "ERNIE", "豆包", "Doubao", "Kimi", "月之暗面", "Moonshot", "智谱",
        "GLM", "ChatGLM", "DeepSeek", "深度求索", "混元", "Hunyuan", "星火", "Spark", "讯飞", "盘古",
        "MiniMax", "abab", "海螺", "百川", "Baichuan", "阶跃星辰", "Step", "元宝", "天工", "昆仑万维",
        "InternLM", "书生·浦语", "360智脑", "零一万物", "Yi", "百小应", "商量", "SenseChat", "ChatGPT",
        "o1", "Claude", "Anthropic", "Gemini", "Bard", "Google", "Llama", "Meta", "Mistral", "Grok",
        "xAI", "Copilot", "Microsoft", "OpenAI",
    ]:  # fmt: skip
        assert name in KNOWN_MODEL_NAMES, name


def test_hits_marker_and_idempotence() -> None:
    result = mask_self_identification("我是DeepSeek-V3，由深度求索训练。", marker="[model name hidden]")
    assert result.text == "我是[model name hidden]，由[model name hidden]训练。"
    assert result.hits == ("DeepSeek-V3", "深度求索")
    for _text, expected in CASES:
        assert mask_self_identification(expected).text == expected  # the marker is never re-masked
