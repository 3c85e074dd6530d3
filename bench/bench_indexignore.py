"""Benchmark of the catalog walk with ``.indexignore`` files: a generated tree of empty
files walked (``iter_catalog_files``) with no ``.indexignore``, with 1,000 lines of
mixed patterns at its root, and with the backtracking bomb ``a*a*a*a*a*a*a*a*a*a*a*a*z``.

Run: ``python bench/bench_indexignore.py [--dirs N] [--files-per-dir N]`` (default
2,000 x 100 = 200,000 files, created once under the system temp directory). Prints each
time in seconds and exits 1 when an ignore case takes more than :data:`MAX_RATIO` times
the walk without one (on the reference 2-core machine, under load: 5.4 s without,
9.1 s with 1,000 lines, 6.2 s with the bomb; the former line-by-line matching took 241 s
and over 60 s).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bundle_tools.fbc.load import iter_catalog_files

MAX_RATIO = 3.0
BOMB = "a*a*a*a*a*a*a*a*a*a*a*a*z"


def _lines(count: int) -> str:
    """``count`` patterns of the shapes catalogs use: per-package globs, suffixes,
    re-includes, ``**`` and classes."""
    shapes = (
        "pkg{i}/*.md",
        "*.txt{i}",
        "!pkg{i}/f1.md",
        "pkg{i}/**/zz{i}",
        "[a-c]x{i}?.json",
    )
    return "\n".join(shapes[i % len(shapes)].format(i=i) for i in range(count)) + "\n"


def _tree(dirs: int, per_dir: int) -> Path:
    root = Path(tempfile.gettempdir()) / f"bundle-tools-bench-indexignore-{dirs}x{per_dir}"
    done = root.with_name(root.name + ".complete")
    if not done.exists():
        for d in range(dirs):
            directory = root / f"pkg{d}"
            directory.mkdir(parents=True, exist_ok=True)
            for f in range(per_dir):
                (directory / f"f{f}.{'md' if f % 3 == 0 else 'yaml'}").touch()
        done.touch()
    return root


def _walk(root: Path, ignore: str | None) -> tuple[float, int]:
    path = root / ".indexignore"
    if ignore is None:
        path.unlink(missing_ok=True)
    else:
        path.write_text(ignore)
    start = time.perf_counter()
    count = sum(1 for _ in iter_catalog_files(root))
    return time.perf_counter() - start, count


def main() -> int:
    """Walk the tree three ways; 0 when every ignore case is within :data:`MAX_RATIO`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dirs", type=int, default=2000)
    parser.add_argument("--files-per-dir", type=int, default=100)
    args = parser.parse_args()
    root = _tree(args.dirs, args.files_per_dir)
    base, total = _walk(root, None)
    print(f"no .indexignore: {base:.2f} s, {total} files")
    ok = True
    for name, text in (("1,000 lines", _lines(1000)), ("bomb line", BOMB + "\n")):
        seconds, count = _walk(root, text)
        ratio = seconds / base
        print(f"{name}: {seconds:.2f} s ({ratio:.1f}x), {count} files kept")
        ok = ok and ratio <= MAX_RATIO
    (root / ".indexignore").unlink(missing_ok=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
