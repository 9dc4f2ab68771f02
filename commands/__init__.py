"""Command groups of ``cli.py``; each module defines ``register(app: typer.Typer) -> None``.

Commands parse arguments, call ``pipeline/`` and print; they hold no logic of their own.

``cli.py`` imports a command's module only when that command runs (``LazyCommands``), so that
start-up and ``--help`` never import numpy, SQLAlchemy or the pipeline. The names and help texts
the top-level help lists come from reading each module's ``register`` with ``ast``: the
``@app.command(...)`` decorators, ``app.command(...)(function)`` calls and ``app.add_typer(...)``
groups, with their docstrings and literal ``help=`` texts. A module whose ``register`` does
anything else with ``app`` is imported at start-up instead: correct, only slower.

An ``ArenaError`` (``judging.errors``) that reaches the top of any command is the one place errors
are caught for the whole CLI (``LazyCommands.invoke``): ``error: <message>`` on stderr, exit status
2, no traceback. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup

from judging.errors import ArenaError

__all__ = ["CommandInfo", "LazyCommands", "command_infos", "max_bytes_option", "register_all"]

_PACKAGE = Path(__file__).resolve().parent


def max_bytes_option(default: int) -> Any:
    """The ``--max-bytes`` option of every command that reads a votes file (``default``:
    ``judging.votes_file.DEFAULT_MAX_BYTES``, passed in so that this module imports nothing heavy)."""
    return typer.Option(
        default,
        "--max-bytes",
        min=1,
        envvar="ARENA_VOTES_MAX_BYTES",
        help="Refuse a larger file before reading it.",
    )


def _modules() -> list[str]:
    return [info.name for info in sorted(pkgutil.iter_modules([str(_PACKAGE)]), key=lambda m: m.name)]


def register_all(app: typer.Typer) -> None:
    """Import every command module and register its commands on ``app`` (the eager way)."""
    for name in _modules():
        importlib.import_module(f"{__name__}.{name}").register(app)


@dataclass(frozen=True)
class CommandInfo:
    """What the top-level help shows of one command (or command group) of a module."""

    name: str
    module: str
    help: str | None = None
    short_help: str | None = None
    hidden: bool = False
    deprecated: bool = False
    rich_help_panel: str | None = None
    group: bool = False


class _Unsupported(Exception):
    """``register`` does something the static reading does not follow."""


def _literal(node: ast.expr | None) -> Any:
    if node is None:
        return None
    if not isinstance(node, ast.Constant):
        raise _Unsupported(ast.dump(node))
    return node.value


def _options(call: ast.Call) -> dict[str, Any]:
    if any(k.arg is None for k in call.keywords):
        raise _Unsupported("**kwargs")
    return {k.arg: _literal(k.value) for k in call.keywords if k.arg is not None}


def _is_method(node: ast.AST, owner: str, method: str) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == method
        and isinstance(node.value, ast.Name)
        and node.value.id == owner
    )


def _is_typer(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and (
        _is_method(node.func, "typer", "Typer")
        or (isinstance(node.func, ast.Name) and node.func.id == "Typer")
    )


def _typers(tree: ast.AST) -> dict[str, ast.Call]:
    """Names assigned a ``typer.Typer(...)`` in the module."""
    typers: dict[str, ast.Call] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and _is_typer(node.value):
            if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
                raise _Unsupported("Typer assigned to a non-name")
            typers[node.targets[0].id] = node.value
    return typers


def _command(module: str, call: ast.Call, function: ast.FunctionDef | ast.AsyncFunctionDef) -> CommandInfo:
    """The command an ``app.command(...)`` call registers for ``function``."""
    options = _options(call)
    if len(call.args) > 1 or (call.args and "name" in options):
        raise _Unsupported("command arguments")
    name = _literal(call.args[0]) if call.args else options.get("name")
    name = name or function.name.lower().replace("_", "-")  # typer's default name
    return CommandInfo(
        name=name,
        module=module,
        help=options.get("help") or ast.get_docstring(function),
        short_help=options.get("short_help"),
        hidden=bool(options.get("hidden", False)),
        deprecated=bool(options.get("deprecated", False)),
        rich_help_panel=options.get("rich_help_panel"),
    )


def _group(module: str, call: ast.Call, tree: ast.AST, typers: dict[str, ast.Call]) -> CommandInfo:
    """The command group an ``app.add_typer(...)`` call adds."""
    if len(call.args) != 1 or not isinstance(call.args[0], ast.Name) or call.args[0].id not in typers:
        raise _Unsupported("add_typer of an unknown Typer")
    var = call.args[0].id
    if any(_is_method(n, var, "callback") for n in ast.walk(tree)):
        raise _Unsupported("a group callback")  # its docstring could be the group's help
    options, typer_options = _options(call), _options(typers[var])
    name = options.get("name") or typer_options.get("name")
    if not name:
        raise _Unsupported("add_typer without a name")

    def option(key: str, default: Any = None) -> Any:
        return options.get(key) or typer_options.get(key, default)

    return CommandInfo(
        name=name,
        module=module,
        help=option("help"),
        short_help=option("short_help"),
        hidden=bool(options.get("hidden", typer_options.get("hidden", False))),
        deprecated=bool(options.get("deprecated", typer_options.get("deprecated", False))),
        rich_help_panel=option("rich_help_panel"),
        group=True,
    )


def _registered(
    module: str,
    node: ast.AST,
    app: str,
    tree: ast.AST,
    typers: dict[str, ast.Call],
    functions: dict[str, Any],
) -> list[CommandInfo]:
    """What one node of ``register`` adds to ``app``: decorated commands, ``app.command(...)(f)``
    calls and ``app.add_typer(...)`` groups."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return [
            _command(module, d, node)
            for d in node.decorator_list
            if isinstance(d, ast.Call) and _is_method(d.func, app, "command")
        ]
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Call)
        and _is_method(node.func.func, app, "command")
    ):
        if len(node.args) != 1 or not isinstance(node.args[0], ast.Name):
            raise _Unsupported("app.command(...)(not a function name)")
        function = functions.get(node.args[0].id)
        if function is None:
            raise _Unsupported(f"unknown function {node.args[0].id}")
        return [_command(module, node.func, function)]
    if isinstance(node, ast.Call) and _is_method(node.func, app, "add_typer"):
        return [_group(module, node, tree, typers)]
    return []


