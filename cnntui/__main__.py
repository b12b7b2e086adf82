"""`python -m cnntui` runs the same entry point as the `cnntui` script."""

from __future__ import annotations

import sys

from cnntui.cli import main

if __name__ == "__main__":
    sys.exit(main())
