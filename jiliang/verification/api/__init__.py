"""The verification app's API router, built from one router per area. It carries no tags of its own: ninja adds a
parent router's tags to its children's, and each area keeps the tag it has always published."""

from ninja import Router

from . import certificates, recall, requests

router = Router()
# Recall first: the document lists the operations in the order they were published (after the standards').
router.add_router("", recall.router)
router.add_router("", requests.router)
router.add_router("", certificates.router)
