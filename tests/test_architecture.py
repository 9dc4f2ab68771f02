"""The import rules of docs/architecture.md, enforced by walking every module's imports.

Two kinds of rule:

- an allow-list by layer (``LAYERS``): which of our own top-level packages and entry points a
  module may import, relative imports and imports inside functions included;
- a deny-list of third-party modules per layer (``FORBIDDEN``): streamlit stays out of the
  domain, HTTP and SQL stay out of the pages.

Besides, database writes stay in ``storage/`` (``write_violations``), nothing is built at import
time, every page opens with its role guard, and modules and functions stay small. The checkers
take a root folder, so ``test_the_checkers_catch_planted_violations`` runs them on a planted tree.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.startup.settings import PROJECT_ROOT

# Our layers: a top-level package, or an entry-point file (app.py -> "app", cli.py -> "cli").
# Each may import itself and the layers listed; anything not in this dict is a third-party module.
LAYERS: dict[str, frozenset[str]] = {
    "judging": frozenset(),
    "storage": frozenset({"judging"}),
    "pipeline": frozenset({"storage", "judging"}),
    "ui": frozenset({"pipeline", "judging"}),
    "pages": frozenset({"ui", "pipeline", "judging"}),
    "app": frozenset({"ui", "pipeline", "judging"}),
    "commands": frozenset({"pipeline", "judging"}),
    "cli": frozenset({"commands", "pipeline", "judging"}),
    "mockllm": frozenset({"judging"}),
}
# Single imports the layers allow on purpose: module -> (imported module, why).
GRANTED: dict[str, tuple[str, str]] = {
    "commands.users": ("ui.i18n", "a pure strings table: the CLI words the password rules as the UI does"),
}
# Layers walked but not ruled: they may import anything of ours.
UNRULED = frozenset({"tests", "bench", "demo"})
# Folders of a layer that are not walked (the Alembic revisions are generated, frozen history).
SKIPPED = ("storage/migrations/", ".venv/", "tests/", "bench/")

# Between the rooms of pipeline/ imports run one way (docs/architecture.md, "Rooms").
PIPELINE_ROOMS: dict[str, frozenset[str]] = {
    "publish": frozenset({"runs", "bank", "views", "interchange"}),
    "runs": frozenset({"bank"}),
    "views": frozenset(),
    "startup": frozenset({"people"}),
    "workflow": frozenset(),
    "people": frozenset(),
    "bank": frozenset(),
    "interchange": frozenset(),
}

# layer -> third-party top-level modules it must never import
FORBIDDEN: dict[str, set[str]] = {
    "judging": {"streamlit", "streamlit_authenticator", "sqlmodel", "sqlalchemy"},
    "storage": {"streamlit", "streamlit_authenticator", "httpx"},
    "pipeline": {"streamlit", "streamlit_authenticator"},
    "ui": {"httpx", "sqlmodel"},
    "pages": {"httpx", "sqlmodel", "sqlalchemy"},
    "app": {"httpx", "sqlmodel", "sqlalchemy"},
    "commands": {"streamlit", "streamlit_authenticator", "httpx", "sqlmodel"},
    "cli": {"streamlit", "streamlit_authenticator", "httpx", "sqlmodel"},
    "mockllm": {"streamlit", "streamlit_authenticator", "sqlmodel", "sqlalchemy"},
}
# Module-level calls that would build hidden state at import time.
IMPORT_TIME_CALLS = {"make_engine", "create_engine", "AsyncClient", "Client", "Settings", "prepare", "seed"}

# Database writes: methods of a session, SQL statement builders, and the write-session opener.
SESSION_WRITE_METHODS = {"add", "add_all", "commit", "delete", "merge", "flush", "bulk_save_objects"}
SQL_WRITE_BUILDERS = {"insert", "update", "delete"}
SQL_MODULES = ("sqlalchemy", "sqlmodel")
# Who may write: storage holds every write; pipeline opens the transaction a workflow needs
# (``with write_session(engine) as session``) and hands the session to storage functions.
WRITE_SESSION_OPENERS = frozenset({"storage", "pipeline"})
RAW_WRITERS = frozenset({"storage"})

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
# STYLE.md: every table in one models.py.
LONG_MODULES_ALLOWED = {"storage/db/models.py"}
SIZE_SKIPPED = ("tests/", "bench/", "storage/migrations/", ".venv/")


# -- walking the tree ------------------------------------------------------------------------------


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def python_files(root: Path, skipped: tuple[str, ...] = SKIPPED) -> Iterator[tuple[str, Path]]:
    """(layer, path) of every module of our layers under ``root``."""
    for layer in sorted(LAYERS):
        single = root / f"{layer}.py"
        if single.is_file():
            yield layer, single
        folder = root / layer
        if folder.is_dir():
            for path in sorted(folder.rglob("*.py")):
                if not _relative(path, root).startswith(skipped):
                    yield layer, path


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(tree: ast.AST, module: str, is_package: bool) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import anywhere in the tree, relative ones resolved
    against ``module`` (a package's own name when ``is_package``)."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                yield node.lineno, node.module or ""
                continue
            base = package[: len(package) - (node.level - 1)] if node.level - 1 <= len(package) else []
            target = ".".join([*base, *([node.module] if node.module else [])])
            if node.module:
                yield node.lineno, target
            else:  # from . import a, b: each name may be a module of the package
                for alias in node.names:
                    yield node.lineno, f"{target}.{alias.name}" if target else alias.name


def _layer_of(name: str) -> str:
    return name.split(".")[0]


def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def layer_violations(root: Path) -> list[str]:
    """Imports of our own layers that the allow-list does not grant, and imports between the
    rooms of pipeline/ against their direction."""
    ours = set(LAYERS) | UNRULED
    problems: list[str] = []
    for layer, path in python_files(root):
        module = module_name(path, root)
        tree = _parse(path)
        allowed = LAYERS[layer] | {layer}
        for line, name in imported_modules(tree, module, path.name == "__init__.py"):
            target = _layer_of(name)
            where = f"{_relative(path, root)}:{line}"
            granted = GRANTED.get(module, ("", ""))[0]
            if target in ours and target not in allowed and name != granted:
                problems.append(f"{where} ({layer}) imports {name}")
            elif layer == "pipeline" and target == "pipeline":
                problems.extend(_room_violation(module, name, where))
    return sorted(problems)


def _room_violation(module: str, name: str, where: str) -> list[str]:
    room, other = [*module.split("."), ""][1], [*name.split("."), ""][1]
    if (
        room in PIPELINE_ROOMS
        and other in PIPELINE_ROOMS
        and other != room
        and other not in PIPELINE_ROOMS[room]
    ):
        return [f"{where} (pipeline/{room}) imports {name}: rooms import one way (docs/architecture.md)"]
    return []


def third_party_violations(root: Path) -> list[str]:
    problems: list[str] = []
    for layer, path in python_files(root):
        tree = _parse(path)
        for line, name in imported_modules(tree, module_name(path, root), path.name == "__init__.py"):
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[layer]):
                problems.append(f"{_relative(path, root)}:{line} ({layer}) imports {name}")
    return sorted(problems)


def _sql_builders(tree: ast.AST) -> dict[str, str]:
    """Local names bound to SQL write builders (``from sqlalchemy import insert``, ``delete as d``)
    and module aliases of the SQL packages (``import sqlalchemy as sa``) -> what they are."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(SQL_MODULES):
            for alias in node.names:
                if alias.name in SQL_WRITE_BUILDERS:
                    names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(SQL_MODULES):
                    names[alias.asname or alias.name.split(".")[0]] = alias.name
    return names


