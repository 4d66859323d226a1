"""``python -m jiliang.instruments.sheet_worker LIMITS_JSON PATH``: the child's entry (see ``child.main``)."""

import sys

from .child import main

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
