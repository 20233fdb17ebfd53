"""`python -m jarvis.cli …`, the same as the `jarvis` command."""

import sys

from jarvis.cli import main

sys.exit(main())
