"""The classifier's disk cache: same results as a build, and read only when nobody else could have written it."""

from __future__ import annotations

import logging
import os
import pickle
import shutil
import stat
from pathlib import Path

import pytest

from newsmon.classify import Classifier
from newsmon.classify import cache as disk_cache
from newsmon.classify import lexicon as lx

SENTENCES = [
    ("Troops shell Aleppo", "Syrian army artillery hit the city of Aleppo on Tuesday, killing 12 civilians.", None),
    ("Bundesliga", "Bayern München gewann am Samstag gegen Dortmund mit 3:1 in der Bundesliga.", "de"),
    ("انفجار في بغداد", "قتل خمسة أشخاص في انفجار سيارة مفخخة في بغداد", None),
    ("Élections au Sénégal", "Les électeurs sénégalais ont voté dimanche pour élire un nouveau président.", "fr"),
    ("Apple Inc said", "Apple Inc said on Monday its quarterly revenue rose 8 percent.", None),
]


def _outputs(clf: Classifier) -> list[object]:
    return [clf.classify(title, body, lang).to_dict() for title, body, lang in SENTENCES]


def _cache_files(path: Path) -> list[Path]:
    return sorted(path.glob(f"{disk_cache.PREFIX}*{disk_cache.SUFFIX}"))


@pytest.fixture()
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cache"
    monkeypatch.setenv(disk_cache.ENV_DIR, str(path))
    monkeypatch.delenv(disk_cache.ENV_SWITCH, raising=False)
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[object]]:
    """One cold load into a cache of this module: the cache file and what the built lexicon classifies."""
    path = tmp_path_factory.mktemp("cache") / "newsmon"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(disk_cache.ENV_DIR, str(path))
        mp.delenv(disk_cache.ENV_SWITCH, raising=False)
        clf = Classifier.load()
    (file,) = _cache_files(path)
    return file, _outputs(clf)


def _warm_dir(built: tuple[Path, list[object]], cache_dir: Path) -> Path:
    """``cache_dir`` holding a copy of the built cache file (mode 0700 / 0600, as the cache writes them)."""
    cache_dir.mkdir(mode=0o700)
    target = cache_dir / built[0].name
    shutil.copyfile(built[0], target)
    target.chmod(0o600)
    return target


def _loaded_from_cache(caplog: pytest.LogCaptureFixture) -> bool:
    return any("loaded from the cache" in r.getMessage() for r in caplog.records)


def _cache_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING and "classifier cache" in r.getMessage()
    ]


def _key_of(target: Path) -> str:
    return target.name[len(disk_cache.PREFIX) : -len(disk_cache.SUFFIX)]


def _load_warns(
    built: tuple[Path, list[object]], caplog: pytest.LogCaptureFixture, phrase: str, lazy: bool = True
) -> None:
    """A load with a refused cache file: a warning saying ``phrase``, and a rebuild that classifies as the build."""
    with caplog.at_level(logging.INFO, logger="newsmon.classify"):
        clf = Classifier.load(lazy=lazy)
    assert not _loaded_from_cache(caplog)
    assert any(phrase in w for w in _cache_warnings(caplog))
    assert _outputs(clf) == built[1]


def test_cold_load__writes_a_private_file_in_a_private_directory(built):
    file, _ = built
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert stat.S_IMODE(file.parent.stat().st_mode) == 0o700


@pytest.mark.parametrize("lazy", [False, True])
def test_warm_load__classifies_as_the_built_lexicon(built, cache_dir, caplog, lazy):
    _warm_dir(built, cache_dir)
    with caplog.at_level(logging.INFO, logger="newsmon.classify"):
        clf = Classifier.load(lazy=lazy)
    assert _loaded_from_cache(caplog)
    assert clf.lex.cached
    assert not _cache_warnings(caplog)
    assert _outputs(clf) == built[1]


def test_warm_load__same_as_without_cache(built, cache_dir, monkeypatch):
    monkeypatch.setenv(disk_cache.ENV_SWITCH, "off")
    assert _outputs(Classifier.load(lazy=True)) == built[1]


def test_cache_key__changes_with_any_data_file(tmp_path: Path):
    data = tmp_path / "data"
    shutil.copytree(lx.DATA_DIR, data)
    before = lx.cache_key(data)
    assert lx.cache_key(data) == before
    stop = data / "lang" / "fr" / "stopwords.txt"
    stop.write_text(stop.read_text(encoding="utf-8") + "\nnouveaumot\n", encoding="utf-8")
    after = lx.cache_key(data)
    assert after != before
    (data / "lang" / "xx").mkdir()  # an empty folder is a build error the cache must not hide
    assert lx.cache_key(data) not in (before, after)


