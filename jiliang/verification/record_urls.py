"""URLs (being written)."""

app_name = "records"

urlpatterns: list = []
