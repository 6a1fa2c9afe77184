"""The package list in pyproject is maintained by hand (directories are remapped)."""

import tomllib


def test_pyproject__lists_every_package_directory(repo_root):
    conf = tomllib.loads((repo_root / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(conf["packages"])
    found = set()
    for top, name in (("newsmon", "newsmon"), ("streams", "newsmon.streams"), ("agents", "newsmon.agents")):
        for init in (repo_root / top).rglob("__init__.py"):
            rel = init.parent.relative_to(repo_root / top)
            found.add(".".join([name, *rel.parts]) if rel.parts else name)
    assert found == listed


def test_domain_modules_do_not_import_faust(repo_root):
    for sub in ("classify", "rules", "alerting", "channels", "ingest"):
        for py in (repo_root / "newsmon" / sub).rglob("*.py"):
            text = py.read_text()
            assert "import faust" not in text and "from faust" not in text, py
    assert "faust" not in (repo_root / "streams" / "records.py").read_text().split('"""', 2)[2]
