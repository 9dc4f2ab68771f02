"""Every UI string exists in Chinese and English, and every key used in the code exists."""

from __future__ import annotations

import re

import pytest

from pipeline.startup.settings import PROJECT_ROOT
from ui.i18n import LANGS, STRINGS, translate


def test_every_key_in_both_languages():
    missing = [(key, lang) for key, entry in STRINGS.items() for lang in LANGS if not entry.get(lang)]
    assert not missing


def test_every_key_used_in_code_exists():
    used: set[str] = set()
    for path in [
        PROJECT_ROOT / "app.py",
        *(PROJECT_ROOT / "pages").glob("*.py"),
        *(PROJECT_ROOT / "ui").glob("*.py"),
    ]:
        used |= set(
            re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z_.A-Z]+)["']""", path.read_text(encoding="utf-8"))
        )
    assert used, "no t(...) calls found"
    assert not sorted(used - set(STRINGS))


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
