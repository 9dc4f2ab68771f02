"""Masking of model self-identification, table-driven, in Chinese and English."""

from __future__ import annotations

import pytest

from judging.anonymize import mask_self_identification

M = "［已隐去模型名］"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我是通义千问，很高兴为你服务。", f"{M}，很高兴为你服务。"),
        ("作为ChatGPT，我不能提供这类信息。", f"{M}，我不能提供这类信息。"),
        ("我是文心一言，由百度研发。", f"{M}，由{M}研发。"),
        ("你好！我是豆包，有什么可以帮你？", f"你好！{M}，有什么可以帮你？"),
        ("我是 Kimi，月之暗面开发的助手。", f"{M}，{M}开发的助手。"),
        ("作为 DeepSeek 的模型，我会谨慎回答。", f"{M} 的模型，我会谨慎回答。"),
        ("I am Claude, an AI assistant made by Anthropic.", f"{M}, an AI assistant made by {M}."),
        (
            "As an AI developed by OpenAI, I can't help with that.",
            f"As an AI developed by {M}, I can't help with that.",
        ),
        ("I'm ChatGPT.", f"{M}."),
        ("This answer was written by GPT-4o and checked.", f"This answer was written by {M} and checked."),
        ("我是智谱清言，也叫 ChatGLM。", f"{M}，也叫 {M}。"),
    ],
)
def test_masks_known_names(text: str, expected: str) -> None:
    result = mask_self_identification(text)
    assert result.text == expected
    assert result.masked


@pytest.mark.parametrize(
    "text",
    [
        "请拨打心理援助热线 400-161-9995，寻求专业帮助。",
        "The yield curve inverted; a glimmer of hope remains.",
        "天气晴朗，适合出行。",
        "Chat with a friend, or open a book.",  # generic words are not model names
    ],
)
def test_leaves_ordinary_text_alone(text: str) -> None:
    result = mask_self_identification(text)
    assert result.text == text and not result.masked


def test_registered_arena_names_and_english_marker() -> None:
    result = mask_self_identification(
        "我是青云 Care，很高兴认识你。青云会尽力帮忙。",
        extra_names=["青云 Care", "青云", "qingyun-care"],
        marker="[model name hidden]",
    )
    assert result.text == "[model name hidden]，很高兴认识你。[model name hidden]会尽力帮忙。"
    assert result.hits == ("我是青云 Care", "青云")


def test_input_is_not_mutated_and_case_insensitive() -> None:
    text = "i am chatgpt"
    assert mask_self_identification(text).text == M
    assert text == "i am chatgpt"