def test_cache_key__sees_into_linked_folders(tmp_path: Path):
    data = tmp_path / "data"
    shutil.copytree(lx.DATA_DIR, data)
    outside = tmp_path / "fr"
    (data / "lang" / "fr").rename(outside)
    (data / "lang" / "fr").symlink_to(outside)
    before = lx.cache_key(data)
    stop = outside / "stopwords.txt"
    stop.write_text(stop.read_text(encoding="utf-8") + "\nnouveaumot\n", encoding="utf-8")
    assert lx.cache_key(data) != before


def test_changed_data__rebuilds_and_classifies_with_the_new_data(built, cache_dir, tmp_path, caplog):
    _warm_dir(built, cache_dir)
    data = tmp_path / "data"
    shutil.copytree(lx.DATA_DIR, data)
    stop = data / "lang" / "fr" / "stopwords.txt"
    stop.write_text(stop.read_text(encoding="utf-8") + "\nnouveaumot\n", encoding="utf-8")
    with caplog.at_level(logging.INFO, logger="newsmon.classify"):
        Classifier.load(data, lazy=True)
    assert not _loaded_from_cache(caplog)
    assert len(_cache_files(cache_dir)) == 2  # the old key's file stays for the other checkout


def test_symlinked_file__refused_with_a_warning_and_rebuilt(built, cache_dir, caplog):
    target = _warm_dir(built, cache_dir)
    real = cache_dir.parent / "elsewhere.pickle"
    target.rename(real)
    target.symlink_to(real)
    _load_warns(built, caplog, "symbolic link")


def test_symlinked_directory__refused_with_a_warning(built, tmp_path, monkeypatch, caplog):
    real = tmp_path / "real"
    _warm_dir(built, real)
    link = tmp_path / "link"
    link.symlink_to(real)
    monkeypatch.setenv(disk_cache.ENV_DIR, str(link))
    with caplog.at_level(logging.INFO, logger="newsmon.classify"):
        assert disk_cache.open_store() is None
    assert any("symbolic link" in w for w in _cache_warnings(caplog))


@pytest.mark.parametrize("mode", [0o620, 0o602])
def test_group_or_other_writable_file__refused(built, cache_dir, caplog, mode):
    target = _warm_dir(built, cache_dir)
    target.chmod(mode)
    _load_warns(built, caplog, "writable by group or others")


def test_group_writable_directory__refused(cache_dir, caplog):
    cache_dir.mkdir(mode=0o700)
    cache_dir.chmod(0o770)
    with caplog.at_level(logging.INFO, logger="newsmon.classify"):
        assert disk_cache.open_store() is None
    assert any("writable by group or others" in w for w in _cache_warnings(caplog))


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="changing a file's owner needs root")
def test_file_of_another_user__refused(built, cache_dir, caplog):
    target = _warm_dir(built, cache_dir)
    os.chown(target, os.getuid() + 4242, -1)
    with caplog.at_level(logging.INFO, logger="newsmon.classify"):
        assert disk_cache.open_store().read(_key_of(target)) is None
    assert any("owned by uid" in w for w in _cache_warnings(caplog))


def test_file_of_another_user__refused_as_any_user(built, cache_dir, monkeypatch, caplog):
    # Without root no file can be given away; seen from another uid, this user's file is a stranger's.
    target = _warm_dir(built, cache_dir)
    key = _key_of(target)
    with disk_cache.open_store() as store:
        assert store is not None
        monkeypatch.setattr(disk_cache.os, "getuid", lambda: target.stat().st_uid + 1)
        with caplog.at_level(logging.INFO, logger="newsmon.classify"):
            assert store.read(key) is None
    assert any("owned by uid" in w for w in _cache_warnings(caplog))


def test_directory_of_another_user__refused(cache_dir, monkeypatch, caplog):
    cache_dir.mkdir(mode=0o700)
    monkeypatch.setattr(disk_cache.os, "getuid", lambda: cache_dir.stat().st_uid + 1)
    with caplog.at_level(logging.INFO, logger="newsmon.classify"):
        assert disk_cache.open_store() is None
    assert any("owned by uid" in w for w in _cache_warnings(caplog))


def test_not_a_regular_file__refused(cache_dir, caplog):
    cache_dir.mkdir(mode=0o700)
    (cache_dir / disk_cache.Store.name("k")).mkdir()
    with caplog.at_level(logging.INFO, logger="newsmon.classify"), disk_cache.open_store() as store:
        assert store is not None
        assert store.read("k") is None
    assert _cache_warnings(caplog)


