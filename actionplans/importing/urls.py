"""URL patterns included by actionplans/urls.py (same namespace): bringing a plan in from a
file, in steps. The import lives under "import/", not "plans/", so that no plan's slug can
shadow it; the token names an import under way in the person's session."""

from django.urls import path

from actionplans.importing import views

urlpatterns = [
    path("import/", views.import_start, name="import_start"),
    path("import/<slug:token>/columns/", views.import_mapping, name="import_mapping"),
    path("import/<slug:token>/check/", views.import_preview, name="import_preview"),
    path("import/<slug:token>/save/", views.import_commit, name="import_commit"),
]
