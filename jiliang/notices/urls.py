"""URLs (being written)."""

app_name = "notices"

urlpatterns: list = []
