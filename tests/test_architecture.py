"""The import rules of docs/architecture.md, enforced by walking every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from pipeline.startup.settings import PROJECT_ROOT

# package -> top-level modules it must never import
FORBIDDEN: dict[str, set[str]] = {
    "judging": {
        "streamlit",
        "streamlit_authenticator",
        "storage",
        "pipeline",
        "ui",
        "sqlmodel",
        "sqlalchemy",
    },
    "storage": {"streamlit", "streamlit_authenticator", "httpx", "pipeline", "ui"},
    "pipeline": {"streamlit", "streamlit_authenticator", "ui"},
    "ui": {"httpx", "sqlmodel"},
    "pages": {"httpx", "sqlmodel", "sqlalchemy", "storage.db.models", "storage.db.engine"},
    "mockllm": {"streamlit", "storage", "pipeline", "ui"},
}
# Module-level calls that would build hidden state at import time.
IMPORT_TIME_CALLS = {"make_engine", "create_engine", "AsyncClient", "Client", "Settings", "prepare", "seed"}


def _python_files(package: str) -> list[Path]:
    return sorted((PROJECT_ROOT / package).rglob("*.py"))


def _imports(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _violates(imported: str, forbidden: set[str]) -> bool:
    return any(imported == f or imported.startswith(f + ".") for f in forbidden)


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_import_rules(package: str) -> None:
    files = _python_files(package)
    assert files, f"package {package} has no modules"
    problems = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for name in sorted(_imports(tree)):
            if _violates(name, FORBIDDEN[package]):
                problems.append(f"{path.relative_to(PROJECT_ROOT)} imports {name}")
    assert not problems, "\n".join(problems)


def test_ui_uses_sqlalchemy_only_for_types() -> None:
    for path in _python_files("ui"):
        for name in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if name.startswith("sqlalchemy"):
                assert name == "sqlalchemy.engine", f"{path}: imports {name}"


@pytest.mark.parametrize("package", ["judging", "storage", "pipeline", "mockllm", "ui"])
def test_nothing_runs_at_import_time(package: str) -> None:
    for path in _python_files(package):
        if path.name == "__main__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            for call in ast.walk(node) if isinstance(node, (ast.Assign, ast.Expr, ast.AnnAssign)) else ():
                if isinstance(call, ast.Call):
                    fn = call.func
                    name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
                    assert name not in IMPORT_TIME_CALLS, f"{path}:{node.lineno} calls {name} at import time"


def test_every_page_starts_with_a_role_guard() -> None:
    pages = sorted((PROJECT_ROOT / "pages").glob("*.py"))
    assert pages
    for path in pages:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        statements = [n for n in tree.body if not isinstance(n, (ast.Import, ast.ImportFrom))]
        statements = [
            n for n in statements if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))
        ]
        first = statements[0]
        call = first.value if isinstance(first, (ast.Expr, ast.Assign)) else None
        assert isinstance(call, ast.Call) and getattr(call.func, "id", "") == "require_role", (
            f"{path.name}: the first statement must be require_role(...)"
        )
