"""The partnership's own pages that list nothing of the plans: accessibility and privacy.
The home page and the agency and post pages are actionplans.partnership.views."""

from django.shortcuts import render


def accessibility(request):
    return render(request, "partners/accessibility.html")


def privacy(request):
    return render(request, "partners/privacy.html")
