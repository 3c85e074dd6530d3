"""The collector pause: state restored, freezing only in a process that allowed it."""

from __future__ import annotations

import gc
import subprocess
import sys

from bundle_tools.gcpause import paused


def test_paused_restores_the_collector_and_does_not_freeze_by_default() -> None:
    before = gc.get_freeze_count()
    assert gc.isenabled()
    with paused(freeze=True):
        assert not gc.isenabled()
        tree = [{"key": [index]} for index in range(1000)]
    assert gc.isenabled()
    assert gc.get_freeze_count() == before
    assert len(tree) == 1000


def test_paused_leaves_a_disabled_collector_disabled() -> None:
    gc.disable()
    try:
        with paused(freeze=True):
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_cli_entry_point_allows_freezing_loaded_trees() -> None:
    script = (
        "import gc\n"
        "from bundle_tools.gcpause import allow_freeze, paused\n"
        "allow_freeze()\n"
        "with paused(freeze=True):\n"
        "    tree = [[index] for index in range(1000)]\n"
        "print(gc.get_freeze_count() >= 1000, gc.isenabled())\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "True"]


def test_console_script_calls_allow_freeze() -> None:
    script = (
        "import sys\n"
        "import bundle_tools.gcpause as g\n"
        "from bundle_tools.cli import main\n"
        "sys.argv = ['bundle-tools', '--version']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(g._freeze_allowed)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[-1] == "True"
