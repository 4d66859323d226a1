"""The standards app's API router, built from one router per area. It carries no tags of its own: ninja adds a
parent router's tags to its children's, and each area keeps the tag it has always published."""

from ninja import Router

from . import coverage, standards

router = Router()
router.add_router("", standards.router)
router.add_router("", coverage.router)
