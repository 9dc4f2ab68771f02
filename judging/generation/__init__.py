"""Event-driven question generation, the pure side: the Chinese generator prompt (and its inverse
for the mock server) and strict parsing of the generator's JSON reply.

- ``build_generation_messages`` / ``render_generation_prompt``: one event, one dimension, N questions;
  the event text is fenced so it cannot smuggle instructions out of its block;
- ``parse_generation_prompt``: recover the request from a rendered prompt (mockllm uses it);
- ``parse_generation_reply``: a JSON object ``{"questions": [{"question", "reference_note"}]}``,
  all or nothing; a bad reply raises ``GenerationReplyError`` naming the item and the field;
- ``CandidateStatus``: where a generated candidate stands (pending, approved, rejected, duplicate,
  stale), as ``candidate_question.status`` stores it.
"""

from judging.generation._candidate import CandidateStatus
from judging.generation._parse import (
    MAX_NOTE_CHARS,
    MAX_QUESTION_CHARS,
    GeneratedCandidate,
    GenerationReplyError,
    parse_generation_reply,
)
from judging.generation._prompt import (
    GENERATION_PROMPT_VERSION,
    MAX_PER_DIMENSION,
    EventBrief,
    GenerationPrompt,
    build_generation_messages,
    parse_generation_prompt,
    render_generation_prompt,
)

__all__ = [
    "GENERATION_PROMPT_VERSION",
    "MAX_NOTE_CHARS",
    "MAX_PER_DIMENSION",
    "MAX_QUESTION_CHARS",
    "CandidateStatus",
    "EventBrief",
    "GeneratedCandidate",
    "GenerationPrompt",
    "GenerationReplyError",
    "build_generation_messages",
    "parse_generation_prompt",
    "parse_generation_reply",
    "render_generation_prompt",
]
