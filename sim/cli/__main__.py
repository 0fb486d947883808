"""``python -m sim.cli`` is ``omnisim``."""

import sys

from . import main

sys.exit(main())
