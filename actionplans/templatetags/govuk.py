"""Template helpers for GOV.UK Design System markup and the RAG tag."""

from django import template
from django.utils.html import format_html

from actionplans.choices import RAG
from foundation import limits

register = template.Library()

_WIDGET_CLASSES = {
    "textarea": "govuk-textarea",
    "select": "govuk-select",
    "selectmultiple": "govuk-select",
    "clearablefile": "govuk-file-upload",
    "file": "govuk-file-upload",
}


@register.filter
def character_limit(field) -> int | None:
    """The most characters a text box takes (its form field's max_length), for the GOV.UK
    character count; None for any other field."""
    if field.widget_type != "textarea":
        return None
    return getattr(field.field, "max_length", None)


@register.filter
def limit_hint(limit: int) -> str:
    return limits.limit_hint(limit)


@register.simple_tag
def govuk_widget(field):
    """Render a field's widget with the GOV.UK class, error state and described-by hints."""
    css = _WIDGET_CLASSES.get(field.widget_type, "govuk-input")
    if field.errors:
        css += f" {css}--error"
    described = []
    counted = character_limit(field)
    if field.help_text or counted:
        described.append(f"{field.auto_id}-hint")
    if field.errors:
        described.append(f"{field.auto_id}-error")
    # GOV.UK advises against placeholders: the label and hint say what to enter.
    attrs = {"class": css, "placeholder": False}
    if field.widget_type == "email":
        attrs["spellcheck"] = "false"
    if counted:
        # GOV.UK's character count says how many are left; no maxlength attribute, which
        # would cut off pasted text without saying so. The form refuses what is too long.
        attrs["class"] += " govuk-js-character-count"
        attrs["maxlength"] = False
        described.append(f"{field.auto_id}-info")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


@register.simple_tag
def rag_tag(value, label=None):
    """The RAG tag: colour plus its text, never colour alone."""
    value = value or RAG.NOT_RATED
    try:
        rag = RAG(value)
    except ValueError:
        rag = RAG.NOT_RATED
    return format_html('<strong class="app-rag app-rag--{}">{}</strong>', rag.value, label or rag.label)
