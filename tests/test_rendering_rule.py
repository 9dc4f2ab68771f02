"""The rendering rule of docs/architecture.md, checked (best effort) by walking the pages' syntax:
untrusted text reaches anything that renders Markdown only through ``ui.components.inert_markdown``.

What is checked, in pages/*.py, app.py and ui/*.py:

- the text arguments of calls that render Markdown: ``st.markdown``/``caption``/``info``/
  ``success``/``warning``/``error``/``toast``/``write``/headers (every argument), and the labels,
  ``help`` and ``text`` of widgets and containers whose labels are Markdown (``expander``,
  ``tabs``, ``metric``, ``button``, ``radio`` and its ``format_func``, ``selectbox`` label, ...);
  also on columns and other containers (``cols[0].caption(...)``);
- the keyword arguments of every ``t(...)``/``translate(...)`` call: a translated string is made
  to be shown, wherever it is rendered later (a flash message, a notice in the session).

An argument is flagged when it contains, outside any ``inert_markdown(...)`` call, an attribute
whose name says it holds untrusted text (``.text``, ``.safe_note``, ``.rationale``, ``.name``,
``.title``, ``.message``, ``.tag``, ...; see UNTRUSTED) or a ``str(...)`` call (an error message
may echo its input). Not seen: untrusted text held in a plain local variable or a subscript, or
under an attribute name not in the list. A line that renders a value known to be safe can say so
with a ``# rendering: trusted`` comment.

Plain-text widgets (``st.dataframe`` cells, ``st.code``, ``selectbox``/``multiselect`` options) are
inert and not checked. The real check is the browser: tests/e2e/test_hostile_content.py.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from pipeline.startup.settings import PROJECT_ROOT

# Calls whose every text argument is Markdown.
MARKDOWN_BODY = {
    "markdown",
    "caption",
    "info",
    "success",
    "warning",
    "error",
    "exception",
    "toast",
    "write",
    "title",
    "header",
    "subheader",
}
# Calls whose label (first argument, ``label``) and ``help``/``text`` are Markdown.
MARKDOWN_LABEL = {
    "expander",
    "popover",
    "tabs",
    "metric",
    "progress",
    "button",
    "download_button",
    "form_submit_button",
    "link_button",
    "page_link",
    "checkbox",
    "toggle",
    "radio",
    "pills",
    "segmented_control",
    "selectbox",
    "multiselect",
    "select_slider",
    "slider",
    "text_input",
    "text_area",
    "number_input",
    "date_input",
    "time_input",
    "file_uploader",
    "color_picker",
}
LABEL_KEYWORDS = {"label", "help", "text", "body", "captions"}
# radio options are Markdown too (selectbox and multiselect options are plain text)
MARKDOWN_OPTIONS = {"radio", "pills", "segmented_control"}
TRANSLATE = {"t", "translate"}
HELPER = "inert_markdown"
# Attribute names that hold text from the database, a user, a file or a model.
UNTRUSTED = {
    "text",
    "text_a",
    "text_b",
    "question_text",
    "generated_text",
    "safe_note",
    "reference_note",
    "sub_dimension",
    "rationale",
    "reason",
    "name",
    "username",
    "display_name",
    "rater",
    "reviewer",
    "organisation",
    "title",
    "event_title",
    "summary",
    "source_url",
    "notes",
    "message",
    "raw",
    "problem",
    "tag",
    "release",
    "previous",
    "generator",
    "endpoint",
}
PRAGMA = "# rendering: trusted"
FILES = sorted(
    [*(PROJECT_ROOT / "pages").glob("*.py"), PROJECT_ROOT / "app.py", *(PROJECT_ROOT / "ui").glob("*.py")]
)


def _callee(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    if isinstance(call.func, ast.Name):
        return call.func.id
    return None


def _untrusted(node: ast.AST) -> list[ast.AST]:
    """The untrusted pieces of ``node`` that no inert_markdown call wraps."""
    if isinstance(node, ast.Call) and _callee(node) == HELPER:
        return []
    found: list[ast.AST] = []
    if (
        isinstance(node, ast.Attribute)
        and node.attr in UNTRUSTED
        and not (isinstance(node.value, ast.Name) and node.value.id == "st")
    ):
        found.append(node)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "str":
        found.append(node)
    for child in ast.iter_child_nodes(node):
        found.extend(_untrusted(child))
    return found


def _rendered_arguments(call: ast.Call) -> list[ast.AST]:
    name = _callee(call)
    if name in TRANSLATE:
        return [k.value for k in call.keywords]
    if not isinstance(call.func, ast.Attribute):
        return []  # a renderer is always called on st or a container (st.caption, col.caption)
    if name in MARKDOWN_BODY:
        return [*call.args, *(k.value for k in call.keywords if k.arg in LABEL_KEYWORDS)]
    if name in MARKDOWN_LABEL:
        args = [*call.args[:1], *(k.value for k in call.keywords if k.arg in LABEL_KEYWORDS)]
        if name in MARKDOWN_OPTIONS:
            args += [
                *call.args[1:2],
                *(k.value for k in call.keywords if k.arg in {"options", "format_func"}),
            ]
        return args
    return []


def _violations(source: str) -> list[str]:
    """``line: piece reaches call(...)`` for every untrusted piece the helper does not wrap."""
    lines = source.splitlines()
    problems: dict[tuple[int, int], str] = {}  # one report per piece, naming the outermost call
    for call in ast.walk(ast.parse(source)):
        if not isinstance(call, ast.Call):
            continue
        span = lines[call.lineno - 1 : (call.end_lineno or call.lineno)]
        if any(PRAGMA in line for line in span):
            continue
        for argument in _rendered_arguments(call):
            for piece in _untrusted(argument):
                problems.setdefault(
                    (piece.lineno, piece.col_offset),
                    f"{piece.lineno}: {ast.unparse(piece)} reaches {_callee(call)}(...) without {HELPER}",
                )
    return [problems[k] for k in sorted(problems)]


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_untrusted_text_is_rendered_only_through_the_helper(path: Path) -> None:
    problems = _violations(path.read_text(encoding="utf-8"))
    where = path.relative_to(PROJECT_ROOT)
    assert not problems, "\n".join(f"{where}:{problem}" for problem in problems)


def test_the_rule_sees_what_it_should() -> None:
    """The checker itself: each line of BAD is flagged, no line of GOOD is."""
    bad = [
        'st.markdown(f"**{event.title}**")',
        'st.caption("x" + view.safe_note)',
        "cols[1].caption(run.message)",
        "st.error(str(exc))",
        'st.expander(f"#{c.id} {c.text}")',
        'st.radio("x", items, format_func=lambda i: i.name)',
        'flash = t("qb.created", tag=made.tag)',
        'st.warning(t("vote.undo_refused", reason=notice.reason))',
        "st.metric(model.display_name, 3)",
    ]
    good = [
        'st.markdown(f"**{inert_markdown(event.title)}**")',
        'st.caption(t("ev.source") + ": " + inert_markdown(event.source_url))',
        'st.error(t("x", error=inert_markdown(str(exc))))',
        'st.dataframe({"q": [q.text for q in questions]})',
        'st.selectbox("x", items, format_func=lambda i: i.name)',
        "st.code(f.raw, language=None)",
        'st.caption(t("lb.votes", n=board.n_votes))',
        "st.caption(board.name)  # rendering: trusted",
    ]
    for line in bad:
        assert _violations(line), line
    for line in good:
        assert not _violations(line), line
