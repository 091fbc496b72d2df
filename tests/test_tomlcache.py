"""The shipped TOML files are parsed once and read back from the cache (issue 14: a
one-row validate should not pay for Python's TOML parser): the same values, a changed file
parsed afresh, a team config never cached, a broken cache ignored, no cache when turned off."""

from __future__ import annotations

import json
import subprocess
import sys

from leadbook.core import tomlcache
from leadbook.core.catalog import read_toml
from leadbook.core.paths import schema_file, template_file


def test_cached_values_are_the_parsed_values(tmp_path, monkeypatch):
    import tomllib

    monkeypatch.setenv(tomlcache.CACHE_ENV, str(tmp_path / "cache"))
    for path in (
        schema_file("fields.toml"),
        schema_file("codes.toml"),
        template_file("messages.toml"),
    ):
        parsed = tomllib.loads(path.read_text(encoding="utf-8"))
        assert tomlcache.load(path) == parsed  # parsed, and stored
        assert tomlcache.load(path) == parsed  # read back from the cache
    stored = sorted(p.name for p in (tmp_path / "cache").iterdir())
    assert len(stored) == 3 and all(n.endswith(".json") for n in stored)


def test_a_broken_cache_file_is_parsed_again(tmp_path, monkeypatch):
    monkeypatch.setenv(tomlcache.CACHE_ENV, str(tmp_path))
    path = schema_file("defaults.toml")
    good = tomlcache.load(path)
    (cached,) = tmp_path.glob("*.json")
    cached.write_text("{not json", encoding="utf-8")
    assert tomlcache.load(path) == good
    assert json.loads(cached.read_text(encoding="utf-8")) == good  # and stored again


def test_a_team_config_is_not_cached(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv(tomlcache.CACHE_ENV, str(cache))
    team = tmp_path / "team.toml"
    team.write_text('[[reps]]\nname = "*张"\ncode = "ZH"\n', encoding="utf-8")
    assert read_toml(team) == {"reps": [{"name": "*张", "code": "ZH"}]}
    assert not cache.exists()  # reps' names stay out of the cache


def test_off_and_unwritable_mean_no_cache(tmp_path, monkeypatch):
    path = schema_file("defaults.toml")
    monkeypatch.setenv(tomlcache.CACHE_ENV, "")
    assert tomlcache.cache_dir() is None and tomlcache.load(path)
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv(tomlcache.CACHE_ENV, str(blocker / "cache"))  # cannot be a folder
    assert tomlcache.load(path) == tomlcache.load(path)


def test_a_warm_validate_imports_no_toml_parser(tmp_path):
    env_code = (
        "import sys, os; os.environ['LEADBOOK_CACHE_DIR'] = sys.argv[1];"
        "from leadbook.core.catalog import load_catalog; from leadbook.core.config import"
        " load_config; from leadbook.check import codes; from leadbook.core.messages import"
        " catalogue; load_catalog(); load_config(); codes.severity('required-missing');"
        " catalogue(); print('tomllib' in sys.modules)"
    )
    run = [sys.executable, "-c", env_code, str(tmp_path)]
    first = subprocess.run(run, capture_output=True, text=True, check=True).stdout.split()
    second = subprocess.run(run, capture_output=True, text=True, check=True).stdout.split()
    assert first == ["True"] and second == ["False"]
