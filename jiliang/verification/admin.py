from . import admin_requests  # noqa: F401
