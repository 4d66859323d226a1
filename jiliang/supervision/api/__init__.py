"""The supervision app's API router, built from one router per area."""

from ninja import Router

from . import cases, inspections, plans

router = Router()
router.add_router("", plans.router)
router.add_router("", inspections.router)
router.add_router("", cases.router)
