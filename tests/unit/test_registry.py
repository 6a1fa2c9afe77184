"""The registry both rule types and channel types use: one module per kind, found when the package loads."""

from __future__ import annotations

import sys

import pytest

from newsmon.registry import Registry


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A package ``toykinds`` on sys.path with modules written by the test."""
    root = tmp_path / "toykinds"
    root.mkdir()
    (root / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield root
    for name in [m for m in sys.modules if m == "toykinds" or m.startswith("toykinds.")]:
        del sys.modules[name]


def test_registry__load_registers_each_module_but_skipped_and_private_ones(package):
    (package / "alpha.py").write_text("KIND = 'alpha'\n")
    (package / "beta.py").write_text("KIND = 'beta'\n")
    (package / "base.py").write_text("")
    (package / "_helpers.py").write_text("")
    reg: Registry[str] = Registry("toy kind", lambda k: k)
    reg.load("toykinds", "KIND", skip=("base",))
    assert sorted(reg) == ["alpha", "beta"] and reg["beta"] == "beta" and len(reg) == 2


def test_registry__module_without_the_attribute_is_an_error_naming_it(package):
    (package / "forgot.py").write_text("OTHER = 1\n")
    reg: Registry[str] = Registry("toy kind", lambda k: k)
    with pytest.raises(ValueError, match=r"toykinds\.forgot: a toy kind module must set KIND"):
        reg.load("toykinds", "KIND")


def test_registry__same_name_twice_refused_and_unregister_forgets():
    reg: Registry[str] = Registry("toy kind", lambda k: k.split(":")[0])
    reg.register("a:1")
    with pytest.raises(ValueError, match="toy kind 'a' is already registered"):
        reg.register("a:2")
    reg.unregister("a")
    assert "a" not in reg and reg.get("a") is None
    reg.register("a:2")
    assert reg["a"] == "a:2"
