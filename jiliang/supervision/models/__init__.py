"""The supervision app's models, one module per sub-area (rosters, plans, inspections, cases). Django finds them
through this package, which imports every model; the rest of the code imports from here."""

from .cases import Case, CaseDocument, CaseEvent, CasePause, Publication
from .inspections import (
    Attachment,
    Checklist,
    Finding,
    Inspection,
    InstrumentCheck,
    LegalBasis,
    Rectification,
    ResultCategory,
    TestDraw,
)
from .plans import AnnualPlan, Campaign, Draw, DrawnTarget, Task, Trade
from .rosters import UNRATED, CheckItem, Conflict, Inspector, ItemList, Stratum

__all__ = [
    "UNRATED",
    "AnnualPlan",
    "Attachment",
    "Campaign",
    "Case",
    "CaseDocument",
    "CaseEvent",
    "CasePause",
    "CheckItem",
    "Checklist",
    "Conflict",
    "Draw",
    "DrawnTarget",
    "Finding",
    "Inspection",
    "Inspector",
    "InstrumentCheck",
    "ItemList",
    "LegalBasis",
    "Publication",
    "Rectification",
    "ResultCategory",
    "Stratum",
    "Task",
    "TestDraw",
    "Trade",
]
