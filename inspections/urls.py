from django.urls import path

from inspections import views

app_name = "inspections"

# The coverage matrix and finding_actions are in the same namespace, from
# actionplans/coverage/urls.py (config/urls.py joins the two lists).

urlpatterns = [
    path("", views.inspection_list, name="inspection_list"),
    path("new/", views.inspection_create, name="inspection_create"),
    path("<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("<int:pk>/edit/", views.inspection_update, name="inspection_update"),
    path("<int:pk>/report/", views.inspection_report, name="inspection_report"),
    path("<int:pk>/findings/paste/", views.findings_paste, name="findings_paste"),
    path("findings/<int:pk>/edit/", views.finding_update, name="finding_update"),
]
