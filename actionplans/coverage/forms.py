"""The form of linking findings to actions."""

from __future__ import annotations

from django import forms


class FindingActionsForm(forms.Form):
    """The actions of one plan that answer a finding, as ticked boxes."""

    actions = forms.TypedMultipleChoiceField(coerce=int, required=False)

    def __init__(self, *args, action_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actions"].choices = [(pk, pk) for pk in action_ids]
