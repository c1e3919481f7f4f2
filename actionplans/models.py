"""The action plan: sections, actions, their due-date revisions, progress updates, evidence,
sign-offs and measures. Writes go through actionplans.actions.services; the RAG rule lives in
actionplans.rag."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from actionplans import rules
from actionplans.choices import (
    RAG,
    ActionStatus,
    Decision,
    Direction,
    EvidenceKind,
    Frequency,
    MeasureUnit,
    PlanStatus,
    ReviewCadence,
    ReviewState,
    SignOffStage,
)
from foundation.limits import (
    ACTION_TEXT_MAX,
    ISSUES_RAISED_MAX,
    NARRATIVE_MAX,
    NOTE_MAX,
    max_length_validator,
)
from partners.models import Agency, GovernanceBody, Post


class Plan(models.Model):
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=80, unique=True)
    inspections = models.ManyToManyField("inspections.Inspection", related_name="plans", blank=True)
    status = models.CharField(max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    introduction = models.TextField(
        blank=True, help_text="The statement's introduction, shown on the cover.", validators=[max_length_validator(NARRATIVE_MAX)], max_length=NARRATIVE_MAX
    )
    monitoring_body = models.ForeignKey(
        GovernanceBody, on_delete=models.PROTECT, null=True, blank=True, related_name="monitored_plans"
    )
    review_cadence_days = models.PositiveSmallIntegerField(
        choices=ReviewCadence.choices,
        default=ReviewCadence.MONTHLY,
        help_text="An action with no update for this long needs one.",
    )
    uses_blue = models.BooleanField(default=True, help_text="Show completed actions as blue rather than green.")
    revision_four_eyes = models.BooleanField(
        "four eyes on revised dates",
        default=True,
        help_text="A revised due date is decided by a manager other than the person who asked for it.",
    )
    plan_date = models.DateField(default=timezone.localdate, help_text="Date the plan was written.")
    live_from = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    managers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="managed_plans", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-plan_date", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=PlanStatus.values), name="plan_status_valid"),
            models.CheckConstraint(
                condition=Q(review_cadence_days__in=ReviewCadence.values), name="plan_cadence_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PartnerSignOff(models.Model):
    """A partner agency's sign-up to the plan: person, post, agency, date."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="partner_sign_offs")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="plan_sign_offs")
    person_name = models.CharField(max_length=150)
    post_title = models.CharField(max_length=200)
    signed_on = models.DateField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "signed_on", "agency__name"]
        constraints = [models.UniqueConstraint(fields=["plan", "agency"], name="one_partner_sign_off_per_agency")]

    def __str__(self) -> str:
        return f"{self.person_name}, {self.post_title}, {self.agency}"


