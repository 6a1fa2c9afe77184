"""Packaging: what the wheel ships, and that the lock files cover pyproject.toml."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from setuptools import find_namespace_packages

PKG_LINE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", re.M)


def _pyproject(repo_root: Path) -> dict:
    return tomllib.loads((repo_root / "pyproject.toml").read_text())


def _locked(path: Path) -> dict[str, str]:
    """Name -> version of every entry, each of which must carry a hash."""
    text = path.read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", text)
    locked = {}
    for entry in entries:
        m = PKG_LINE.match(entry)
        if m:
            assert "--hash=sha256:" in entry, f"{path.name}: {m.group(1)} has no hash"
            locked[canonicalize_name(m.group(1))] = m.group(2)
    return locked


def _requirements(conf: dict, *, extras: bool) -> list[Requirement]:
    reqs = [*conf["project"]["dependencies"], *conf["build-system"]["requires"]]
    if extras:
        for group in conf["project"]["optional-dependencies"].values():
            reqs.extend(group)
    return [Requirement(r) for r in reqs]


def test_streams_and_agents_install_as_newsmon_subpackages(repo_root):
    for name in ("streams", "agents"):
        link = repo_root / "newsmon" / name
        assert link.is_symlink() and link.resolve() == (repo_root / name).resolve()


def test_package_data_covers_every_data_file(repo_root):
    """Every non-Python file below newsmon/ (links followed) ships in the wheel.

    Data folders are namespace packages (packages.find namespaces = true) and
    setuptools globs each package-data pattern in the package's own folder, so
    a file ships when its suffix is in the "*" patterns.
    """
    conf = _pyproject(repo_root)["tool"]["setuptools"]
    assert conf["packages"]["find"]["namespaces"] is True
    packages = find_namespace_packages(where=str(repo_root), include=conf["packages"]["find"]["include"])
    patterns = conf["package-data"]["*"]
    shipped = {
        p
        for pkg in packages
        for pattern in patterns
        for p in (repo_root.joinpath(*pkg.split("."))).glob(pattern)
        if p.is_file()
    }
    data = {
        p
        for p in (repo_root / "newsmon").rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    }
    data |= {
        p
        for top in ("streams", "agents")
        for p in (repo_root / "newsmon" / top).rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    }
    # STATUS notes are for developers, not for the installed package.
    missing = sorted(str(p.relative_to(repo_root)) for p in data - shipped if p.name != "STATUS")
    assert not missing, f"not shipped by any package-data pattern: {missing}"


def test_lock_pins_every_dependency_of_pyproject_within_its_range(repo_root):
    conf = _pyproject(repo_root)
    locked = _locked(repo_root / "requirements.lock")
    problems = []
    for req in _requirements(conf, extras=True):
        name = canonicalize_name(req.name)
        if name not in locked:
            problems.append(f"{req.name} is not in requirements.lock (run make lock)")
        elif not req.specifier.contains(locked[name], prereleases=True):
            problems.append(f"{req.name}=={locked[name]} is outside {req.specifier} (run make lock)")
    assert not problems, problems


def test_runtime_lock_has_the_same_versions_as_the_full_lock(repo_root):
    conf = _pyproject(repo_root)
    full = _locked(repo_root / "requirements.lock")
    runtime = _locked(repo_root / "requirements-runtime.lock")
    for req in _requirements(conf, extras=False):
        assert canonicalize_name(req.name) in runtime, f"{req.name} missing from requirements-runtime.lock"
    differ = {n: (v, full.get(n)) for n, v in runtime.items() if full.get(n) != v}
    assert not differ, f"versions differ between the locks: {differ}"
    tools = {"pytest", "mypy", "ruff", "uv", "hypothesis"} & set(runtime)
    assert not tools, f"dev tools in the runtime lock: {tools}"


def test_domain_modules_do_not_import_faust(repo_root):
    for sub in ("classify", "rules", "alerting", "channels", "ingest"):
        for py in (repo_root / "newsmon" / sub).rglob("*.py"):
            text = py.read_text()
            assert "import faust" not in text and "from faust" not in text, py
    assert "faust" not in (repo_root / "streams" / "records.py").read_text().split('"""', 2)[2]


def test_unit_tests__mirror_the_package_layout(repo_root):
    """tests/unit/<dir>/ tests newsmon/<dir>/ (streams/ and agents/ included); deploy/ tests deploy/."""
    packages = {p.parent.name for p in (repo_root / "newsmon").glob("*/__init__.py")} | {"streams", "agents"}
    dirs = {p.name for p in (repo_root / "tests" / "unit").iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert dirs - packages <= {"deploy"}, f"test directories without a package: {sorted(dirs - packages - {'deploy'})}"
