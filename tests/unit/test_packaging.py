"""The package list in pyproject is maintained by hand (directories are remapped)."""

import tomllib
from pathlib import Path


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


def test_pyproject__package_data_covers_every_data_file(repo_root):
    """Every non-Python file in a package tree is matched by a package-data pattern.

    setuptools globs each pattern in the package's own directory, so a file in
    a plain subdirectory (``classify/data/``) ships only if a pattern names the
    subdirectory; otherwise the wheel (and the Docker image) lacks it.
    """
    conf = tomllib.loads((repo_root / "pyproject.toml").read_text())["tool"]["setuptools"]
    dirs = {name: repo_root / path for name, path in conf["package-dir"].items()}
    shipped: set[Path] = set()
    for pkg in conf["packages"]:
        top = next(n for n in sorted(dirs, key=len, reverse=True) if pkg == n or pkg.startswith(n + "."))
        pkg_dir = dirs[top].joinpath(*pkg[len(top) :].split(".")[1:])
        for pattern in [*conf["package-data"].get("*", []), *conf["package-data"].get(pkg, [])]:
            shipped.update(p for p in pkg_dir.glob(pattern) if p.is_file())
    data = {
        p
        for d in dirs.values()
        for p in d.rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    }
    # STATUS notes are for developers, not for the installed package.
    missing = sorted(str(p.relative_to(repo_root)) for p in data - shipped if p.name != "STATUS")
    assert not missing, f"not in any package-data pattern: {missing}"


def test_unit_tests__mirror_the_package_layout(repo_root):
    """tests/unit/<dir>/ tests newsmon/<dir>/ (streams/ and agents/ count as newsmon's); deploy/ tests deploy/."""
    packages = {p.parent.name for p in (repo_root / "newsmon").glob("*/__init__.py")} | {"streams", "agents"}
    dirs = {p.name for p in (repo_root / "tests" / "unit").iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert dirs - packages <= {"deploy"}, f"test directories without a package: {sorted(dirs - packages - {'deploy'})}"
