"""safewrite: all-or-nothing replacement, staging, links, owner, lock, signals."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bundle_tools import safewrite
from bundle_tools.errors import InputError, Interrupted
from bundle_tools.fbc.load import load_catalog
from bundle_tools.safewrite import (
    STAGING_DIR,
    Original,
    Write,
    locked,
    write_file,
    write_files,
)


def _tree(root: Path) -> dict[str, bytes | None]:
    """Every path below ``root`` (relative), with the bytes of files."""
    return {
        str(p.relative_to(root)): (p.read_bytes() if p.is_file() and not p.is_symlink() else None)
        for p in sorted(root.rglob("*"))
    }


def test_replace_keeps_mode_skips_identical_content_and_leaves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(b"old\n")
    path.chmod(0o640)
    assert write_file(path, b"new\n") is True
    assert path.read_bytes() == b"new\n"
    assert path.stat().st_mode & 0o777 == 0o640
    before = path.stat().st_mtime_ns
    assert write_file(path, b"new\n") is False
    assert path.stat().st_mtime_ns == before
    assert sorted(os.listdir(tmp_path)) == ["f.yaml"]


def test_new_file_in_new_directories_gets_umask_mode(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "f.yaml"
    mask = os.umask(0o027)
    try:
        assert write_file(path, b"x\n") is True
    finally:
        os.umask(mask)
    assert path.read_bytes() == b"x\n"
    assert path.stat().st_mode & 0o777 == 0o640
    assert _tree(tmp_path) == {"a": None, "a/b": None, "a/b/f.yaml": b"x\n"}


def test_link_inside_root_is_followed_and_kept(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    target = tmp_path / "shared" / "real.yaml"
    target.write_bytes(b"old\n")
    link = tmp_path / "link.yaml"
    link.symlink_to("shared/real.yaml")
    assert write_file(link, b"new\n", root=tmp_path) is True
    assert link.is_symlink()
    assert target.read_bytes() == b"new\n"


def test_link_outside_root_is_refused_naming_link_and_target(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_bytes(b"old\n")
    root = tmp_path / "bundle"
    root.mkdir()
    link = root / "csv.yaml"
    link.symlink_to(outside)
    with pytest.raises(InputError) as info:
        write_file(link, b"new\n", root=root)
    assert str(info.value) == (
        f"{link}: error: symbolic link to '{outside}', outside '{root}': refusing to write "
        "outside it"
    )
    assert outside.read_bytes() == b"old\n"


def test_dangling_link_is_never_followed(tmp_path: Path) -> None:
    link = tmp_path / "x.Dockerfile"
    link.symlink_to(tmp_path / "nowhere")
    with pytest.raises(InputError) as info:
        write_file(link, b"new\n")
    assert info.value.message == (
        f"dangling symbolic link to '{tmp_path / 'nowhere'}': refusing to write through it"
    )
    assert not (tmp_path / "nowhere").exists()


def test_symlink_loop_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    with pytest.raises(InputError) as info:
        write_file(tmp_path / "a", b"x")
    assert "Too many levels of symbolic links" in info.value.message


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_owner_and_group_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(b"old\n")
    os.chown(path, 4321, 8765)
    path.chmod(0o2664)
    write_file(path, b"new\n")
    st = path.stat()
    assert (st.st_uid, st.st_gid, st.st_mode & 0o7777) == (4321, 8765, 0o2664)


def test_hard_links_keep_the_old_content(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(b"old\n")
    other = tmp_path / "other.yaml"
    os.link(path, other)
    write_file(path, b"new\n")
    assert (path.read_bytes(), other.read_bytes()) == (b"new\n", b"old\n")


def _two_files(tmp_path: Path) -> tuple[Path, Path, list[Write]]:
    (tmp_path / "manifests").mkdir()
    (tmp_path / "metadata").mkdir()
    csv = tmp_path / "manifests" / "csv.yaml"
    annotations = tmp_path / "metadata" / "annotations.yaml"
    csv.write_bytes(b"csv old\n")
    annotations.write_bytes(b"ann old\n")
    writes = [
        Write(csv, b"csv new\n", Original.of(csv, b"csv old\n"), tmp_path),
        Write(annotations, b"ann new\n", Original.of(annotations, b"ann old\n"), tmp_path),
    ]
    return csv, annotations, writes


def fail_replace_of(monkeypatch: pytest.MonkeyPatch, target: Path, code: int) -> None:
    """Make ``os.replace`` onto ``target`` fail with ``code`` (others still work)."""
    real_replace = os.replace

    def replace(src: str | Path, dst: str | Path) -> None:
        if Path(dst) == target:
            raise OSError(code, os.strerror(code))
        real_replace(src, dst)

    monkeypatch.setattr(safewrite.os, "replace", replace)


def test_failed_second_replace_rolls_back_the_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    csv, annotations, writes = _two_files(tmp_path)
    inode = csv.stat().st_ino
    fail_replace_of(monkeypatch, annotations, errno.EROFS)
    with pytest.raises(InputError) as info:
        write_files(writes)
    assert str(info.value) == f"{annotations}: error: cannot write file: Read-only file system"
    assert csv.read_bytes() == b"csv old\n"
    assert csv.stat().st_ino == inode
    assert _tree(tmp_path) == {
        "manifests": None,
        "manifests/csv.yaml": b"csv old\n",
        "metadata": None,
        "metadata/annotations.yaml": b"ann old\n",
    }


def test_full_disk_while_staging_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(safewrite.os, "write", full)
    with pytest.raises(InputError) as info:
        write_file(tmp_path / "catalog" / "pkg" / "catalog.yaml", b"x")
    assert info.value.message == "cannot write file: No space left on device"
    assert _tree(tmp_path) == {}


@pytest.mark.parametrize("change", ["edited", "replaced", "deleted", "symlink", "fifo", "created"])
def test_file_changed_underneath_is_refused(tmp_path: Path, change: str) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(b"old\n")
    original: Original | None = Original.of(path, b"old\n")
    if change in ("deleted", "symlink", "fifo"):
        path.unlink()
    if change == "created":
        original = None
    elif change == "edited":
        path.write_bytes(b"newer\n")
    elif change == "replaced":
        (tmp_path / "copy").write_bytes(b"old\n")
        os.replace(tmp_path / "copy", path)
    elif change == "symlink":
        (tmp_path / "elsewhere.yaml").write_bytes(b"old\n")
        path.symlink_to(tmp_path / "elsewhere.yaml")
    elif change == "fifo":
        os.mkfifo(path)
    before = _tree(tmp_path)
    with pytest.raises(InputError) as info:
        write_files([Write(path, b"new\n", original, tmp_path)])
    assert "nothing was written" in info.value.message
    assert _tree(tmp_path) == before


def test_signal_before_the_commit_rolls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    csv, annotations, writes = _two_files(tmp_path)
    real_stage = safewrite._stage

    def stage(*args):  # type: ignore[no-untyped-def]
        os.kill(os.getpid(), signal.SIGTERM)
        return real_stage(*args)

    monkeypatch.setattr(safewrite, "_stage", stage)
    with pytest.raises(Interrupted) as info:
        write_files(writes)
    assert str(info.value) == "interrupted by SIGTERM: nothing was written"
    assert (csv.read_bytes(), annotations.read_bytes()) == (b"csv old\n", b"ann old\n")
    assert sorted(_tree(tmp_path)) == [
        "manifests",
        "manifests/csv.yaml",
        "metadata",
        "metadata/annotations.yaml",
    ]
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_leftover_staging_is_ignored_by_the_catalog_walk_and_removed_by_the_next_write(
    tmp_path: Path,
) -> None:
    catalog = tmp_path / "catalog"
    (catalog / "pkg").mkdir(parents=True)
    blob = b'{"schema": "olm.package", "name": "pkg", "defaultChannel": "a"}\n'
    (catalog / "pkg" / "catalog.json").write_bytes(blob)
    staging = catalog / "pkg" / STAGING_DIR
    staging.mkdir()
    (staging / ".indexignore").write_bytes(b"*\n")
    (staging / "catalog.json.x1y2").write_bytes(blob)
    assert [b.data["name"] for b in load_catalog(catalog)] == ["pkg"]
    target = catalog / "pkg" / "catalog.json"
    write_files([Write(target, blob, Original.of(target, blob), catalog)])
    assert not staging.exists()


def test_lock_is_exclusive_and_times_out(tmp_path: Path) -> None:
    with (
        locked(tmp_path),
        pytest.raises(InputError) as info,
        locked(tmp_path / "missing" / "dir", 0.1),
    ):
        pass
    assert str(info.value) == (
        f"{tmp_path}: error: locked by another bundle-tools run for 0.1 s; try again"
    )
    with locked(tmp_path, 0.1):
        pass


_KILL_AT_SECOND_RENAME = """
import os, sys
from pathlib import Path
from bundle_tools import safewrite
from bundle_tools.safewrite import Original, Write, write_files

