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
    dispatched_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the job was last handed to the worker's queue; blank: not yet (the queue was down).",
    )
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


# --- Schedules ---------------------------------------------------------------------------
# A schedule makes a paper for a governance body without anyone asking: a number of working
# days before each of the body's meetings, or on a regular cadence. The daily beat task
# (reports.tasks.run_due_schedules) and, for cadences, a PeriodicTask of the schedule's
# own call the schedule services in reports.services; each paper made is one ScheduledRun, unique per
# meeting (or per day for a cadence), so that a beat that fires twice, or catches up after
# being down, never makes a paper twice.


class ScheduleMode(models.TextChoices):
    BEFORE_EACH_MEETING = "before_each_meeting", "Before each meeting of the body"
    CADENCE = "cadence", "On a regular cadence"


class Cadence(models.TextChoices):
    WEEKLY = "weekly", "Every week"
    MONTHLY = "monthly", "Every month"
    EVERY_N_DAYS = "every_n_days", "Every so many days"


class ReportSchedule(models.Model):
    plan = models.ForeignKey("actionplans.Plan", on_delete=models.PROTECT, related_name="report_schedules")
    body = models.ForeignKey("partners.GovernanceBody", on_delete=models.PROTECT, related_name="report_schedules")
    kind = models.CharField(max_length=24, choices=ReportKind.choices)
    format = models.CharField(max_length=8, choices=ReportFormat.choices)
    mode = models.CharField(max_length=24, choices=ScheduleMode.choices, default=ScheduleMode.BEFORE_EACH_MEETING)
    working_days_before = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Blank: the body's own deadline (its papers_due_working_days), followed if it changes.",
    )
    cadence = models.CharField(max_length=16, choices=Cadence.choices, blank=True)
    cadence_weekday = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="For a weekly cadence: 0 is Monday, 6 is Sunday."
    )
    cadence_day = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="For a monthly cadence: the day of the month, 1 to 28."
    )
    cadence_every_days = models.PositiveSmallIntegerField(null=True, blank=True)
    periodic_task = models.OneToOneField(
        "django_celery_beat.PeriodicTask",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="report_schedule",
        help_text="For a cadence: the beat entry that runs it, kept in step by reports.schedules.",
    )
    recipients = models.JSONField(default=list, blank=True, help_text="Email addresses the paper is sent to.")
    attach_file = models.BooleanField(
        default=True, help_text="Attach the paper (up to 10 MB); otherwise the email links to it."
    )
    parameters = models.JSONField(default=dict, blank=True, help_text="Title block and implications texts.")
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["body__name", "plan__title", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ReportKind.values), name="schedule_kind_valid"),
            models.CheckConstraint(condition=Q(format__in=ReportFormat.values), name="schedule_format_valid"),
            models.CheckConstraint(condition=Q(mode__in=ScheduleMode.values), name="schedule_mode_valid"),
            models.CheckConstraint(
                condition=~Q(mode=ScheduleMode.CADENCE) | Q(cadence__in=Cadence.values),
                name="cadence_schedule_has_cadence",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.body}: {self.plan}"

    @property
    def days_before(self) -> int:
        """Working days before each meeting that the paper is made."""
        if self.working_days_before is not None:
            return self.working_days_before
        return self.body.papers_due_working_days

    def clean(self):
        from django.core.exceptions import ValidationError
        from django.core.validators import validate_email

        errors: dict[str, str] = {}
        emails = []
        for raw in self.recipients or []:
            email = str(raw).strip().lower()
            try:
                validate_email(email)
            except ValidationError:
                errors["recipients"] = f"“{raw}” is not an email address."
                break
            if email not in emails:
                emails.append(email)
        self.recipients = emails
        if not emails and "recipients" not in errors:
            errors["recipients"] = "Give at least one email address to send the paper to."
        if self.mode == ScheduleMode.CADENCE:
            if self.cadence == Cadence.WEEKLY and self.cadence_weekday not in range(7):
                errors["cadence_weekday"] = "Choose the day of the week."
            elif self.cadence == Cadence.MONTHLY and self.cadence_day not in range(1, 29):
                errors["cadence_day"] = "Give a day of the month from 1 to 28."
            elif self.cadence == Cadence.EVERY_N_DAYS and not (self.cadence_every_days or 0) >= 1:
                errors["cadence_every_days"] = "Give a number of days, 1 or more."
            elif self.cadence not in Cadence.values:
                errors["cadence"] = "Choose how often the paper is made."
        if errors:
            raise ValidationError(errors)


class ScheduledRun(models.Model):
    """One paper made by a schedule: for one meeting, or (a cadence) on one day. The unique
    constraints are what make a schedule produce a meeting's paper once."""

    # A deleted schedule leaves its runs: they record who was emailed which paper, when.
    schedule = models.ForeignKey(
        ReportSchedule, on_delete=models.SET_NULL, null=True, blank=True, related_name="runs"
    )
    meeting = models.ForeignKey(
        "partners.Meeting", on_delete=models.PROTECT, null=True, blank=True, related_name="scheduled_runs"
    )
    due_date = models.DateField(help_text="The paper day: the deadline before the meeting, or the cadence's day.")
    job = models.OneToOneField(ReportJob, on_delete=models.PROTECT, related_name="scheduled_run")
    created_at = models.DateTimeField(default=timezone.now)
    emailed_at = models.DateTimeField(null=True, blank=True)
    emailed_to = models.JSONField(default=list, blank=True)
    email_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-due_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "meeting"], condition=Q(meeting__isnull=False), name="one_run_per_meeting"
            ),
            models.UniqueConstraint(
                fields=["schedule", "due_date"], condition=Q(meeting__isnull=True), name="one_cadence_run_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.schedule} on {self.due_date}"
