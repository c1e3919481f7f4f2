"""Form fields and mixins every app's forms share: the day-first date field, several files
in one field, and the choice among many made by typing (search-pick). They know nothing of
the domain: a search-pick is given its matcher (partners.selectors.posts_matching,
people_matching...)."""

from __future__ import annotations

from django import forms

# The most matches a search-pick offers; a matcher returns at most this many.
MAX_MATCHES = 20

DATE_HINT = "For example, 27/03/2026"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (the documented Django pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class BritishDateField(forms.DateField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("help_text", DATE_HINT)
        kwargs.setdefault("error_messages", {"invalid": f"Enter a real date, day first. {DATE_HINT}."})
        super().__init__(*args, **kwargs)


class SearchPickMixin:
    """A choice among many made by typing: ``<name>_query`` holds the words typed and
    ``<name>`` the radio buttons of their matches. One match is taken as it is; several
    ask the person to choose; none says so."""

    def _set_up_pick(self, name: str, matcher, current=None, label_for=str) -> None:
        query_name = f"{name}_query"
        if self.is_bound:
            text = self.data.get(self.add_prefix(query_name), "")
        else:
            text = self.initial.get(query_name, "")
        matches = matcher(text) if text else []
        if current is not None and not self.is_bound and current not in matches:
            matches = [current, *matches][:MAX_MATCHES]
        field = self.fields[name]
        field.queryset = field.queryset.model.objects.select_related("agency").filter(pk__in=[m.pk for m in matches])
        field.label_from_instance = label_for
        if not hasattr(self, "matches"):
            self.matches = {}
        self.matches[name] = matches
        if self.is_bound:
            chosen = self.data.get(self.add_prefix(name), "")
            if chosen and chosen not in {str(m.pk) for m in matches}:
                # The words changed since the choice was made: the new words decide.
                self.data = self.data.copy()
                self.data.pop(self.add_prefix(name), None)

    def _clean_pick(self, name: str, what: str, whats: str):
        query_name = f"{name}_query"
        text = (self.cleaned_data.get(query_name) or "").strip()
        chosen = self.cleaned_data.get(name)
        matches = self.matches[name]
        if not text:
            return None
        if chosen is not None:
            return chosen
        if len(matches) == 1:
            return matches[0]
        if not matches:
            self.add_error(query_name, f"No {what} matches “{text}”. Check the spelling or type fewer words.")
        else:
            more = " (the first 20 are shown; type more words to narrow them)" if len(matches) >= MAX_MATCHES else ""
            self.add_error(name, f"{len(matches)} {whats} match “{text}”{more}: choose one.")
        return None
