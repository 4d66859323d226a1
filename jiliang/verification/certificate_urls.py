"""URLs (being written)."""

app_name = "certificates"

urlpatterns: list = []
