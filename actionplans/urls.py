from django.urls import path

from actionplans import urls_dashboard, urls_table, views
from actionplans.importing import urls as urls_import
from actionplans.plans import urls as urls_plans

app_name = "actionplans"

urlpatterns = [
    path("my-actions/", views.my_actions, name="my_actions"),
    path("actions/<int:pk>/", views.action_detail, name="action_detail"),
    path("actions/<int:pk>/update/", views.progress_update_create, name="progress_create"),
    path("actions/<int:pk>/revised-date/", views.revision_request, name="revision_request"),
    path("actions/<int:pk>/revised-date/<int:revision_pk>/", views.revision_decide, name="revision_decide"),
    path("actions/<int:pk>/sign-off/", views.sign_off, name="sign_off"),
    path("actions/<int:pk>/reopen/", views.action_reopen, name="action_reopen"),
    path("evidence/<int:pk>/download/", views.evidence_download, name="evidence_download"),
    *urls_table.urlpatterns,
    *urls_dashboard.urlpatterns,
    *urls_plans.urlpatterns,
    *urls_import.urlpatterns,
]
