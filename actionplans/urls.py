"""The ``actionplans`` namespace: each feature's patterns, from its own urls.py."""

from actionplans import urls_dashboard
from actionplans.actions import urls as action_urls
from actionplans.importing import urls as import_urls
from actionplans.plans import urls as plan_urls

app_name = "actionplans"

urlpatterns = [
    *action_urls.urlpatterns,
    *urls_dashboard.urlpatterns,
    *plan_urls.urlpatterns,
    *import_urls.urlpatterns,
]
