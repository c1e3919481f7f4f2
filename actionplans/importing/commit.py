"""Saving an import preview: all or nothing, in one transaction.

Re-importing the same file into the same plan updates the actions it already holds rather
than adding them again: actions are matched by reference where the file gives references,
else by their text. Due-date revisions, progress updates, findings and links already there
are not added twice. Leads become posts (matched to existing posts and agencies where the
name fits, created otherwise) and partners become agencies; whatever was created is listed
in ``plan.import_summary`` for the plan manager to review.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from actionplans.choices import ActionStatus, Decision, ReviewState
from actionplans.importing.interpret import ActionPreview, FindingPreview, Preview, _key
from actionplans.importing.readers import ImportRejected
from actionplans.models import Action, ActionLink, DueDateRevision, Plan, ProgressUpdate, Section
from inspections.choices import InspectionKind, Inspectorate
from inspections.models import Finding, Inspection
from partners.choices import Sector
from partners.models import Agency, Post

UNASSIGNED_AGENCY = "Unassigned agency"


def _validate(instance, *, exclude: tuple[str, ...] = ()) -> None:
    """full_clean without the per-row queries: the foreign keys named in ``exclude`` were set
    here from rows just loaded or saved, and the table's check constraints are met by
    construction (and still enforced by the database). Django would spend a query on each,
    which made a 1,000-action import take minutes."""
    instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)


def reference_date_for(*, plan: Plan | None = None, inspection: Inspection | None = None) -> dt.date:
    if plan is not None and plan.plan_date:
        return plan.plan_date
    if inspection is not None and inspection.published_on:
        return inspection.published_on
    return timezone.localdate()


@dataclass
class ImportSummary:
    actions_created: int = 0
    actions_updated: int = 0
    sections_created: int = 0
    findings_created: int = 0
    updates_created: int = 0
    revisions_created: int = 0
    links_created: int = 0
    posts_created: list[str] = field(default_factory=list)
    agencies_created: list[str] = field(default_factory=list)
    inspection_created: str = ""
    review: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _sector(name: str) -> str:
    lowered = name.lower()
    rules = [
        (r"police|constabulary", Sector.POLICE),
        (r"nhs|trust|ccg|icb|health|hospital|clinical|care board", Sector.HEALTH),
        (r"probation|\bnps\b|\bcrc\b", Sector.PROBATION),
        (r"youth (?:justice|offending)|\byot\b|\byos\b", Sector.YOUTH_JUSTICE),
        (r"school|college|academy|education|university", Sector.EDUCATION),
        (r"council|authority|borough|county|city|district", Sector.LOCAL_AUTHORITY),
        (r"voluntary|charity|barnardo|nspcc|community", Sector.VOLUNTARY),
    ]
    return next((sector for pattern, sector in rules if re.search(pattern, lowered)), Sector.OTHER)


class _People:
    """Agencies and posts, found by name or made, cached for the whole import."""

    def __init__(self, summary: ImportSummary, catch_all_name: str):
        self.summary = summary
        self.catch_all_name = catch_all_name
        self.agencies = list(Agency.objects.all())
        self.posts = list(Post.objects.select_related("agency"))

    def agency(self, name: str) -> Agency:
        name = re.sub(r"\s+", " ", name).strip(" .,;")[:200]
        key = _key(name)
        for agency in self.agencies:
            if key in (_key(agency.name), _key(agency.short_name)):
                return agency
        short = "".join(w[0] for w in re.findall(r"[A-Za-z][\w'’-]*", name) if w[0].isupper() or w.isupper())[:10]
        short = short or slugify(name)[:10].upper() or "AGENCY"
        taken = {a.short_name.lower() for a in self.agencies}
        candidate, n = short, 2
        while candidate.lower() in taken:
            candidate, n = f"{short}{n}", n + 1
        agency = Agency(name=name, short_name=candidate[:40], sector=_sector(name))
        agency.full_clean(validate_constraints=False)
        agency.save()
        self.agencies.append(agency)
        self.summary.agencies_created.append(name)
        self.summary.review.append(f'New agency "{name}" ({candidate}, {agency.get_sector_display()}): check its name and sector.')
        return agency

    def post(self, title: str, agency_name: str) -> Post:
        title = re.sub(r"\s+", " ", title).strip(" .,;")[:200]
        key = _key(title)
        agency = self.agency(agency_name) if agency_name else None
        matches = [p for p in self.posts if _key(p.title) == key and (agency is None or p.agency_id == agency.pk)]
        if agency is None and len(matches) > 1:
            self.summary.review.append(f'"{title}" matches posts in {len(matches)} agencies; the first was used.')
        if matches:
            return matches[0]
        if agency is None:
            agency = self.agency(self.catch_all_name)
        post = Post(agency=agency, title=title)
        post.full_clean(exclude=["agency"], validate_constraints=False)
        post.save()
        self.posts.append(post)
        self.summary.posts_created.append(f"{title} ({agency.short_name})")
        self.summary.review.append(f'New post "{title}" in {agency.name}: check it, or merge it into an existing post.')
        return post


def _unique_slug(title: str) -> str:
    base = slugify(title)[:70] or "imported-plan"
    slug, n = base, 2
    while Plan.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _plan_title(preview: Preview, inspection: Inspection | None) -> str:
    if inspection is not None:
        return f"Action plan: {inspection.title}"[:300]
    stem = re.sub(r"\.[A-Za-z0-9]+$", "", preview.filename)
    return re.sub(r"[-_]+", " ", stem).strip().capitalize()[:300] or "Imported plan"


@transaction.atomic
def plan_import_commit(
    *, preview: Preview, plan: Plan | None = None, inspection: Inspection | None = None, user=None
) -> Plan:
    """Save ``preview`` into ``plan`` (a new plan when none), answering ``inspection``'s
    findings. Any failure rolls the whole import back."""
    if not preview.actions:
        raise ImportRejected("There are no actions to import.")
    summary = ImportSummary()
    now = timezone.now()
    if plan is None:
        plan = Plan(
            title=_plan_title(preview, inspection),
            slug=_unique_slug(_plan_title(preview, inspection)),
            plan_date=preview.reference_date,
        )
        plan.full_clean()
        plan.save()
    if inspection is not None:
        plan.inspections.add(inspection)
    elif preview.findings:
        inspection = plan.inspections.order_by("-published_on", "pk").first()
        if inspection is None:
            raised = sorted({i for f in preview.findings for i in f.inspectorates}) or [Inspectorate.OFSTED]
            inspection = Inspection(
                title=f"Inspection answered by {plan.title}"[:300], kind=InspectionKind.OTHER, inspectorates=raised,
                area="To be confirmed", summary=f"Made by the import of {preview.filename}; give its details.",
            )
            inspection.full_clean()
            inspection.save()
            plan.inspections.add(inspection)
            summary.inspection_created = inspection.title
            summary.review.append(f'New inspection "{inspection.title}": give its kind, area and dates.')

    area = inspection.area if inspection is not None and inspection.area != "To be confirmed" else ""
    people = _People(summary, f"{area} (unassigned)" if area else UNASSIGNED_AGENCY)

    sections = _save_sections(preview, plan, summary)
    findings = _save_findings(preview, inspection, summary) if inspection is not None else {}
    actions = _save_actions(preview, plan, sections, findings, people, user, now, summary)
    for source in preview.actions:
        for link in source.links:
            from_action, to_action = actions[source.reference], actions.get(link.to)
            if to_action is None or to_action.pk == from_action.pk:
                continue
            _, created = ActionLink.objects.get_or_create(
                from_action=from_action, to_action=to_action, defaults={"note": link.note[:300]}
            )
            summary.links_created += created
    plan.import_summary = summary
    return plan


def _save_sections(preview: Preview, plan: Plan, summary: ImportSummary) -> dict[str, Section]:
    existing = {s.number: s for s in plan.sections.all()}
    saved: dict[str, Section] = {}
    offset = 0
    for order, preview_section in enumerate(sorted(preview.sections, key=lambda s: s.parent is not None)):
        section = existing.get(preview_section.number)
        if section is None:
            section = Section(plan=plan, number=preview_section.number, order=offset + order)
            summary.sections_created += 1
        section.title = preview_section.title[:300]
        section.issues_raised = preview_section.issues_raised or section.issues_raised
        section.parent = saved.get(preview_section.parent) if preview_section.parent else None
        _validate(section, exclude=("plan", "parent"))
        section.save()
        saved[section.number] = section
    # Keep the order of the file.
    for order, preview_section in enumerate(preview.sections):
        section = saved[preview_section.number]
        if section.order != offset + order:
            section.order = offset + order
            section.save(update_fields=["order"])
    return saved


def _save_findings(preview: Preview, inspection: Inspection, summary: ImportSummary) -> dict[str, Finding]:
    existing = {_key(f.text): f for f in inspection.findings.all()}
    order = max((f.order for f in existing.values()), default=0)
    saved: dict[str, Finding] = {}
    for found in preview.findings:
        finding = existing.get(found.key)
        if finding is None:
            order += 1
            finding = Finding(inspection=inspection, text=found.text, order=order)
            summary.findings_created += 1
        finding.kind = found.kind
        finding.paragraphs = found.paragraphs or finding.paragraphs
        finding.theme = found.theme or finding.theme
        finding.inspectorates = found.inspectorates or finding.inspectorates
        _validate(finding, exclude=("inspection",))
        finding.save()
        saved[found.key] = finding
    return saved


def _match(preview: Preview, plan: Plan) -> dict[str, Action]:
    """Existing actions of the plan for each action of the preview, by reference or text."""
    existing = list(plan.actions.all())
    by_reference = {a.reference: a for a in existing}
    by_text: dict[str, Action] = {}
    for action in existing:
        by_text.setdefault(_key(action.description), action)
    matched: dict[str, Action] = {}
    used: set[int] = set()
    for item in preview.actions:
        candidates = [by_reference.get(item.reference), by_text.get(_key(item.action))]
        if not preview.explicit_references:
            candidates.reverse()
        found = next((a for a in candidates if a is not None and a.pk not in used), None)
        if found is not None:
            matched[item.reference] = found
            used.add(found.pk)
    return matched


def _save_actions(preview, plan, sections, findings, people, user, now, summary) -> dict[str, Action]:
    matched = _match(preview, plan)
    taken = set(plan.actions.values_list("reference", flat=True))
    saved: dict[str, Action] = {}
    first_order = max(plan.actions.values_list("order", flat=True), default=-1) + 1
    updates: list[ProgressUpdate] = []
    for position, item in enumerate(preview.actions):
        action = matched.get(item.reference)
        if action is None:
            reference, n = item.reference, 2
            while reference in taken:
                reference, n = f"{item.reference}-{n}"[:20], n + 1
            action = Action(plan=plan, reference=reference, order=first_order + position)
            taken.add(reference)
            summary.actions_created += 1
        else:
            if action.reference != item.reference and item.reference not in taken:
                taken.discard(action.reference)
                action.reference = item.reference
                taken.add(item.reference)
            summary.actions_updated += 1
        _fill(action, item, sections, people)
        new = action.pk is None
        revisions = list(item.due.revisions)
        if new or action.original_due_date is None:
            action.due_date = item.due.due_date
        elif not revisions and not action.is_revised:
            action.due_date = item.due.due_date or action.due_date
        if action.due_date and not action.original_due_date:
            action.original_due_date = action.due_date
        if action.start_date and action.due_date and action.due_date < action.start_date:
            action.start_date = None
        _validate(action, exclude=("plan", "section", "lead_post"))
        action.save()
        partners = [people.agency(name) for name in item.partners]
        if new:
            if partners:
                action.partner_agencies.add(*partners)
        else:
            action.partner_agencies.set(partners)
        wanted = [findings[f.key] for f in item.findings if f.key in findings]
        if wanted:
            action.findings.add(*wanted)
        _save_revisions(action, revisions, user, now, summary)
        updates.extend(_new_updates(action, item, user, now, new=new))
        saved[item.reference] = action
    bulk_create_with_history(updates, ProgressUpdate, batch_size=500, default_user=user, default_date=now)
    summary.updates_created += len(updates)
    return saved


def _fill(action: Action, item: ActionPreview, sections, people: _People) -> None:
    action.section = sections.get(item.section) if item.section else None
    action.description = item.action
    action.outcome = item.outcome
    action.success_measure = item.measure
    action.lead_text = item.lead.text[:300]
    action.lead_post = people.post(item.lead.post, item.lead.agency) if item.lead.post else None
    action.due_text = item.due.original_text[:300]
    action.start_date = item.start_date
    action.status = item.status
    extra = dict(action.extra_columns or {})
    extra.update(item.extra_columns)
    if item.due.revision_notes:
        extra["Revision not dated"] = "; ".join(item.due.revision_notes)
    action.extra_columns = extra


def _save_revisions(action: Action, revisions, user, now, summary: ImportSummary) -> None:
    if not revisions:
        return
    have = {(r.new_date, r.reason) for r in action.revisions.all()}
    current = action.due_date
    for new_date, reason in revisions:
        if (new_date, reason) in have:
            current = new_date
            continue
        revision = DueDateRevision(
            action=action, old_date=current, new_date=new_date, reason=reason, requested_by=user,
            requested_at=now, decision=Decision.APPROVED, decided_by=user, decided_at=now,
            decision_note="Revised date written in the imported plan.",
        )
        _validate(revision, exclude=("action", "requested_by", "decided_by"))
        revision.save()
        summary.revisions_created += 1
        current = new_date
    if current != action.due_date:
        if action.start_date and current < action.start_date:
            action.start_date = None
        action.due_date = current
        action.save()


def _new_updates(action: Action, item: ActionPreview, user, now, *, new: bool) -> list[ProgressUpdate]:
    if not item.updates:
        return []
    have = set() if new else {(u.as_of, _key(u.narrative)) for u in action.updates.all()}
    last = len(item.updates) - 1
    made = []
    for index, note in enumerate(item.updates):
        if (note.date, _key(note.text)) in have:
            continue
        complete = index == last and item.status in (ActionStatus.DELIVERED, ActionStatus.OUTCOME_EVIDENCED)
        update = ProgressUpdate(
            action=action, as_of=note.date, author_name="Imported plan", narrative=note.text,
            proposed_rag=item.proposed_rag if index == last else "",
            status=item.status if complete else ActionStatus.IN_PROGRESS,
            review_state=ReviewState.APPROVED, reviewed_by=user, reviewed_at=now, created_at=now,
        )
        _validate(update, exclude=("action", "author", "reviewed_by"))
        made.append(update)
    return made


__all__ = ["FindingPreview", "ImportSummary", "plan_import_commit", "reference_date_for"]
