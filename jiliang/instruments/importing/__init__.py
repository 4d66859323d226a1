"""Bulk import of the instrument registry from an .xlsx file (the format is described in ``excel.py``).

"Nothing is lost" (docs/architecture.md): every row is validated and every bad one is reported with its Excel row
number, its column (the Chinese header) and a reason in Chinese. By default the import is all-or-nothing: one bad
row and nothing is saved. With ``partial=True`` the good rows are saved and the bad ones reported.

How it stays fast (the goal is 20 000 rows/s for 10^5 rows):

- python-calamine reads the cells (Rust), in a child process with memory, CPU and time limits after the file's
  sizes, dimension and rows are checked; the sheet's XML is scanned for formulas with a byte search on the way
  (``excel.read_sheet``, ``sheet_worker``). The rows come back through a pipe in ``marshal`` form.
- Catalog rows and the owner's existing serial numbers are loaded once; each row is checked in memory.
- Good rows are written with one parametrized INSERT per batch (``executemany``), not ``bulk_create``, whose
  per-field preparation in Python costs more than everything else together (see ``writer.RowWriter``). The derived
  fields come from ``services.derive``, the same function the single-create service uses, and the one audit
  event of the import is written in the same transaction.

Rows are validated and written batch by batch in one pass; in all-or-nothing mode writing stops at the first bad
row and the transaction is rolled back at the end, so a bad file never costs more than a good one.

The modules: ``run`` (:func:`instruments_import`, one import from the file to its audit event), ``report`` (what an
import says), ``cells`` (reading a cell and the header), ``rows`` (checking a row), ``writer`` (writing the good
rows and their declared verifications), ``uploads`` (the file on disk, and the retention of kept uploads), ``jobs``
(the page's import in the background). The names callers use are imported here, so that
``from jiliang.instruments.importing import instruments_import`` names the entry point, not the file it sits in.
"""

from .jobs import (
    import_job_create,
    import_job_get,
    import_job_progress,
    import_job_run,
    import_job_start,
    progress_cache_key,
)
from .report import ImportReport, RowError
from .run import instruments_import
from .uploads import uploads_cleanup

__all__ = [
    "ImportReport",
    "RowError",
    "import_job_create",
    "import_job_get",
    "import_job_progress",
    "import_job_run",
    "import_job_start",
    "instruments_import",
    "progress_cache_key",
    "uploads_cleanup",
]
