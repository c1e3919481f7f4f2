from django.conf import settings


def council(request):
    """The council's name and colour, which every page and paper carries."""
    return {
        "COUNCIL_NAME": settings.COUNCIL_NAME,
        "PARTNERSHIP_NAME": settings.PARTNERSHIP_NAME,
        "COUNCIL_COLOUR": settings.COUNCIL_COLOUR,
    }
