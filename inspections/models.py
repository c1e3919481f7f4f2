"""Inspections and what the inspectors found: the things an action plan answers."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from foundation.limits import ACTION_TEXT_MAX, NARRATIVE_MAX, max_length_validator
from inspections.choices import FindingKind, Grade, InspectionKind, Inspectorate

_PARAGRAPHS = re.compile(r"^\s*\d+[a-z]?(\s*,\s*\d+[a-z]?)*\s*$")


def validate_inspectorates(value):
    if not isinstance(value, list) or not value:
        raise ValidationError("Choose at least one inspectorate.")
    unknown = [v for v in value if v not in Inspectorate.values]
    if unknown:
        raise ValidationError(f"Unknown inspectorate(s): {', '.join(map(str, unknown))}.")


def validate_paragraphs(value: str):
    if value and not _PARAGRAPHS.match(value):
        raise ValidationError('Give report paragraph numbers separated by commas, for example "17, 42".')


class Inspection(models.Model):
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=32, choices=InspectionKind.choices)
    inspectorates = models.JSONField(default=list, validators=[validate_inspectorates])
    area = models.CharField(max_length=200, help_text="The local authority area inspected.")
    onsite_from = models.DateField(null=True, blank=True)
    onsite_to = models.DateField(null=True, blank=True)
    published_on = models.DateField(null=True, blank=True, help_text="Date the letter or report was published.")
    wsoa_due_on = models.DateField("written statement of action due", null=True, blank=True)
    overall_grade = models.CharField(max_length=32, choices=Grade.choices, blank=True)
    report_file = models.FileField(upload_to="inspection-reports/", blank=True)
    report_original_name = models.CharField(max_length=255, blank=True, help_text="The report file's name as uploaded.")
    report_url = models.URLField(blank=True)
    summary = models.TextField(blank=True, validators=[max_length_validator(NARRATIVE_MAX)], max_length=NARRATIVE_MAX)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-published_on", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=InspectionKind.values), name="inspection_kind_valid"),
            models.CheckConstraint(
                condition=Q(overall_grade="") | Q(overall_grade__in=Grade.values), name="inspection_grade_valid"
            ),
            models.CheckConstraint(
                condition=Q(onsite_to__isnull=True) | Q(onsite_from__isnull=True) | Q(onsite_to__gte=models.F("onsite_from")),
                name="inspection_onsite_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_inspectorates_display(self) -> str:
        labels = dict(Inspectorate.choices)
        return ", ".join(labels.get(v, v) for v in self.inspectorates)


class Judgement(models.Model):
    """A graded judgement on one area of an inspection ("Overall effectiveness": good)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="judgements")
    area = models.CharField(max_length=200)
    grade = models.CharField(max_length=32, choices=Grade.choices)

    history = HistoricalRecords()

    class Meta:
        ordering = ["inspection", "id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "area"], name="one_judgement_per_area"),
            models.CheckConstraint(condition=Q(grade__in=Grade.values), name="judgement_grade_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.area}: {self.get_grade_display()}"


class Finding(models.Model):
    """What the inspectors said: a strength, an area for improvement, a priority action or a
    recommendation, with the report paragraphs it cites."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(max_length=32, choices=FindingKind.choices)
    text = models.TextField(validators=[max_length_validator(ACTION_TEXT_MAX)], max_length=ACTION_TEXT_MAX)
    paragraphs = models.CharField(max_length=100, blank=True, validators=[validate_paragraphs])
    theme = models.CharField(max_length=120, blank=True, db_index=True)
    inspectorates = models.JSONField(default=list, blank=True, help_text="Who raised it, where the plan says.")
    order = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["inspection", "order", "id"]
        constraints = [models.CheckConstraint(condition=Q(kind__in=FindingKind.values), name="finding_kind_valid")]

    def __str__(self) -> str:
        prefix = f"{self.paragraphs}. " if self.paragraphs else ""
        return f"{prefix}{self.text[:80]}"

    def clean(self):
        if self.inspectorates:
            validate_inspectorates(self.inspectorates)
