"""API tokens are refused at start when short or copied from an example in this repository (issue 14, row 7)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from newsmon.config import ConfigError, Settings

REPO = Path(__file__).resolve().parents[2]
GOOD = "k3J9-wQpZr7VbX2mYcN4tLhD8sFgA1eU"  # 32 characters, not an example anywhere
TOKEN_SETTINGS = ["NEWSMON_API_TOKEN"]


def example_values() -> set[str]:
    """Every placeholder secret the repository ships: env examples, the k8s Secret, compose, the docs."""
    values: set[str] = set()
    for env_file in REPO.glob("deploy/**/*.env.example"):
        for line in env_file.read_text().splitlines():
            m = re.match(r"\s*#?\s*NEWSMON_[A-Z_]*(?:TOKEN|SECRET|PASSWORD|URL)=(\S+)", line)
            if m:
                values.add(m.group(1))
    for f in REPO.glob("deploy/**/*.example*"):
        if f.suffix not in (".yaml", ".yml") and not f.name.endswith(".env.example"):
            values.add(f.read_text().strip())
    for f in REPO.glob("deploy/k8s/*.yaml"):
        for doc in yaml.safe_load_all(f.read_text()):
            if doc and doc.get("kind") == "Secret":
                values |= {str(v) for v in (doc.get("stringData") or {}).values()}
    for f in REPO.glob("config/*.example.*"):
        # Channel and feed examples name variables (url_env: ...); a literal credential would be a value here.
        for key, value in re.findall(r"(?m)^\s*-?\s*([a-z_]*(?:token|secret|password|key))\s*:\s*(\S+)", f.read_text()):
            if not key.endswith(("_env", "_file")):
                values.add(value.strip("'\""))
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    for svc in [compose.get("x-newsmon", {}), *compose["services"].values()]:
        env = svc.get("environment") or {}
        for k, v in env.items() if isinstance(env, dict) else ():
            if any(w in k for w in ("TOKEN", "SECRET", "PASSWORD")) and not k.endswith("FILE"):
                values.add(str(v))
    for doc in [*REPO.glob("*.md"), *REPO.glob("deploy/**/*.md"), *REPO.glob("deploy/**/*.service")]:
        text = doc.read_text()
        values |= set(re.findall(r"NEWSMON_API(?:_READ)?_TOKEN=['\"]?([^\s'\"$`]+)", text))
        values |= set(re.findall(r"Bearer ([^\s'\"$`<>]+)", text))
    return {v for v in values if v and not v.startswith("$")}


def test_example_values__found_in_the_repository():
    values = example_values()
    assert "REPLACE_ME_WITH_A_LONG_RANDOM_TOKEN" in values  # deploy/newsmon.env.example, k8s Secret
    assert len(values) >= 5


@pytest.mark.parametrize("var", TOKEN_SETTINGS)
@pytest.mark.parametrize("value", sorted(example_values()))
def test_token__equal_to_an_example_value_refused_at_start(var, value):
    with pytest.raises(ConfigError, match=var) as err:
        Settings.from_env({var: value})
    assert value not in str(err.value)


@pytest.mark.parametrize("var", TOKEN_SETTINGS)
@pytest.mark.parametrize("value", ["a", "x" * 31, GOOD[:31], "replace_me_with_a_long_random_token"])
def test_token__shorter_than_32_characters_or_placeholder_refused(var, value):
    with pytest.raises(ConfigError, match=var) as err:
        Settings.from_env({var: value})
    assert len(value) < 4 or value not in str(err.value)


@pytest.mark.parametrize("var", TOKEN_SETTINGS)
def test_token__from_file_checked_too(var, tmp_path):
    path = tmp_path / "token"
    path.write_text("short\n")
    with pytest.raises(ConfigError, match=var):
        Settings.from_env({var + "_FILE": str(path)})
    path.write_text(GOOD + "\n")
    Settings.from_env({var + "_FILE": str(path)})


@pytest.mark.parametrize("var", TOKEN_SETTINGS)
def test_token__long_random_value_accepted(var):
    settings = Settings.from_env({var: GOOD})
    field = var.removeprefix("NEWSMON_").lower()
    assert getattr(settings, field).get_secret_value() == GOOD
