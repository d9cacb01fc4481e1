"""Entry point: `python epic_events/project.py` or `cd epic_events && python project.py`."""

import sys
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script: put the repository root, not this folder, first on the path, so
    # that `epic_events.config` is never shadowed by a top-level `config` module.
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from epic_events.installed import require_packages

require_packages("epic_events/project.py")

from epic_events.cli import main  # noqa: E402 - after the check of the packages

if __name__ == "__main__":
    sys.exit(main())