root = Path(sys.argv[1])
csv, annotations = root / "manifests" / "csv.yaml", root / "metadata" / "annotations.yaml"
real_replace = os.replace

def replace(src, dst):
    if Path(dst) == annotations.resolve():
        os._exit(137)  # as SIGKILL would stop it: no cleanup, no rollback
    real_replace(src, dst)

safewrite.os.replace = replace
write_files(
    [
        Write(csv, b"csv new\\n", Original.of(csv, b"csv old\\n"), root),
        Write(annotations, b"ann new\\n", Original.of(annotations, b"ann old\\n"), root),
    ],
    journal=root,
)
"""


def test_a_commit_killed_between_renames_is_completed_by_the_next_lock(tmp_path: Path) -> None:
    csv, annotations, _ = _two_files(tmp_path)
    run = subprocess.run([sys.executable, "-c", _KILL_AT_SECOND_RENAME, str(tmp_path)], check=False)
    assert run.returncode == 137
    assert (csv.read_bytes(), annotations.read_bytes()) == (b"csv new\n", b"ann old\n")
    with locked(tmp_path) as directory:
        assert directory == tmp_path
    assert (csv.read_bytes(), annotations.read_bytes()) == (b"csv new\n", b"ann new\n")
    assert not (tmp_path / STAGING_DIR / "journal").exists()


def test_a_rolled_back_commit_leaves_no_journal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    csv, annotations, writes = _two_files(tmp_path)
    fail_replace_of(monkeypatch, annotations, errno.ENOSPC)
    with pytest.raises(InputError):
        write_files(writes, journal=tmp_path)
    monkeypatch.undo()
    with locked(tmp_path):
        pass
    assert (csv.read_bytes(), annotations.read_bytes()) == (b"csv old\n", b"ann old\n")
    assert not (tmp_path / STAGING_DIR).exists()


def test_several_new_files_below_one_new_directory_appear_together(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    writes = [
        Write(catalog / "a" / "catalog.yaml", b"a\n", None, catalog),
        Write(catalog / "b" / "catalog.yaml", b"b\n", None, catalog),
    ]
    assert write_files(writes, journal=tmp_path) == [True, True]
    assert _tree(tmp_path) == {
        "catalog": None,
        "catalog/a": None,
        "catalog/a/catalog.yaml": b"a\n",
        "catalog/b": None,
        "catalog/b/catalog.yaml": b"b\n",
    }
