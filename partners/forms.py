"""Forms for the partnership's own records: who holds which post."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from foundation.forms import BritishDateField, SearchPickMixin
from partners.models import User
from partners.selectors import people_matching


def _person_label(person: User) -> str:
    agency = f", {person.agency.short_name}" if person.agency_id else ""
    return f"{person.full_name} ({person.email}{agency})"


class PostHolderForm(SearchPickMixin, forms.Form):
    """Who holds a post from when."""

    new_person_query = forms.CharField(
        label="New holder", max_length=250,
        help_text="Type their name or email address.",
        error_messages={"required": "Enter the name or email address of the new holder."},
    )
    new_person = forms.ModelChoiceField(
        label="Choose the new holder", queryset=User.objects.none(), required=False, widget=forms.RadioSelect,
        empty_label=None,
    )
    on = BritishDateField(label="Date they take over", help_text="The current holder's time in the post ends the day before. For example, 27/03/2026")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self._set_up_pick("new_person", people_matching, label_for=_person_label)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("new_person_query"):
            cleaned["new_person"] = self._clean_pick("new_person", "person", "people")
        return cleaned
