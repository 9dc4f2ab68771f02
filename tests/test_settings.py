"""Settings and secrets: the cookie key is generated per installation, never a repo constant."""

from __future__ import annotations

import re
import stat
import subprocess

from pipeline.startup.settings import PROJECT_ROOT, Settings


def test_cookie_key_is_random_per_installation_and_private(tmp_path):
    one = Settings.from_env({"ARENA_DATA_DIR": str(tmp_path / "a")})
    two = Settings.from_env({"ARENA_DATA_DIR": str(tmp_path / "b")})
    key_one, key_two = one.cookie_key({}), two.cookie_key({})
    assert key_one != key_two and len(key_one) >= 32
    assert one.cookie_key({}) == key_one  # stable for one installation
    mode = stat.S_IMODE((tmp_path / "a" / "cookie_key").stat().st_mode)
    assert mode == 0o600
    assert one.cookie_key({"ARENA_COOKIE_KEY": "from-the-environment"}) == "from-the-environment"


def test_no_secret_in_the_repository():
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout
    files = [
        PROJECT_ROOT / f for f in tracked.split() if f.endswith((".py", ".toml", ".yaml", ".yml", ".cfg"))
    ]
    pattern = re.compile(r"cookie_key\s*=\s*['\"][^'\"]{8,}['\"]|(sk-[A-Za-z0-9]{20,})")
    offenders = [
        str(f) for f in files if f.exists() and pattern.search(f.read_text(encoding="utf-8", errors="ignore"))
    ]
    assert not offenders
    assert ".streamlit/secrets.toml" not in tracked.split()
    assert not any(name.startswith("data/") for name in tracked.split())
