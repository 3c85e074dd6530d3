"""Unpacking pulled layers (``bundle_tools.images.pull``): an entry replaces what an
earlier entry or layer left at its path, whatever its type, and a layer that cannot be
written is a named error, never a traceback."""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

import pytest

from bundle_tools.errors import BundleToolsError
from bundle_tools.images.pull import _apply_layer, _Budget


def layer(*members: tuple[str, bytes | None]) -> bytes:
    """An uncompressed tar of ``(name, content)``: ``None`` content is a directory."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for name, content in members:
            info = tarfile.TarInfo(name)
            if content is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
    return out.getvalue()


def files(root: Path) -> dict[str, bytes | None]:
    return {
        p.relative_to(root).as_posix(): None if p.is_dir() else p.read_bytes()
        for p in sorted(root.rglob("*"))
    }


@pytest.mark.parametrize(
    ("layers", "expected"),
    [
        # a file, then a file below it: the file becomes a directory
        ([layer(("m", b"x"), ("m/a.yaml", b"y"))], {"m": None, "m/a.yaml": b"y"}),
        # a directory, then a file of the same name
        ([layer(("m/a", None), ("m/a/b", b"z"), ("m/a", b"y"))], {"m": None, "m/a": b"y"}),
        # a file, then a directory of the same name, in a later layer
        ([layer(("m", b"x")), layer(("m", None), ("m/b", b"y"))], {"m": None, "m/b": b"y"}),
        # a whiteout below a file, and an opaque directory marker below a file
        ([layer(("m", b"x"), ("m/.wh.a", b""), ("m/.wh..wh..opq", b""))], {"m": b"x"}),
        # whiteouts remove a file and a directory tree of an earlier layer
        (
            [layer(("a", b"1"), ("d/e", b"2"), ("k", b"3")), layer((".wh.a", b""), (".wh.d", b""))],
            {"k": b"3"},
        ),
    ],
)
def test_later_entries_replace_earlier_ones(
    tmp_path: Path, layers: list[bytes], expected: dict[str, bytes | None]
) -> None:
    for data in layers:
        _apply_layer(tmp_path, data, "layer sha256:1")
    assert files(tmp_path) == expected


def test_unwritable_layer_is_a_named_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(self: Path, *args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "open", full)
    with pytest.raises(BundleToolsError) as error:
        _apply_layer(tmp_path, layer(("m/a.yaml", b"y")), "layer sha256:1")
    assert str(error.value) == "layer sha256:1: cannot unpack: No space left on device"


def test_decompression_stops_at_the_byte_bound(tmp_path: Path) -> None:
    # many small files: no single entry's size passes the bound, the stream does
    data = gzip.compress(layer(*((f"m/{i}", bytes(4096)) for i in range(300))))
    with pytest.raises(BundleToolsError) as error:
        _apply_layer(tmp_path, data, "layer sha256:1", _Budget(1 << 20, 1000))
    assert str(error.value) == "layer sha256:1: unpacks to more than 1048576 bytes; refused"
    assert len(list((tmp_path / "m").iterdir())) < 256