def test_truncated_file__warns_and_rebuilds(built, cache_dir, caplog):
    target = _warm_dir(built, cache_dir)
    blob = target.read_bytes()
    target.write_bytes(blob[: len(blob) // 2])
    _load_warns(built, caplog, "truncated or damaged")
    # The rebuild replaced the damaged file with a whole one (not byte-equal: set order varies between processes).
    with disk_cache.open_store() as store:
        assert store is not None
        assert store.read(_key_of(target)) is not None


def test_damaged_byte__warns_and_rebuilds(built, cache_dir, caplog):
    target = _warm_dir(built, cache_dir)
    blob = bytearray(target.read_bytes())
    blob[len(blob) // 3] ^= 0xFF
    target.write_bytes(bytes(blob))
    _load_warns(built, caplog, "truncated or damaged", lazy=False)


def test_valid_wrapper_around_a_wrong_pickle__warns_and_rebuilds(built, cache_dir, caplog):
    target = _warm_dir(built, cache_dir)
    with disk_cache.open_store() as store:
        assert store is not None
        key = _key_of(target)
        assert store.write(key, {"lexicon": pickle.dumps({"not": "a lexicon"})})
    _load_warns(built, caplog, "unreadable")


@pytest.mark.parametrize("value", ["off", "OFF", "0", "false", "no"])
def test_disabled_by_env__open_store_gives_none(cache_dir, monkeypatch, value):
    monkeypatch.setenv(disk_cache.ENV_SWITCH, value)
    assert disk_cache.open_store() is None
    assert not cache_dir.exists()


def test_disabled_by_env__load_writes_nothing(cache_dir, monkeypatch, caplog):
    monkeypatch.setenv(disk_cache.ENV_SWITCH, "off")
    with caplog.at_level(logging.INFO, logger="newsmon.classify"):
        clf = Classifier.load(lazy=True)
    assert not cache_dir.exists()
    assert clf.classify("Bombing in Baghdad", "A car bomb exploded in Baghdad.").topics


def test_directory_that_cannot_be_created__works_without_cache(tmp_path, monkeypatch, caplog):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv(disk_cache.ENV_DIR, str(blocker / "newsmon"))
    with caplog.at_level(logging.INFO, logger="newsmon.classify"):
        clf = Classifier.load(lazy=True)
    assert clf.classify("Bombing in Baghdad", "A car bomb exploded in Baghdad.").topics
    unavailable = [r for r in caplog.records if "cache unavailable" in r.getMessage()]
    assert len(unavailable) == 1
    assert unavailable[0].levelno == logging.INFO


def test_directory_that_refuses_writes__load_works_and_says_so(cache_dir, monkeypatch, caplog):
    cache_dir.mkdir(mode=0o700)
    real_open = os.open

    def read_only_open(path, flags, *args, **kwargs):
        if flags & os.O_CREAT:
            raise OSError(30, "Read-only file system", path)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(disk_cache.os, "open", read_only_open)
    with caplog.at_level(logging.INFO, logger="newsmon.classify"):
        clf = Classifier.load(lazy=True)
    assert clf.classify("Bombing in Baghdad", "A car bomb exploded in Baghdad.").topics
    assert any("not written" in r.getMessage() for r in caplog.records)
    assert not list(cache_dir.iterdir())


def test_write__prunes_the_oldest_files_beyond_the_limit(cache_dir):
    with disk_cache.open_store() as store:
        assert store is not None
        for i in range(disk_cache.KEEP_FILES + 3):
            assert store.write(f"k{i:02d}", {"x": b"payload"})
            os.utime(cache_dir / store.name(f"k{i:02d}"), (1_000_000 + i, 1_000_000 + i))
    names = [p.name for p in _cache_files(cache_dir)]
    assert len(names) == disk_cache.KEEP_FILES
    assert disk_cache.Store.name(f"k{disk_cache.KEEP_FILES + 2:02d}") in names
    assert disk_cache.Store.name("k00") not in names


def test_sections__round_trip(cache_dir):
    sections = {"a": b"first", "b": b"", "c": bytes(range(256))}
    with disk_cache.open_store() as store:
        assert store is not None
        assert store.write("rt", sections)
        got = store.read("rt")
    assert got is not None
    assert {k: bytes(v) for k, v in got.items()} == sections


def test_default_dir__follows_xdg_then_home(monkeypatch, tmp_path):
    monkeypatch.delenv(disk_cache.ENV_DIR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert disk_cache.default_dir() == tmp_path / "xdg" / "newsmon"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert disk_cache.default_dir() == tmp_path / "home" / ".cache" / "newsmon"


def test_cues__pickle_to_equal_objects():
    lex = lx.load_lexicon(lazy=True)
    cues = []
    for _key, value in lex.packs["en"].auto.items():
        cues.extend(value[4][:1] + value[5][:1])
        if len(cues) > 200:
            break
    senses = [c.sense for p in (lex.packs["en"],) for _k, v in p.auto.items() for c in v[5] if c.sense is not None]
    for obj in cues + senses[:20]:
        assert pickle.loads(pickle.dumps(obj, pickle.HIGHEST_PROTOCOL)) == obj
