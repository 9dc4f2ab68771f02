"""The public surface of judging.llm and judging.judge, and the import rules they follow."""

from __future__ import annotations

import ast
from pathlib import Path

import judging.judge
import judging.llm

ROOT = Path(__file__).parents[2]

LLM_API = {
    "AuthError", "ChatClient", "ChatFailure", "ChatMessage", "ChatRequest", "ChatResult", "ChatSuccess",
    "ClientError", "ClientSettings", "ConfigError", "ConnectionFailed", "Done", "EmptyAnswer", "EndpointConfig",
    "ErrorKind",
    "LLMError", "MalformedResponse", "MissingApiKey", "ModelRegistry", "RateLimited", "RegistryError",
    "RequestError", "RequestTimeout", "RetryPolicy", "Role", "ServerError", "ShardedTransport", "TokenBucket",
    "TokenUsage", "load_registry", "make_http_client", "map_unordered", "parse_registry", "parse_retry_after",
}  # fmt: skip
JUDGE_API = {
    "COMMON_RULES", "PROMPT_VERSION", "RUBRICS", "VERDICT_MARKERS", "JudgeItem", "JudgePrompt", "JudgeSettings",
    "JudgeTask", "Judgement", "JudgementStatus", "PairJudgement", "PanelJudgement", "ParsedVerdict", "Unparsed",
    "both_orders", "build_judge_messages", "format_marker", "judge_many", "judge_once", "judge_pair",
    "judge_panel", "parse_judge_prompt", "parse_verdict", "render_judge_prompt", "rubric_for", "to_canonical",
    "TAGGED_PROMPT_VERSIONS", "TAG_FORMAT", "ParsedTags", "TagStatus", "parse_tags",
}  # fmt: skip


def test_public_surface_is_pinned() -> None:
    assert set(judging.llm.__all__) == LLM_API
    assert set(judging.judge.__all__) == JUDGE_API
    for module in (judging.llm, judging.judge):
        for name in module.__all__:
            assert getattr(module, name) is not None


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_llm_and_judge_import_neither_streamlit_nor_storage_nor_pipeline() -> None:
    forbidden = ("streamlit", "storage", "pipeline", "mockllm", "sqlmodel", "sqlalchemy")
    for package in ("llm", "judge"):
        for path in (ROOT / "judging" / package).glob("*.py"):
            for name in imported_modules(path):
                assert name.split(".")[0] not in forbidden, f"{path.name} imports {name}"


def test_the_errors_form_one_hierarchy() -> None:
    from judging.llm import (
        AuthError,
        ClientError,
        ConfigError,
        ErrorKind,
        LLMError,
        MissingApiKey,
        RegistryError,
        RequestError,
        RequestTimeout,
    )

    assert issubclass(RegistryError, ConfigError) and issubclass(MissingApiKey, ConfigError)
    assert issubclass(ConfigError, LLMError) and issubclass(RequestError, LLMError)
    assert issubclass(AuthError, ClientError) and not AuthError.retryable and not ClientError.retryable
    assert RequestTimeout.retryable and RequestTimeout.kind is ErrorKind.TIMEOUT
