"""URLs (being written)."""

app_name = "requests"

urlpatterns: list = []
