"""Admin pages for the partnership: agencies, people, posts and who holds them, the
governance bodies whose meetings drive report deadlines, and the outbox of emails sent.

Every foreign key that can point at hundreds of rows (people, posts, agencies) is an
autocomplete, and every list selects its related rows up front, so the pages stay fast at
the scale in docs/domain.md (30 agencies, 400 people)."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import Prefetch

from partners.models import Agency, EmailDelivery, GovernanceBody, Meeting, Post, PostHolding, User
from partners.services import account_email_confirm


class PostInline(admin.TabularInline):
    model = Post
    fields = ("title", "is_active")
    extra = 0
    show_change_link = True


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "sector", "is_active")
    list_filter = ("sector", "is_active")
    search_fields = ("name", "short_name")
    inlines = [PostInline]


class UserCreationAdminForm(AdminUserCreationForm):
    """Django's admin creation form, for people who sign in by email and have no username."""

    class Meta:
        model = User
        fields = ("email", "full_name", "role", "agency")

    def clean_email(self):
        # Sign-in matches the lower-cased address (UserManager stores it that way), so two
        # accounts differing only in case would be one person who cannot sign in.
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("A person with this email address already exists.")
        return email


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        clash = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("A person with this email address already exists.")
        return email


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    list_display = ("email", "full_name", "role", "agency", "is_active")
    list_filter = ("role", "agency", "is_active", "is_staff")
    list_select_related = ("agency",)
    search_fields = ("email", "full_name")
    ordering = ("email",)
    autocomplete_fields = ("agency",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name", "phone", "role", "agency")}),
        (
            "Permissions",
            {"fields": ("is_active", "is_demo", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("is_demo",)
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "full_name",
                    "role",
                    "agency",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change or "email" in form.changed_data:
            # The administrator vouches for the address they type: it is the account's
            # verified address at once, and any other it had is dropped.
            account_email_confirm(user=obj)


class PostHoldingInline(admin.TabularInline):
    model = PostHolding
    fields = ("person", "started_on", "ended_on")
    autocomplete_fields = ("person",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person", "post")


class CurrentHoldingFilter(admin.SimpleListFilter):
    title = "holding"
    parameter_name = "holding"

    def lookups(self, request, model_admin):
        return (("current", "Current"), ("ended", "Ended"))

    def queryset(self, request, queryset):
        if self.value() == "current":
            return queryset.current()
        if self.value() == "ended":
            return queryset.exclude(pk__in=PostHolding.objects.current().values("pk"))
        return queryset


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("title", "agency", "current_holders", "is_active")
    list_filter = ("agency", "is_active")
    search_fields = ("title", "agency__name", "agency__short_name")
    autocomplete_fields = ("agency",)
    inlines = [PostHoldingInline]

    def get_queryset(self, request):
        # Post.__str__ names the agency; the autocomplete and the list both need it.
        current = PostHolding.objects.current().select_related("person")
        return (
            super()
            .get_queryset(request)
            .select_related("agency")
            .prefetch_related(Prefetch("holdings", queryset=current, to_attr="current_holdings"))
        )

    @admin.display(description="current holders")
    def current_holders(self, obj: Post) -> str:
        return ", ".join(str(h.person) for h in obj.current_holdings) or "Vacant"


@admin.register(PostHolding)
class PostHoldingAdmin(admin.ModelAdmin):
    list_display = ("person", "post", "started_on", "ended_on")
    list_filter = (CurrentHoldingFilter, "post__agency")
    search_fields = ("person__full_name", "person__email", "post__title")
    autocomplete_fields = ("post", "person")
    date_hierarchy = "started_on"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person", "post__agency")


class MeetingInline(admin.TabularInline):
    model = Meeting
    fields = ("date", "title", "location")
    extra = 0
    show_change_link = True


@admin.register(GovernanceBody)
class GovernanceBodyAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "kind", "parent", "agency", "papers_due_working_days")
    list_filter = ("kind",)
    list_select_related = ("parent", "agency")
    search_fields = ("name", "short_name")
    autocomplete_fields = ("parent", "agency")
    inlines = [MeetingInline]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("date", "body", "title", "location")
    list_filter = ("body",)
    search_fields = ("title", "location", "body__name", "body__short_name")
    autocomplete_fields = ("body",)
    date_hierarchy = "date"

    def get_queryset(self, request):
        # Meeting.__str__ names the body.
        return super().get_queryset(request).select_related("body")


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(admin.ModelAdmin):
    """Read-only: every email the service sent or means to send, one row per recipient
    (partners.email_outbox). Filter by status "Unknown" for the emails a lost worker may or
    may not have sent, and look for their Message-ID in the mail server's log."""

    list_display = ("created_at", "kind", "recipient", "subject", "status", "attempts", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("recipient", "key", "subject", "message_id")
    date_hierarchy = "created_at"
    fieldsets = (
        (None, {"fields": ("key", "kind", "status", "attempts", "last_error")}),
        ("Email", {"fields": ("recipient", "from_email", "subject", "message_id", "body", "html_body",
                              "attachment_name", "attachment_type")}),
        ("Timeline", {"fields": ("created_at", "claimed_at", "claimed_by", "sent_at")}),
    )
    # The attachment is named, never linked: it is a private paper.
    readonly_fields = [f.name for f in EmailDelivery._meta.fields if f.name != "attachment_path"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # The outbox is the record that an email was sent, and what stops it being sent again.
        return False
