"""``python -m sim`` is ``omnisim``."""

import sys

from .cli import main

sys.exit(main())
