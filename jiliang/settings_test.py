"""Settings for the test suite: the project's settings in development mode (no production secret needed)."""

import os

os.environ.setdefault("JILIANG_DEV", "1")

from jiliang.settings import *  # noqa: F403
