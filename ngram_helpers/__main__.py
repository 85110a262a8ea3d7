"""``python -m ngram_helpers train|sample``: the commands of ``ngram_helpers.cli``."""

import sys

from ngram_helpers.cli import main

sys.exit(main())