def _receiver(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _session_names(tree: ast.AST) -> set[str]:
    """Names bound by ``with <...session...>(...) as name`` (a session under any name)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                opener = item.context_expr
                if (
                    isinstance(opener, ast.Call)
                    and "session" in _receiver(opener.func).lower()
                    and isinstance(item.optional_vars, ast.Name)
                ):
                    names.add(item.optional_vars.id)
    return names


def write_violations(root: Path) -> list[str]:
    """Database writes outside storage/: session methods that write, SQL insert/update/delete
    builders, and (outside storage/ and pipeline/) opening a write session."""
    problems: list[str] = []
    for layer, path in python_files(root):
        if layer in RAW_WRITERS:
            continue
        tree = _parse(path)
        builders = _sql_builders(tree)
        sessions = _session_names(tree)
        where = _relative(path, root)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Name)
                and node.id == "write_session"
                and layer not in WRITE_SESSION_OPENERS
            ):
                problems.append(f"{where}:{node.lineno} ({layer}) opens a write session")
            if (
                isinstance(node, ast.alias)
                and node.name == "write_session"
                and layer not in WRITE_SESSION_OPENERS
            ):
                problems.append(f"{where}:{node.lineno} ({layer}) imports write_session")
            if not isinstance(node, ast.Call):
                continue
            fn = node.func
            if isinstance(fn, ast.Attribute) and fn.attr in SESSION_WRITE_METHODS:
                receiver = _receiver(fn.value)
                if "session" in receiver.lower() or receiver in sessions:
                    problems.append(f"{where}:{node.lineno} ({layer}) writes through a session: .{fn.attr}(")
                elif fn.attr in SQL_WRITE_BUILDERS and _receiver(fn.value) in builders:
                    problems.append(f"{where}:{node.lineno} ({layer}) builds SQL {fn.attr}(")
            elif (
                isinstance(fn, ast.Name)
                and fn.id in builders
                and builders[fn.id].endswith(tuple(f".{b}" for b in SQL_WRITE_BUILDERS))
            ):
                problems.append(f"{where}:{node.lineno} ({layer}) builds SQL {fn.id}(")
    return sorted(problems)


def _functions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def _own_lines(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines of a function's body, less the lines of the functions and classes defined in it
    (they are counted on their own)."""
    first = function.body[0].lineno
    last = function.end_lineno or first
    nested = sum(
        (n.end_lineno or n.lineno) - min([n.lineno, *(d.lineno for d in n.decorator_list)]) + 1
        for n in _outermost_nested(function)
    )
    return last - first + 1 - nested


def _outermost_nested(function: ast.AST) -> Iterator[ast.AST]:
    for child in ast.iter_child_nodes(function):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield child
        else:
            yield from _outermost_nested(child)


def size_violations(root: Path) -> list[str]:
    """Modules over MAX_MODULE_LINES lines (pages included) and functions whose own body is over
    MAX_FUNCTION_LINES lines."""
    problems: list[str] = []
    for _layer, path in python_files(root, SIZE_SKIPPED):
        where = _relative(path, root)
        text = path.read_text(encoding="utf-8")
        lines = len(text.splitlines())
        if lines > MAX_MODULE_LINES and where not in LONG_MODULES_ALLOWED:
            problems.append(f"{where}: {lines} lines (at most {MAX_MODULE_LINES})")
        for function in _functions(ast.parse(text)):
            size = _own_lines(function)
            if size > MAX_FUNCTION_LINES:
                problems.append(
                    f"{where}:{function.lineno} {function.name}: {size} lines (at most {MAX_FUNCTION_LINES})"
                )
    return sorted(problems)


# -- the rules on this repository -------------------------------------------------------------------


def test_every_layer_is_walked() -> None:
    walked = {layer for layer, _ in python_files(PROJECT_ROOT)}
    assert walked == set(LAYERS), f"layers with no modules: {sorted(set(LAYERS) - walked)}"


def test_imports_follow_the_layers() -> None:
    problems = layer_violations(PROJECT_ROOT)
    assert not problems, "\n".join(problems)


def test_third_party_imports_stay_in_their_layer() -> None:
    problems = third_party_violations(PROJECT_ROOT)
    assert not problems, "\n".join(problems)


def test_database_writes_stay_in_storage() -> None:
    problems = write_violations(PROJECT_ROOT)
    assert not problems, "\n".join(problems)


def test_modules_and_functions_stay_small() -> None:
    problems = size_violations(PROJECT_ROOT)
    assert not problems, "\n".join(problems)


def test_ui_uses_sqlalchemy_only_for_types() -> None:
    for path in sorted((PROJECT_ROOT / "ui").rglob("*.py")):
        for _line, name in imported_modules(_parse(path), module_name(path, PROJECT_ROOT), False):
            if name.startswith("sqlalchemy"):
                assert name == "sqlalchemy.engine", f"{path}: imports {name}"


@pytest.mark.parametrize("package", ["judging", "storage", "pipeline", "mockllm", "ui", "commands"])
def test_nothing_runs_at_import_time(package: str) -> None:
    paths = [*sorted((PROJECT_ROOT / package).rglob("*.py"))]
    if package == "commands":
        paths.append(PROJECT_ROOT / "cli.py")
    for path in paths:
        if path.name == "__main__.py" or "migrations" in path.parts:
            continue
        tree = _parse(path)
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
        tree = _parse(path)
        statements = [n for n in tree.body if not isinstance(n, (ast.Import, ast.ImportFrom))]
        statements = [
            n for n in statements if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))
        ]
        first = statements[0]
        call = first.value if isinstance(first, (ast.Expr, ast.Assign)) else None
        assert isinstance(call, ast.Call) and getattr(call.func, "id", "") == "require_role", (
            f"{path.name}: the first statement must be require_role(...)"
        )


