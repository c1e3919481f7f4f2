from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

import inspections.urls
from actionplans.coverage.urls import urlpatterns as coverage_urlpatterns
from actionplans.partnership.views import home
from config.health import healthz
from config.theme import theme_css
from partners.views import accessibility, privacy

admin.site.site_header = "Action plans administration"
admin.site.site_title = "Action plans admin"
# Staff sign in through allauth too, so the admin gets MFA and login throttling.
admin.site.login = secure_admin_login(admin.site.login)

# A database that cannot be reached is a 503 "temporarily unavailable" page, not a 500.
handler500 = "foundation.errors.server_error"

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accessibility/", accessibility, name="accessibility"),
    path("privacy/", privacy, name="privacy"),
    path("theme.css", theme_css, name="theme_css"),
    path("accounts/", include("allauth.urls")),
    path("", include("actionplans.urls")),
    # One "inspections" namespace: the inspections' own pages and, from above the actions,
    # the coverage matrix and linking findings to actions.
    path(
        "inspections/",
        include((inspections.urls.urlpatterns + coverage_urlpatterns, inspections.urls.app_name)),
    ),
    path("partnership/", include("actionplans.partnership.urls")),
    path("reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
]
