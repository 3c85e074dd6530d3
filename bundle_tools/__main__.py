"""Allow ``python -m bundle_tools``."""

from bundle_tools.cli import main

main()
