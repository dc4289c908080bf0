"""The sha256 cache: an unchanged file is hashed once, a changed one again; a broken cache is harmless."""

from __future__ import annotations

import hashlib
import json
import os

import pytest

from genimg_desktop.core import hash_cache


@pytest.fixture
def counted(monkeypatch):
    """Counts real hashing: the list gets the path of every file actually read."""
    calls = []
    real = hash_cache.hash_file

    def counting(path):
        calls.append(path)
        return real(path)

    monkeypatch.setattr(hash_cache, "hash_file", counting)
    return calls


def test_unchanged_file_is_hashed_once(tmp_path, counted):
    path = tmp_path / "w.bin"
    path.write_bytes(b"weights" * 1000)
    expected = hashlib.sha256(path.read_bytes()).hexdigest()
    assert hash_cache.file_sha256(path) == expected
    assert hash_cache.file_sha256(path) == expected
    assert hash_cache.file_sha256(str(path)) == expected
    assert len(counted) == 1
    assert hash_cache.cache_path().is_file()


def test_changed_file_is_hashed_again(tmp_path, counted):
    path = tmp_path / "w.bin"
    path.write_bytes(b"a" * 100)
    first = hash_cache.file_sha256(path)
    path.write_bytes(b"b" * 101)  # other size
    second = hash_cache.file_sha256(path)
    st = path.stat()
    path.write_bytes(b"c" * 101)  # same size, same inode: only the mtime tells, even 1 ns of it
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1))
    third = hash_cache.file_sha256(path)
    assert len({first, second, third}) == 3 and len(counted) == 3
    assert third == hashlib.sha256(b"c" * 101).hexdigest()


def test_replaced_file_is_hashed_again(tmp_path, counted):
    """A download replacing the file by rename keeps size and may keep mtime, but is a new inode."""
    path, new = tmp_path / "w.bin", tmp_path / "w.new"
    path.write_bytes(b"a" * 64)
    hash_cache.file_sha256(path)
    new.write_bytes(b"b" * 64)
    st = path.stat()
    os.utime(new, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(new, path)
    assert hash_cache.file_sha256(path) == hashlib.sha256(b"b" * 64).hexdigest()
    assert len(counted) == 2


@pytest.mark.parametrize("garbage", ["", "{", "[]", '{"version": 1, "entries": []}', '{"version": 9}'])
def test_garbage_cache_file_is_ignored(tmp_path, counted, garbage):
    hash_cache.cache_path().write_text(garbage, encoding="utf-8")
    path = tmp_path / "w.bin"
    path.write_bytes(b"x")
    assert hash_cache.file_sha256(path) == hashlib.sha256(b"x").hexdigest()
    assert hash_cache.file_sha256(path) == hashlib.sha256(b"x").hexdigest()
    assert len(counted) == 1  # rewritten as a good cache


def test_a_poisoned_entry_for_another_stamp_is_not_trusted(tmp_path, counted):
    path = tmp_path / "w.bin"
    path.write_bytes(b"x")
    entries = {str(path.resolve()): {"stamp": [1, 2, 3], "sha256": "0" * 64}}
    hash_cache.cache_path().write_text(json.dumps({"version": 1, "entries": entries}), encoding="utf-8")
    assert hash_cache.file_sha256(path) == hashlib.sha256(b"x").hexdigest()


def test_unwritable_cache_only_costs_speed(tmp_path, counted, monkeypatch):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder should be", encoding="utf-8")
    monkeypatch.setattr(hash_cache, "cache_path", lambda: blocked / "sha256-cache.json")
    path = tmp_path / "w.bin"
    path.write_bytes(b"x")
    assert hash_cache.file_sha256(path) == hash_cache.file_sha256(path)
    assert len(counted) == 2


def test_file_changing_while_hashed_is_not_cached(tmp_path, monkeypatch):
    path = tmp_path / "w.bin"
    path.write_bytes(b"first")
    real = hash_cache.hash_file

    def hash_while_someone_writes(p):
        digest = real(p)
        path.write_bytes(b"second, longer")
        return digest

    monkeypatch.setattr(hash_cache, "hash_file", hash_while_someone_writes)
    hash_cache.file_sha256(path)
    monkeypatch.setattr(hash_cache, "hash_file", real)
    assert hash_cache.file_sha256(path) == hashlib.sha256(b"second, longer").hexdigest()


def test_cache_stays_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(hash_cache, "MAX_ENTRIES", 3)
    for i in range(6):
        path = tmp_path / f"w{i}.bin"
        path.write_bytes(bytes([i]))
        hash_cache.file_sha256(path)
    entries = json.loads(hash_cache.cache_path().read_text(encoding="utf-8"))["entries"]
    assert len(entries) == 3 and str((tmp_path / "w5.bin").resolve()) in entries


def test_missing_file_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        hash_cache.file_sha256(tmp_path / "gone.bin")
