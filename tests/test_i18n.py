"""Every UI string exists in Chinese and English, and every key used in the code exists."""

from __future__ import annotations

import re

import pytest

from pipeline.startup.settings import PROJECT_ROOT
from ui.i18n import LANGS, STRINGS, translate


def test_every_key_in_both_languages():
    missing = [(key, lang) for key, entry in STRINGS.items() for lang in LANGS if not entry.get(lang)]
    assert not missing


def _ui_sources() -> list:
    return [
        PROJECT_ROOT / "app.py",
        *(PROJECT_ROOT / "pages").glob("*.py"),
        *(PROJECT_ROOT / "ui").rglob("*.py"),
    ]


def test_every_key_used_in_code_exists():
    # t("key") and translate("key", lang) with a literal key (ui/components.py uses translate)
    literal = re.compile(r"""\b(?:t|translate)\(\s*["']([A-Za-z_]+\.[A-Za-z0-9_.]+)["']""")
    used: set[str] = set()
    for path in _ui_sources():
        used |= set(literal.findall(path.read_text(encoding="utf-8")))
    assert len(used) > 100, "the t(...)/translate(...) calls were not found"
    assert not sorted(used - set(STRINGS))


def test_every_built_key_has_a_string_for_each_value_it_is_built_from():
    # t(f"prefix.{value}"): every value the code can pass must have its key (the runs-page
    # traceback of issue 15 was runs.kind.generate missing)
    from judging.ledger import Status
    from judging.roles import ALL_ROLES
    from judging.runs import RunKind, RunStatus
    from judging.types import Source, Verdict
    from pipeline.interchange.vote_export import VotesExportFormat
    from pipeline.runs.registry import ROLES

    families = {
        "runs.kind": list(RunKind),
        "runs.status": list(RunStatus),
        "runs.role": list(ROLES),
        "role": list(ALL_ROLES),
        "verdict": [v.value for v in Verdict],
        "battle.verdict": [v.value for v in Verdict],
        "source": [s.value for s in Source],
        "ledger.status": [s.value for s in Status],
        "cal.export": [f.value for f in VotesExportFormat],
    }
    built = re.compile(r"""\b(?:t|translate)\(\s*f["']([A-Za-z_]+\.[A-Za-z0-9_.]*)\{""")
    prefixes: set[str] = set()
    for path in _ui_sources():
        prefixes |= {p.rstrip(".") for p in built.findall(path.read_text(encoding="utf-8"))}
    assert set(families) <= prefixes, "a family is no longer built in the code: update this table"
    missing = [f"{prefix}.{value}" for prefix, values in families.items() for value in values]
    assert not [key for key in missing if key not in STRINGS]
    # and every other built prefix has at least one string
    assert not [p for p in prefixes if not any(k.startswith(p + ".") for k in STRINGS)]


def test_placeholders_match_between_languages():
    for key, entry in STRINGS.items():
        fields = {lang: set(re.findall(r"{(\w+)}", entry[lang])) for lang in LANGS}
        assert fields["zh"] == fields["en"], key


def test_unknown_key_raises():
    with pytest.raises(KeyError, match="no UI string"):
        translate("nope.nothing", "zh")


def test_every_run_kind_and_status_has_a_label():
    # the Runs page shows t(f"runs.kind.{run.kind}") and t(f"runs.status.{run.status}"); runs start
    # with a judging.runs.RunKind and end with a RunStatus, so every member needs a string
    from judging.runs import RunKind, RunStatus

    assert {k.value for k in RunKind} >= {"collect", "judge", "generate"}
    keys = [f"runs.kind.{k}" for k in RunKind] + [f"runs.status.{s}" for s in RunStatus]
    assert not [key for key in keys if key not in STRINGS]
