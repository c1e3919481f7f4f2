"""URL patterns included by actionplans/urls.py (same namespace): an action's page and what
is done on it (progress, revised dates, sign-off, reopening, evidence), My actions, and the
actions table with its CSV and Excel downloads, which take the same query string."""

from django.urls import path

from actionplans.actions import table_views, views

urlpatterns: list = [
    path("my-actions/", views.my_actions, name="my_actions"),
    path("actions/<int:pk>/", views.action_detail, name="action_detail"),
    path("actions/<int:pk>/update/", views.progress_update_create, name="progress_create"),
    path("actions/<int:pk>/revised-date/", views.revision_request, name="revision_request"),
    path("actions/<int:pk>/revised-date/<int:revision_pk>/", views.revision_decide, name="revision_decide"),
    path("actions/<int:pk>/sign-off/", views.sign_off, name="sign_off"),
    path("actions/<int:pk>/reopen/", views.action_reopen, name="action_reopen"),
    path("evidence/<int:pk>/download/", views.evidence_download, name="evidence_download"),
    path("actions/", table_views.action_list, name="action_list"),
    path("actions/export/", table_views.action_export, name="action_export"),
]