class BoardSignOff(models.Model):
    """A governance body's approval of the plan at a meeting."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="board_sign_offs")
    body = models.ForeignKey(GovernanceBody, on_delete=models.PROTECT, related_name="plan_sign_offs")
    signed_on = models.DateField()
    minute_reference = models.CharField(max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "signed_on"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "body", "signed_on"], name="one_board_sign_off_per_meeting")
        ]

    def __str__(self) -> str:
        return f"{self.body} on {self.signed_on:%d %B %Y}"


class Section(models.Model):
    """A numbered section of the plan ("2", "2.1"); nested one level at most."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="sections")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    number = models.CharField(max_length=12)
    title = models.CharField(max_length=300)
    issues_raised = models.TextField(
        blank=True, help_text="What the inspectors raised, as the plan quotes it.", validators=[max_length_validator(ISSUES_RAISED_MAX)], max_length=ISSUES_RAISED_MAX
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["plan", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="section_number_unique_in_plan")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def clean(self):
        if self.parent_id:
            if self.parent.parent_id:
                raise ValidationError({"parent": "Sections nest one level only (2 and 2.1, not 2.1.1)."})
            if self.parent.plan_id != self.plan_id:
                raise ValidationError({"parent": "The parent section must be in the same plan."})


class ActionQuerySet(models.QuerySet):
    def for_user(self, user):
        from actionplans.access import visible_to  # the access rule reads these models

        return visible_to(user, self)


class Action(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, null=True, blank=True, related_name="actions")
    reference = models.CharField(max_length=20, help_text='Unique within the plan, e.g. "2.1.3".')
    order = models.PositiveIntegerField(default=0)
    description = models.TextField("action", validators=[max_length_validator(ACTION_TEXT_MAX)], max_length=ACTION_TEXT_MAX)
    outcome = models.TextField("what will be different", blank=True, validators=[max_length_validator(ACTION_TEXT_MAX)], max_length=ACTION_TEXT_MAX)
    success_measure = models.TextField("how will we know", blank=True, validators=[max_length_validator(ACTION_TEXT_MAX)], max_length=ACTION_TEXT_MAX)
    lead_post = models.ForeignKey(Post, on_delete=models.PROTECT, null=True, blank=True, related_name="led_actions")
    lead_text = models.CharField(
        max_length=300, blank=True, help_text="The lead as the plan wrote it, where it names more than a post."
    )
    partner_agencies = models.ManyToManyField(Agency, related_name="supported_actions", blank=True)
    delegates = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="delegated_actions", blank=True,
        help_text="People who may update this action on the lead's behalf.",
    )
    start_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True, help_text="The current due date, after any approved revision.")
    original_due_date = models.DateField(null=True, blank=True, editable=False)
    due_text = models.CharField(max_length=300, blank=True, help_text="The date as first written, e.g. \"From 09/2016\".")
    status = models.CharField(max_length=24, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED)
    findings = models.ManyToManyField("inspections.Finding", related_name="actions", blank=True)
    related_actions = models.ManyToManyField(
        "self", through="ActionLink", symmetrical=False, related_name="linked_from", blank=True
    )
    extra_columns = models.JSONField(
        default=dict, blank=True, help_text="Imported columns that have no field of their own, kept as text."
    )
    version = models.PositiveIntegerField(default=1, help_text="Raised on every save; a stale form is refused.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActionQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["plan", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "reference"], name="action_reference_unique_in_plan"),
            models.CheckConstraint(condition=Q(status__in=ActionStatus.values), name="action_status_valid"),
            models.CheckConstraint(
                condition=Q(due_date__isnull=True) | Q(original_due_date__isnull=False),
                name="action_keeps_original_due_date",
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True) | Q(due_date__isnull=True) | Q(due_date__gte=F("start_date")),
                name="action_due_after_start",
            ),
        ]
        indexes = [models.Index(fields=["plan", "status", "due_date"]), models.Index(fields=["due_date"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.description[:70]}"

    def save(self, *args, **kwargs):
        # The first due date an action is given is its original; revisions never move it.
        if self.due_date and not self.original_due_date:
            self.original_due_date = self.due_date
        super().save(*args, **kwargs)

    @property
    def is_complete(self) -> bool:
        return rules.is_complete(self.status)

    def is_overdue(self, today=None) -> bool:
        return rules.is_overdue(status=self.status, due_date=self.due_date, today=today or timezone.localdate())

    @property
    def is_revised(self) -> bool:
        return bool(self.original_due_date and self.due_date != self.original_due_date)


class ActionLink(models.Model):
    """"See 2.3 for audit work": one action pointing at another."""

    from_action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="links_out")
    to_action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="links_in")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["from_action", "to_action"], name="action_link_once"),
            models.CheckConstraint(condition=~Q(from_action=F("to_action")), name="action_link_not_to_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.from_action.reference} → {self.to_action.reference}"


class DueDateRevision(models.Model):
    """A request to move an action's due date, its reason and its decision. The action's
    original due date is never lost: it stays on the action and on the first revision."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="revisions")
    old_date = models.DateField(null=True, blank=True)
    new_date = models.DateField()
    reason = models.TextField(validators=[max_length_validator(NOTE_MAX)], max_length=NOTE_MAX)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decision = models.CharField(max_length=16, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, validators=[max_length_validator(NOTE_MAX)], max_length=NOTE_MAX)

    history = HistoricalRecords()

    class Meta:
        ordering = ["action", "requested_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(decision__in=Decision.values), name="revision_decision_valid"),
            models.CheckConstraint(condition=~Q(reason=""), name="revision_has_reason"),
            models.CheckConstraint(
                condition=Q(decision=Decision.PENDING) | Q(decided_at__isnull=False), name="revision_decision_dated"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action.reference}: {self.old_date} → {self.new_date} ({self.get_decision_display()})"


class ProgressUpdate(models.Model):
    """A dated account of progress by a named person: the evidence trail inspectors ask for."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    as_of = models.DateField("date", default=timezone.localdate)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="progress_updates"
    )
    author_name = models.CharField(max_length=150, blank=True, help_text="For imported updates with no user.")
    narrative = models.TextField(validators=[max_length_validator(NARRATIVE_MAX)], max_length=NARRATIVE_MAX)
    proposed_rag = models.CharField(max_length=16, choices=RAG.choices, blank=True)
    status = models.CharField(max_length=24, choices=ActionStatus.choices)
    review_state = models.CharField(max_length=16, choices=ReviewState.choices, default=ReviewState.SUBMITTED)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["action", "-as_of", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(proposed_rag="") | Q(proposed_rag__in=RAG.values), name="update_rag_valid"
            ),
            models.CheckConstraint(condition=Q(status__in=ActionStatus.values), name="update_status_valid"),
            models.CheckConstraint(condition=Q(review_state__in=ReviewState.values), name="update_review_valid"),
            models.CheckConstraint(
                condition=Q(author__isnull=False) | ~Q(author_name=""), name="update_has_author"
            ),
        ]
        indexes = [models.Index(fields=["action", "-as_of", "-created_at"], name="update_latest_per_action")]

    def __str__(self) -> str:
        return f"{self.action.reference} on {self.as_of}"

    @property
    def author_display(self) -> str:
        return str(self.author) if self.author_id else self.author_name