def _read_module(module: str, source: str) -> list[CommandInfo]:
    """The commands a module's ``register`` adds, read without importing it."""
    tree = ast.parse(source)
    functions = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
    typers = _typers(tree)
    register = next((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "register"), None)
    if register is None or not register.args.args:
        raise _Unsupported("no register(app)")
    app = register.args.args[0].arg
    found: list[CommandInfo] = []
    for node in ast.walk(register):
        found.extend(_registered(module, node, app, tree, typers, functions))
    uses = sum(1 for n in ast.walk(register) if isinstance(n, ast.Name) and n.id == app)
    if uses != len(found):
        raise _Unsupported(f"{uses - len(found)} other uses of {app}")
    return found


def command_infos() -> tuple[list[CommandInfo], list[str]]:
    """Every command module's commands read statically, and the modules that must be imported
    because their ``register`` cannot be read that way."""
    infos: list[CommandInfo] = []
    eager: list[str] = []
    for name in _modules():
        module = f"{__name__}.{name}"
        try:
            infos.extend(_read_module(module, (_PACKAGE / f"{name}.py").read_text(encoding="utf-8")))
        except (_Unsupported, SyntaxError, OSError):
            eager.append(module)
    return infos, eager


def _commands_of(module: str) -> dict[str, Any]:
    """Import ``module`` and build its commands as typer would."""
    app = typer.Typer()
    importlib.import_module(module).register(app)
    return dict(typer.main.get_group(app).commands)


class _LazyCommand(TyperCommand):
    """A command listed by name and help; its module is imported when it runs (or shows its help)."""

    def __init__(self, info: CommandInfo) -> None:
        super().__init__(
            info.name,
            help=inspect.cleandoc(info.help) if info.help else None,
            short_help=info.short_help,
            hidden=info.hidden,
            deprecated=info.deprecated,
            rich_help_panel=info.rich_help_panel,
            add_help_option=False,
        )
        self.info = info

    def load(self) -> Any:
        command = _commands_of(self.info.module).get(self.info.name)
        if command is None:
            raise RuntimeError(f"{self.info.module}: register() added no command {self.info.name!r}")
        return command

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        return self.load().make_context(info_name, args, parent=parent, **extra)


class LazyCommands(TyperGroup):
    """The top-level group of ``cli.py``: its own commands plus every module's, loaded on use.

    Order as typer's eager registration gives it: commands first, then command groups, each in
    module order.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._listed = False  # every module read (help, completion), or only what was asked for

    def invoke(self, ctx: Any) -> Any:
        """Run the command; an ``ArenaError`` becomes ``error: <message>`` and exit status 2."""
        try:
            return super().invoke(ctx)
        except ArenaError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and not self._listed:
            found = self._package_command(cmd_name)
            if found is None:
                self._list_all()
            else:
                self.commands[cmd_name] = found
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: Any) -> list[str]:
        self._list_all()
        return super().list_commands(ctx)

    def _list_all(self) -> None:
        if self._listed:
            return
        self._listed = True
        for name, command in self._package_commands():
            self.commands.setdefault(name, command)

    @staticmethod
    def _package_command(name: str) -> Any:
        """The command ``name`` of the first module that defines it, reading only the modules
        whose source mentions the name (as a literal, or as the function typer names it after)."""
        for module in _modules():
            qualified = f"{__name__}.{module}"
            source = (_PACKAGE / f"{module}.py").read_text(encoding="utf-8")
            if f'"{name}"' not in source and f"def {name.replace('-', '_')}(" not in source:
                continue
            try:
                infos = _read_module(qualified, source)
            except (_Unsupported, SyntaxError):
                command = _commands_of(qualified).get(name)
                if command is not None:
                    return command
                continue
            for info in infos:
                if info.name == name:
                    return _LazyCommand(info)
        return None

    @staticmethod
    def _package_commands() -> Iterator[tuple[str, Any]]:
        infos, eager = command_infos()
        loaded = {module: _commands_of(module) for module in eager}
        commands: list[tuple[str, Any, bool]] = []
        for module in _modules():
            qualified = f"{__name__}.{module}"
            for info in infos:
                if info.module == qualified:
                    commands.append((info.name, _LazyCommand(info), info.group))
            for name, command in loaded.get(qualified, {}).items():
                commands.append((name, command, isinstance(command, TyperGroup)))
        yield from ((name, command) for name, command, group in commands if not group)
        yield from ((name, command) for name, command, group in commands if group)
