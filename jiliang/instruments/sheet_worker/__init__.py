"""Reading an uploaded .xlsx without letting it take the server down.

An .xlsx is a zip of XML parts, and a few kilobytes can describe gigabytes: a sheet with only A1 and XFD1048576
filled makes a dense reader allocate 16 384 × 1 048 576 cells (about 512 GiB, and the process aborts); a
deflate or shared-strings bomb inflates a few hundred KB into hundreds of MB of cells. So a file is read in
three steps, each refusing what the next one could not afford:

1. :func:`inspect` (in the server process, cheap: it reads the zip's directory and a few small parts): the
   number of zip members, every member's declared size, their total, the compression ratio, the first sheet's
   declared ``<dimension>``.
2. In a child process (``python -m jiliang.instruments.sheet_worker``, started by :func:`run`) with memory
   (RLIMIT_AS), CPU (RLIMIT_CPU) and wall-clock limits: every member is inflated once, by us, counting what it
   really holds (a zip whose headers lie about sizes is refused here); the first sheet's rows and the shared
   strings are counted on the way; then python-calamine reads the sheet, and the sheet's real extent is checked
   before its cells become Python objects.
3. The rows go back to the server process through a pipe, in ``marshal`` form (see :func:`codec.encode`).

A file that escapes the checks of steps 1 and 2 costs the child its limits, never the server: the server sees a
child that died and refuses the file with the limit it hit. This package imports no Django (the child starts in
tens of milliseconds and reads no settings); the limits come from ``excel.read_limits()``.

By step: ``limits`` (what a file may cost, how a read fails), ``archive`` (step 1), ``scan`` (step 2's inflating
and counting), ``child`` (step 2's process: the checks, calamine, the answer), ``codec`` (the rows in marshal form,
both ways), ``server`` (step 3). The server process needs only what this ``__init__`` exports.
"""

from __future__ import annotations

from .archive import check_dimension, declared_dimension, inspect, open_archive, package_parts, sheet_head
from .limits import Corrupt, Limits, ReaderFailed, Refused
from .server import Result, run

__all__ = [
    "Corrupt",
    "Limits",
    "ReaderFailed",
    "Refused",
    "Result",
    "check_dimension",
    "declared_dimension",
    "inspect",
    "open_archive",
    "package_parts",
    "run",
    "sheet_head",
]
