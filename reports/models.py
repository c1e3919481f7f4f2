"""Report jobs: one row per requested paper, from queued to done (with its archived file)
or failed (with the reason). The row is the archive of what was presented when."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from reports.choices import JobStatus, ReportFormat, ReportKind


def report_upload_to(instance, filename: str) -> str:
    return f"reports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{instance.format}"


class ReportJob(models.Model):
    kind = models.CharField(max_length=24, choices=ReportKind.choices)
    format = models.CharField(max_length=8, choices=ReportFormat.choices)
    plan = models.ForeignKey("actionplans.Plan", on_delete=models.PROTECT, related_name="report_jobs")
    body = models.ForeignKey(
        "partners.GovernanceBody", on_delete=models.PROTECT, null=True, blank=True, related_name="report_jobs"
    )
    meeting = models.ForeignKey(
        "partners.Meeting", on_delete=models.PROTECT, null=True, blank=True, related_name="report_jobs"
    )
    as_at = models.DateField(null=True, blank=True, help_text="The plan as it stood on this date; blank is today.")
    parameters = models.JSONField(default=dict, blank=True, help_text="Filters and texts the clerk entered.")
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="report_jobs"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to=report_upload_to, blank=True, max_length=200)
    file_name = models.CharField(max_length=200, blank=True, help_text="The name the download is given.")
    checksum_sha256 = models.CharField(max_length=64, blank=True)
    size_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ReportKind.values), name="report_kind_valid"),
            models.CheckConstraint(condition=Q(format__in=ReportFormat.values), name="report_format_valid"),
            models.CheckConstraint(condition=Q(status__in=JobStatus.values), name="report_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=JobStatus.DONE) | ~Q(file=""), name="done_report_has_file"
            ),
        ]
        indexes = [models.Index(fields=["plan", "-requested_at"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_format_display()}) for {self.plan}"

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None
