"""The partnership: agencies, the posts within them, the people who hold those posts,
the governance bodies (Cabinet, scrutiny, the board and its sub-groups) whose meetings
drive report deadlines, and the outbox of every email sent to those people."""

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from partners.choices import BodyKind, DeliveryStatus, Role, Sector


class Agency(models.Model):
    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=40, unique=True, help_text="As used in plans, e.g. TVP, OUH, CSC.")
    sector = models.CharField(max_length=32, choices=Sector.choices)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **extra):
        if not email:
            raise ValueError("A user needs an email address")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        from partners.services import account_email_confirm

        account_email_confirm(user=user)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True, role=Role.ADMIN)
        return self._create(email, password, **extra)


class User(AbstractUser):
    """A person who signs in. Signs in by email; belongs to one agency; has one role."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="people")
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.OFFICER)
    phone = models.CharField(max_length=40, blank=True)
    # Set only by load_demo, never from an address or a form: a demo login signs in with
    # its password alone (partners/mfa.py); every other account must set up MFA.
    is_demo = models.BooleanField(
        "demo account", default=False, editable=False,
        help_text="Made by load_demo; exempt from the multi-factor requirement.",
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]
    objects = UserManager()

    class Meta:
        ordering = ["full_name"]
        constraints = [models.CheckConstraint(condition=Q(role__in=Role.values), name="user_role_valid")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Post(models.Model):
    """A role in an agency ("Principal Social Worker", "Chair of MASH Steering Group").
    Actions are led by posts, not people, because posts change hands in restructures."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="posts")
    title = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["agency__name", "title"]
        constraints = [models.UniqueConstraint(fields=["agency", "title"], name="post_title_unique_in_agency")]

    def __str__(self) -> str:
        return f"{self.title} ({self.agency.short_name})"


class PostHoldingQuerySet(models.QuerySet):
    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on), started_on__lte=on)


class PostHolding(models.Model):
    """Who held a post, from when to when; the open row is the current holder.
    The rows are the history of who led an action at any date."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="holdings")
    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="post_holdings")
    started_on = models.DateField(default=timezone.localdate)
    ended_on = models.DateField(null=True, blank=True)

    objects = PostHoldingQuerySet.as_manager()
    # Who handed a post over, and when, is part of the evidence trail.
    history = HistoricalRecords()

    class Meta:
        ordering = ["post", "-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "person"], condition=Q(ended_on__isnull=True), name="one_open_holding_per_person_post"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="holding_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} as {self.post.title} from {self.started_on}"


class GovernanceBody(models.Model):
    """Cabinet, a scrutiny committee, the safeguarding board or one of its sub-groups."""

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=40, blank=True)
    kind = models.CharField(max_length=32, choices=BodyKind.choices)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="subgroups")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="bodies")
    papers_due_working_days = models.PositiveSmallIntegerField(
        default=10, help_text="Papers are due this many working days before each meeting."
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "governance bodies"
        constraints = [models.CheckConstraint(condition=Q(kind__in=BodyKind.values), name="body_kind_valid")]

    def __str__(self) -> str:
        return self.name


class Meeting(models.Model):
    body = models.ForeignKey(GovernanceBody, on_delete=models.CASCADE, related_name="meetings")
    date = models.DateField()
    title = models.CharField(max_length=200, blank=True)
    location = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["body", "date"], name="one_meeting_per_body_per_day")]

    def __str__(self) -> str:
        return f"{self.body} – {self.date:%d %B %Y}"


class EmailDelivery(models.Model):
    """One email to one person, in the outbox (partners.email_outbox).

    The row is written in the same transaction as what it tells of, under a ``key`` that
    names the email ("reminder:2025-W23:user:12", "notification:signed_off:7:a@b.gov.uk",
    "paper:41:clerk@council.gov.uk"), so that asking for the same email twice makes no
    second row. A task then sends it once: pending, sending (claimed, committed before the
    mail server is spoken to), sent. A worker that dies while an email is ``sending``
    leaves it ``unknown``: it may or may not have gone, and it is never sent again by
    itself; an administrator checks the mail server's log for its Message-ID."""

    key = models.CharField(max_length=320, unique=True)
    kind = models.CharField(max_length=40, help_text="What sort of email: reminder, notification, paper.")
    recipient = models.EmailField()
    from_email = models.CharField(max_length=254)
    subject = models.CharField(max_length=500)
    body = models.TextField()
    html_body = models.TextField(blank=True)
    # A file in the default storage (a scheduled paper's archived file), read when sending.
    attachment_path = models.CharField(max_length=200, blank=True)
    attachment_name = models.CharField(max_length=255, blank=True)
    attachment_type = models.CharField(max_length=100, blank=True)
    # Fixed when the row is written, so a mail server's log can be searched for it, and a
    # copy sent again after an "unknown" is recognised as the same message by mail clients.
    message_id = models.CharField("Message-ID", max_length=255)
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Which task message holds the claim: its redelivery after a lost worker recognises it.
    claimed_by = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # When a task for it last reached the broker; blank while none could (the broker was
    # down): the sweep (partners.email_outbox.email_deliveries_dispatch_stalled) hands it over.
    dispatched_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "email deliveries"
        indexes = [models.Index(fields=["status", "created_at"], name="emaildelivery_status_created")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=DeliveryStatus.values), name="emaildelivery_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} to {self.recipient}"