def evidence_upload_to(instance, filename: str) -> str:
    # Never the uploaded name: it may carry "../", personal data or a misleading extension.
    return f"evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="evidence")
    update = models.ForeignKey(
        ProgressUpdate, on_delete=models.SET_NULL, null=True, blank=True, related_name="evidence"
    )
    kind = models.CharField(max_length=16, choices=EvidenceKind.choices, default=EvidenceKind.DOCUMENT)
    file = models.FileField(upload_to=evidence_upload_to, blank=True, max_length=200)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    url = models.URLField(blank=True, max_length=500)
    evidence_date = models.DateField(default=timezone.localdate)
    description = models.TextField(validators=[max_length_validator(NOTE_MAX)], max_length=NOTE_MAX)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["action", "-evidence_date", "id"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=(Q(file="") & ~Q(url="")) | (~Q(file="") & Q(url="")),
                name="evidence_is_file_or_link",
            ),
            models.CheckConstraint(condition=Q(kind__in=EvidenceKind.values), name="evidence_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.original_name or self.url or self.description[:60]


class SignOffQuerySet(models.QuerySet):
    def in_force(self):
        """Sign-offs not withdrawn by a reopening of the action."""
        return self.filter(withdrawn_at__isnull=True)


class ActionSignOff(models.Model):
    """Sign-off of delivery or of evidenced outcome, by someone other than the lead.

    Reopening the action withdraws it (who, when, why) rather than deleting it, so that the
    record keeps both the sign-off and its withdrawal; a stage is signed off once at a time."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="sign_offs")
    stage = models.CharField(max_length=24, choices=SignOffStage.choices)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True, validators=[max_length_validator(ACTION_TEXT_MAX)], max_length=ACTION_TEXT_MAX)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawal_reason = models.TextField(blank=True, validators=[max_length_validator(NOTE_MAX)], max_length=NOTE_MAX)

    objects = SignOffQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["action", "signed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "stage"], condition=Q(withdrawn_at__isnull=True), name="one_sign_off_per_stage"
            ),
            models.CheckConstraint(condition=Q(stage__in=SignOffStage.values), name="sign_off_stage_valid"),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True, withdrawn_by__isnull=True, withdrawal_reason="")
                | (Q(withdrawn_at__isnull=False, withdrawn_by__isnull=False) & ~Q(withdrawal_reason="")),
                name="sign_off_withdrawal_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action.reference} {self.get_stage_display()} by {self.signed_by}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class Measure(models.Model):
    """A target or measure: "Incremental rise each quarter in timeliness"."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="measures")
    action = models.ForeignKey(Action, on_delete=models.SET_NULL, null=True, blank=True, related_name="measures")
    name = models.CharField(max_length=300)
    unit = models.CharField(max_length=16, choices=MeasureUnit.choices)
    direction = models.CharField(max_length=8, choices=Direction.choices)
    frequency = models.CharField(max_length=16, choices=Frequency.choices, default=Frequency.QUARTERLY)
    baseline_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    baseline_date = models.DateField(null=True, blank=True)
    target_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    target_date = models.DateField(null=True, blank=True)
    england_average = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    statistical_neighbours = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    source = models.CharField(max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(unit__in=MeasureUnit.values), name="measure_unit_valid"),
            models.CheckConstraint(condition=Q(direction__in=Direction.values), name="measure_direction_valid"),
            models.CheckConstraint(condition=Q(frequency__in=Frequency.values), name="measure_frequency_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class MeasureValue(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="values")
    period_start = models.DateField(help_text="First day of the period the value is for.")
    value = models.DecimalField(max_digits=12, decimal_places=2)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["measure", "period_start"]
        constraints = [models.UniqueConstraint(fields=["measure", "period_start"], name="one_value_per_period")]

    def __str__(self) -> str:
        return f"{self.measure}: {self.value} for {self.period_start}"


class GlossaryTerm(models.Model):
    """An acronym used in the plan, printed in the glossary of the Ofsted-ready paper."""

    term = models.CharField(max_length=30, unique=True)
    meaning = models.CharField(max_length=300)

    class Meta:
        ordering = ["term"]

    def __str__(self) -> str:
        return f"{self.term}: {self.meaning}"


class RagSnapshot(models.Model):
    """A plan's RAG counts at the end of a past day (a month end, or the day the plan
    closed), kept for the dashboards' trend so that a closed month is counted once rather
    than on every view, and reads as it was counted when the month closed. Written by
    actionplans.dashboards (the month-end beat task, or the first view that needs it); the
    rule is the as-at rule of actionplans.rag."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="rag_snapshots")
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        help_text="Whose share of the plan: blank for every action (partnership-wide roles); "
        "an agency for the actions it leads or supports (its partner officers).",
    )
    day = models.DateField(help_text="The day counted, as at its end.")
    red = models.PositiveIntegerField(default=0)
    amber = models.PositiveIntegerField(default=0)
    green = models.PositiveIntegerField(default=0)
    blue = models.PositiveIntegerField(default=0)
    not_rated = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["plan", "agency", "day"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "day"], condition=Q(agency__isnull=True), name="one_rag_snapshot_per_plan_day"
            ),
            models.UniqueConstraint(
                fields=["plan", "agency", "day"], condition=Q(agency__isnull=False),
                name="one_agency_rag_snapshot_per_plan_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} as at {self.day:%d/%m/%Y}"

    @property
    def counts(self) -> dict[str, int]:
        return {rag.value: getattr(self, rag.value) for rag in RAG}
