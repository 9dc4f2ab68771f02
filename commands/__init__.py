"""Command groups of ``cli.py``; each module defines ``register(app: typer.Typer) -> None``.

Commands parse arguments, call ``pipeline/`` and print; they hold no logic of their own.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer

__all__ = ["register_all"]


def register_all(app: typer.Typer) -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        module.register(app)
