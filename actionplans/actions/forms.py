"""Forms for the officer's daily work. They validate and normalise; services save."""

from __future__ import annotations

from django import forms
from django.core.validators import URLValidator

from actionplans.actions.services import EvidenceLink
from actionplans.choices import RAG, ActionStatus, SignOffStage
from foundation import limits
from foundation.forms import BritishDateField, MultipleFileField


class ProgressUpdateForm(forms.Form):
    as_of = BritishDateField(label="Date of this update")
    narrative = forms.CharField(
        label="What has happened since the last update?",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Say what was done, what difference it made, and what happens next.",
        **limits.text_limit(limits.NARRATIVE_MAX, {"required": "Say what has happened since the last update."}),
    )
    proposed_rag = forms.ChoiceField(
        label="Proposed RAG rating",
        choices=[(r.value, r.label) for r in (RAG.RED, RAG.AMBER, RAG.GREEN, RAG.BLUE)],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a RAG rating."},
    )
    status = forms.ChoiceField(
        label="Status",
        choices=ActionStatus.choices,
        widget=forms.RadioSelect,
        help_text="Delivered and complete need evidence and are confirmed by a sign-off.",
        error_messages={"required": "Choose a status."},
    )
    files = MultipleFileField(
        label="Evidence files (optional)",
        required=False,
        help_text="PDF, Word, Excel, PowerPoint, images or CSV; 20 MB at most each. You can choose several.",
    )
    links = forms.CharField(
        label="Evidence links (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One web address per line, for example minutes on the board's site.",
        **limits.text_limit(limits.NOTE_MAX),
    )

    def __init__(self, *args, statuses: list[str] | None = None, **kwargs):
        """``statuses``: those the update may give the action (services.update_statuses_for),
        so that a signed-off action is not offered a status that would reopen it."""
        super().__init__(*args, **kwargs)
        if statuses is not None:
            field = self.fields["status"]
            field.choices = [(value, label) for value, label in ActionStatus.choices if value in statuses]
            if len(statuses) < len(ActionStatus.values):
                field.help_text = (
                    "This action has been signed off, so an update cannot move it back. "
                    "If it needs more work, ask a manager of the plan to reopen it."
                )

    def clean_links(self) -> list[EvidenceLink]:
        validate = URLValidator(schemes=["https", "http"])
        links = []
        for n, line in enumerate(self.cleaned_data["links"].splitlines(), start=1):
            url = line.strip()
            if not url:
                continue
            try:
                validate(url)
            except forms.ValidationError:
                raise forms.ValidationError(
                    f"Line {n} is not a web address. Enter addresses starting https://, one per line."
                ) from None
            links.append(EvidenceLink(url=url))
        return links


class RevisionRequestForm(forms.Form):
    new_date = BritishDateField(label="New due date")
    reason = forms.CharField(
        label="Why is a new date needed?",
        widget=forms.Textarea(attrs={"rows": 4}),
        **limits.text_limit(limits.NOTE_MAX, {"required": "Say why the action needs a new date."}),
    )


class RevisionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("approve", "Approve the new date"), ("decline", "Decline: keep the current date")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to approve or decline."},
    )
    note = forms.CharField(
        label="Note to the lead (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        **limits.text_limit(limits.NOTE_MAX),
    )


class SignOffForm(forms.Form):
    stage = forms.ChoiceField(
        label="What are you signing off?",
        choices=SignOffStage.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what you are signing off."},
    )
    note = forms.CharField(
        label="Evidence of impact and any comment",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        **limits.text_limit(limits.ACTION_TEXT_MAX),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="Why is this action being reopened?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The lead and anyone reading the action's history will see this.",
        **limits.text_limit(limits.NOTE_MAX, {"required": "Say why the action is being reopened."}),
    )
