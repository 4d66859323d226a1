"""URLs (being written)."""

app_name = "portal"

urlpatterns: list = []