# -- the checkers catch what they are for --------------------------------------------------------------


def _plant(root: Path, files: dict[str, str]) -> None:
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")


def test_the_checkers_catch_planted_violations(tmp_path: Path) -> None:
    long_body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES + 1))
    _plant(
        tmp_path,
        {
            "judging/__init__.py": "",
            "judging/fine.py": "import math\nfrom . import types\n",
            "storage/__init__.py": "",
            "storage/db/__init__.py": "",
            "storage/db/session.py": "def write_session(engine):\n    session.add(1)\n",
            "pipeline/__init__.py": "",
            "pipeline/views/__init__.py": "",
            "pipeline/views/board.py": (
                "def later():\n    import commands.report\n"  # inside a function
                "from ..publish import report\n"  # relative, against the rooms' direction
                "from sqlalchemy import insert\n"
                "def write(session):\n    session.execute(insert(T))\n"
            ),
            "pipeline/workflow/__init__.py": "",
            "pipeline/workflow/queue.py": "from .. import views\nfrom . import voting\n",
            "commands/__init__.py": "",
            "commands/report.py": "from storage.db.session import read_session\n",
            "pages/1_vote.py": (
                "from ui.auth import require_role\nrequire_role('annotator')\n"
                "from pipeline.workflow.voting import write_session\n"
                "with write_session(engine) as s:\n    s.add(vote)\n"
                "import httpx\n"
            ),
            "ui/__init__.py": "",
            "ui/auth.py": "def logout(db_session):\n    db_session.commit()\n",
            "app.py": "from storage.db import models\n",
            "cli.py": "import ui.auth\n",
            "mockllm/__init__.py": "",
            "mockllm/_app.py": "from pipeline.startup import settings\n",
            "tests/test_x.py": "from storage.db.session import write_session\n",
            "storage/db/models.py": "\n" * (MAX_MODULE_LINES + 1),
            "pipeline/views/huge.py": "\n" * (MAX_MODULE_LINES + 1) + f"def f():\n{long_body}\n",
        },
    )
    layers = layer_violations(tmp_path)
    assert layers == [
        "app.py:1 (app) imports storage.db",
        "cli.py:1 (cli) imports ui.auth",
        "commands/report.py:1 (commands) imports storage.db.session",
        "mockllm/_app.py:1 (mockllm) imports pipeline.startup",
        "pipeline/views/board.py:2 (pipeline) imports commands.report",
        "pipeline/views/board.py:3 (pipeline/views) imports pipeline.publish: rooms import one way "
        "(docs/architecture.md)",
        "pipeline/workflow/queue.py:1 (pipeline/workflow) imports pipeline.views: rooms import one way "
        "(docs/architecture.md)",
    ], layers
    assert third_party_violations(tmp_path) == ["pages/1_vote.py:6 (pages) imports httpx"]
    writes = write_violations(tmp_path)
    assert writes == [
        "pages/1_vote.py:3 (pages) imports write_session",
        "pages/1_vote.py:4 (pages) opens a write session",
        "pages/1_vote.py:5 (pages) writes through a session: .add(",
        "pipeline/views/board.py:6 (pipeline) builds SQL insert(",
        "ui/auth.py:2 (ui) writes through a session: .commit(",
    ], writes
    sizes = size_violations(tmp_path)
    assert sizes == [
        f"pipeline/views/huge.py: {MAX_MODULE_LINES + 3 + MAX_FUNCTION_LINES} lines (at most {MAX_MODULE_LINES})",
        f"pipeline/views/huge.py:{MAX_MODULE_LINES + 2} f: {MAX_FUNCTION_LINES + 1} lines "
        f"(at most {MAX_FUNCTION_LINES})",
    ], sizes


def test_function_size_counts_nested_functions_apart() -> None:
    inner = "\n".join(f"        y{i} = {i}" for i in range(40))
    outer = "\n".join(f"    x{i} = {i}" for i in range(40))
    tree = ast.parse(f"def f():\n{outer}\n    def g():\n{inner}\n    return g\n")
    sizes = {fn.name: _own_lines(fn) for fn in _functions(tree)}
    assert sizes == {"f": 41, "g": 40}
