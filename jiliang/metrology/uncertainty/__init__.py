"""Measurement uncertainty: the GUM law of propagation (JJF 1059.1-2012 = JCGM 100, "GUM") through GTC, and the
Monte Carlo propagation of distributions (JJF 1059.2-2012 = JCGM 101) through NumPy.

A budget names its input quantities, says what is known about each (a distribution, or repeated readings), and
gives the measurement model once, as a Python function of those names. The same function runs on GTC uncertain
numbers (first-order propagation with degrees of freedom) and on NumPy arrays (Monte Carlo), so the model must be
written with operators and this module's ``sin``, ``cos``, ``sqrt``, ``exp`` and ``log`` (never ``math.*``) and must
not branch on the values of its arguments.

JCGM 101 §9.2.2: Y = X₁ + X₂ + X₃ + X₄ with Xᵢ ~ N(0, 1).

>>> budget = Budget(lambda x1, x2, x3, x4: x1 + x2 + x3 + x4, {f"x{i}": Normal(0.0, 1.0) for i in range(1, 5)})
>>> gum = evaluate_gum(budget)
>>> round(gum.u, 3), round(gum.U, 2)
(2.0, 3.92)
>>> mcm = evaluate_mcm(budget, trials=10**4, seed=1)
>>> round(mcm.u, 1)
2.0
>>> validate(gum, mcm, n_dig=1).validated
True

Error messages are Chinese message ids (this package imports no Django): every ``UncertaintyError`` carries its
``msgid`` and ``params`` so the web layer shows ``gettext(error.msgid) % error.params``; the ids are marked with
``gettext_noop`` so ``makemessages`` collects them.

The package: ``distributions`` (the input quantities, the shared checks, the coverage factor), ``budget`` (the model
and its inputs), ``gum`` (the law of propagation, the rounding for a certificate), ``mcm`` (Monte Carlo and the
validation of the GUM by it). Import the names below from ``jiliang.metrology.uncertainty``; the tunables of Monte
Carlo (``CHUNK``, ``MAX_TRIALS``) are read where they live, in ``mcm``, and are patched there.
"""

from __future__ import annotations

from .budget import Budget, cos, exp, log, sin, sqrt
from .distributions import (
    Arcsine,
    Input,
    Normal,
    Rectangular,
    StudentT,
    Trapezoidal,
    Triangular,
    TypeA,
    UncertaintyError,
    coverage_factor,
)
from .gum import GumResult, ReportedResult, evaluate_gum
from .mcm import McmResult, Validation, adaptive_run_size, evaluate_mcm, numerical_tolerance, validate

__all__ = [
    "Arcsine",
    "Budget",
    "GumResult",
    "Input",
    "McmResult",
    "Normal",
    "Rectangular",
    "ReportedResult",
    "StudentT",
    "Trapezoidal",
    "Triangular",
    "TypeA",
    "UncertaintyError",
    "Validation",
    "adaptive_run_size",
    "cos",
    "coverage_factor",
    "evaluate_gum",
    "evaluate_mcm",
    "exp",
    "log",
    "numerical_tolerance",
    "sin",
    "sqrt",
    "validate",
]
