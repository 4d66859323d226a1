"""API router (placeholder: the endpoints are being written)."""

from ninja import Router

router = Router()
