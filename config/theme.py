"""/theme.css: the council's colour as a CSS custom property, so that a deploy setting
re-brands the product without rebuilding assets or allowing inline styles."""

import re

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@require_GET
@cache_control(max_age=3600, public=True)
def theme_css(request):
    colour = settings.COUNCIL_COLOUR if _HEX_COLOUR.match(settings.COUNCIL_COLOUR) else "#1d70b8"
    return HttpResponse(f":root {{ --app-council-colour: {colour}; }}\n", content_type="text/css")
