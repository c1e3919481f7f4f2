"""URL patterns included by actionplans/urls.py (same namespace): the actions table and its
CSV and Excel downloads, which take the same query string."""

from django.urls import path

from actionplans import table_views

urlpatterns: list = [
    path("actions/", table_views.action_list, name="action_list"),
    path("actions/export/", table_views.action_export, name="action_export"),
]
