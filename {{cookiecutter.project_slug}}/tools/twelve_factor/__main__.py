"""``python -m tools.twelve_factor``: see :mod:`.cli`."""

import sys

from .cli import main

sys.exit(main())
