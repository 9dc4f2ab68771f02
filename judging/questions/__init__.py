"""The question bank's pure side: one record type, readers and writers for the formats we
exchange (LiveSecBench JSON, JSONL, CSV) and adapters for public Chinese safety sets, exact and
near-duplicate detection, and release diffs.

- ``parse_questions`` / ``read_question_file``: all or nothing; a bad file raises
  ``QuestionFileError`` whose problems name the file, the line and the field;
- ``export_records``: LiveSecBench (lossless round trip), JSONL, CSV (formula-safe);
- ``find_duplicates`` / ``similar_pairs``: character 3-gram Jaccard with prefix filtering;
- ``diff_questions``: added / retired / changed between two sets.
"""

from judging.questions._adapters import (
    CVALUES_MAPPING,
    FLAMES_MAPPING,
    JADE_SUBTYPE_RULES,
    JADE_TYPE_MAPPING,
    JADE_V3_DIMENSION,
    SAFETYBENCH_MAPPING,
    SAFETYQA_DIMENSION,
)
from judging.questions._dedup import (
    DEFAULT_NGRAM,
    DEFAULT_THRESHOLD,
    DuplicateKind,
    DuplicateMatch,
    SimilarPair,
    char_ngrams,
    find_duplicates,
    jaccard,
    normalise_text,
    similar_pairs,
)
from judging.questions._diff import QuestionChange, QuestionDiff, changed_fields, diff_questions
from judging.questions._errors import Problem, QuestionFileError
from judging.questions._export import (
    export_csv,
    export_jsonl,
    export_livesecbench,
    export_records,
    neutralise_cell,
    restore_cell,
)
from judging.questions._livesecbench import LIVESECBENCH_DIMENSIONS, LIVESECBENCH_FIELDS, to_livesecbench
from judging.questions._parse import (
    detect_format,
    parse_questions,
    read_question_file,
    safetybench_answers_path,
)
from judging.questions._record import (
    ExportFormat,
    JsonValue,
    Limits,
    ParsedQuestion,
    QuestionFile,
    QuestionFormat,
    QuestionRecord,
)

__all__ = [
    "CVALUES_MAPPING",
    "DEFAULT_NGRAM",
    "DEFAULT_THRESHOLD",
    "FLAMES_MAPPING",
    "JADE_SUBTYPE_RULES",
    "JADE_TYPE_MAPPING",
    "JADE_V3_DIMENSION",
    "LIVESECBENCH_DIMENSIONS",
    "LIVESECBENCH_FIELDS",
    "SAFETYBENCH_MAPPING",
    "SAFETYQA_DIMENSION",
    "DuplicateKind",
    "DuplicateMatch",
    "ExportFormat",
    "JsonValue",
    "Limits",
    "ParsedQuestion",
    "Problem",
    "QuestionChange",
    "QuestionDiff",
    "QuestionFile",
    "QuestionFileError",
    "QuestionFormat",
    "QuestionRecord",
    "SimilarPair",
    "changed_fields",
    "char_ngrams",
    "detect_format",
    "diff_questions",
    "export_csv",
    "export_jsonl",
    "export_livesecbench",
    "export_records",
    "find_duplicates",
    "jaccard",
    "neutralise_cell",
    "normalise_text",
    "parse_questions",
    "read_question_file",
    "restore_cell",
    "safetybench_answers_path",
    "similar_pairs",
    "to_livesecbench",
]
