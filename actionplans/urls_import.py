"""URL patterns included by actionplans/urls.py (same namespace)."""

urlpatterns: list = []
