"""The scale bench (``make bench``): proves the pages, the papers and the import at the size
docs/domain.md designs for, and prints PASS or MISS against each target.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/actionplans_bench .venv/bin/python bench/run.py

Steps (bench/README.md says what each number means):

1. Creates the PostgreSQL database named in DATABASE_URL afresh (its name must contain
   "bench": it is dropped) and a small copy beside it (the same name + "_small"), migrates
   both and fills them with ``generate_scale_data``: --scale 1.0 and --scale 0.01.
2. Pages, in-process with django.test.Client as the bench logins: queries at both sizes,
   p50/p95 server time at full size, and the SQL floor (the same statements run alone);
   the actions table against the Django admin's changelist, and django-tables2 against a
   plain template loop over the same 100 rows.
3. The Ofsted-ready PDF of the 50- and 500-action plans, each render in a fresh process
   (time, pages, peak memory), and WeasyPrint against headless Chromium on the same HTML.
4. Importing a generated 1,000-action workbook (read, preview, save; rolled back).
5. Load: gunicorn with 2 workers on 127.0.0.1 and a fixed-rate client with the session
   cookies of several signed-in people over a mix of the pages above.

Writes bench/results.json and bench/bench.log (gunicorn's log is bench/gunicorn.log).
Settings for a shorter run: BENCH_LOAD_SECONDS (60), BENCH_LOAD_RPS (2), BENCH_PAGE_RUNS
(30), BENCH_PDF_RUNS (3), BENCH_IMPORT_RUNS (3); ``--skip-setup`` reuses the databases of
an earlier run; ``--only pages,pdf,import,load`` runs some of the measurements.

Everything it starts (workers, gunicorn, Chromium) is its own child process, stopped by
its process id when the step ends or the bench is interrupted. It talks to nothing but
127.0.0.1.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import http.client
import json
import math
import os
import random
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
WORK = BENCH / ".work"
LOG = BENCH / "bench.log"
RESULTS = BENCH / "results.json"
PYTHON = sys.executable
CHROMIUM = "/usr/bin/chromium"

SEED = 42
FULL_SCALE, SMALL_SCALE = 1.0, 0.01
BENCH_PASSWORD = "bench-password-123"  # noqa: S105 - the published bench password


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


PAGE_RUNS = _env_int("BENCH_PAGE_RUNS", 30)
PAGE_WARMUP = 3
FLOOR_RUNS = 10
# A page slower than its budget is measured fewer times (never fewer than the minimum), so
# that a slow page bounds the bench's time rather than stretching it to hours.
PAGE_BUDGET_SECONDS, PAGE_MIN_RUNS = 60, 5
WARMUP_BUDGET_SECONDS = 20
FLOOR_BUDGET_SECONDS = 30
RENDER_RUNS = 30
PDF_RUNS = _env_int("BENCH_PDF_RUNS", 3)
IMPORT_RUNS = _env_int("BENCH_IMPORT_RUNS", 3)
LOAD_SECONDS = _env_int("BENCH_LOAD_SECONDS", 60)
# 400 people, a tenth of them busy at the peak, a page every 20 s each: 2 pages a second.
LOAD_RPS = float(os.environ.get("BENCH_LOAD_RPS") or 2)
LOAD_THREADS = 32
LOAD_TIMEOUT = 30

# The targets of the issue "Proven at county scale".
PAGE_P95_MS = 300
FLOOR_FACTOR = 3.0
TABLE_FACTOR = 1.25
PDF_500_SECONDS = 10
PDF_MB_PER_PAGE = 3.0

PAGES = ["my_actions", "plan", "action", "actions_table", "actions_table_filtered", "dashboard", "coverage"]
PAGE_TITLES = {
    "my_actions": "My actions", "plan": "Plan page (500 actions)", "action": "Action page",
    "actions_table": "Actions table", "actions_table_filtered": "Actions table, filtered",
    "dashboard": "Dashboard (live plans)", "coverage": "Coverage matrix",
}

_children: list[subprocess.Popen] = []


# ============================================================================ helpers


def log(message: str = "") -> None:
    line = f"[{time.strftime('%H:%M:%S')}] {message}" if message else ""
    print(line, flush=True)
    with LOG.open("a", encoding="utf-8") as f:
        f.write(line + "\n")


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _stop(process: subprocess.Popen, grace: float = 15) -> None:
    """Stop a child we started (and its own process group), by its id."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)


def _stop_children() -> None:
    for process in list(_children):
        _stop(process, grace=5)


def _on_signal(signum, frame):
    _stop_children()
    sys.exit(128 + signum)


def start(cmd: list[str], *, env: dict, stdout=None) -> subprocess.Popen:
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and tools, no shell
        cmd, cwd=ROOT, env=env, stdout=stdout, stderr=subprocess.STDOUT if stdout else None, start_new_session=True,
    )
    _children.append(process)
    return process


def run(cmd: list[str], *, env: dict, timeout: float = 3600, quiet: bool = False) -> str:
    """Run a child to the end; its output goes to bench.log (unless ``quiet``) and is returned."""
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as out:
        process = start(cmd, env=env, stdout=out)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            _stop(process)
            raise SystemExit(f"Timed out after {timeout:.0f}s: {' '.join(cmd)}") from None
        finally:
            _children.remove(process)
        out.seek(0)
        text = out.read()
    with LOG.open("a", encoding="utf-8") as f:
        f.write(f"$ {' '.join(cmd)}\n{'' if quiet else text}\n")
    if process.returncode != 0:
        raise SystemExit(f"Failed ({process.returncode}): {' '.join(cmd)}\n{text[-3000:]}")
    return text


def worker(kind: str, *args: str, env: dict, timeout: float = 3600) -> dict:
    """Run one measurement in a fresh process (a database per process; clean memory figures)."""
    out = WORK / f"{kind}-{os.getpid()}-{time.monotonic_ns()}.json"
    run([PYTHON, str(Path(__file__)), "--worker", kind, "--out", str(out), *args], env=env, timeout=timeout)
    data = json.loads(out.read_text())
    out.unlink()
    return data


# ======================================================================== environment


class Databases:
    def __init__(self, url: str):
        parts = urlsplit(url)
        if parts.scheme not in ("postgres", "postgresql"):
            raise SystemExit("DATABASE_URL must be a PostgreSQL URL, e.g. postgres://postgres@127.0.0.1:5432/actionplans_bench")
        if parts.hostname not in ("127.0.0.1", "localhost", "::1", None):
            raise SystemExit(f"The bench only talks to this machine: DATABASE_URL names {parts.hostname!r}.")
        self.full = parts.path.lstrip("/")
        if "bench" not in self.full:
            raise SystemExit(f"Refusing to drop {self.full!r}: the bench database's name must contain 'bench'.")
        self.small = f"{self.full}_small"
        self.parts = parts

    def url(self, name: str) -> str:
        return self.parts._replace(path=f"/{name}").geturl()

    def admin(self, sql_statements: list, database: str = "postgres") -> None:
        import psycopg

        p = self.parts
        with psycopg.connect(host=p.hostname or None, port=p.port or 5432, user=p.username, password=p.password,
                             dbname=database, autocommit=True) as conn:
            for statement in sql_statements:
                conn.execute(statement)

    def recreate(self) -> None:
        from psycopg import sql

        for name in (self.full, self.small):
            self.admin([
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)),
                sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)),
            ])

    def jit_on(self) -> bool:
        import psycopg

        p = self.parts
        with psycopg.connect(host=p.hostname or None, port=p.port or 5432, user=p.username, password=p.password,
                             dbname=self.full) as conn:
            return conn.execute("SHOW jit").fetchone()[0] == "on"

    def settle(self) -> None:
        """Cancel the queries the bench's stopped server left running in the bench database
        (a sync worker killed at its timeout leaves its query running), and wait for them to
        end, so that they do not run on into the next measurement."""
        import psycopg

        p = self.parts
        with psycopg.connect(host=p.hostname or None, port=p.port or 5432, user=p.username, password=p.password,
                             dbname=self.full, autocommit=True) as conn:
            others = "datname = current_database() AND pid <> pg_backend_pid() AND state = 'active'"
            conn.execute(f"SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE {others}")  # noqa: S608 - constant
            deadline = time.monotonic() + 60
            while conn.execute(f"SELECT count(*) FROM pg_stat_activity WHERE {others}").fetchone()[0]:  # noqa: S608
                if time.monotonic() > deadline:
                    break
                time.sleep(0.5)

    def analyze(self) -> None:
        for name in (self.full, self.small):
            self.admin(["VACUUM ANALYZE"], database=name)


def django_env(database_url: str, *, jit_off: bool = False) -> dict:
    """Production settings (DEBUG off, whitenoise's manifest), on this machine. ``jit_off``
    turns PostgreSQL's JIT compilation off for every connection (libpq's PGOPTIONS), for
    the comparison run."""
    env = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="bench-only-secret-key-not-for-any-deployment-0123456789",  # noqa: S106
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        MFA_REQUIRED="false",
        LOG_LEVEL="WARNING",
        PRIVATE_FILES_ROOT=str(WORK / "files"),
        PYTHONUNBUFFERED="1",
    )
    if jit_off:
        env["PGOPTIONS"] = (env.get("PGOPTIONS", "") + " -c jit=off").strip()
    return env


def setup(dbs: Databases) -> None:
    if not (ROOT / "static" / "dist").is_dir():
        raise SystemExit("static/dist is missing: run `make assets` first (the pages need the built CSS).")
    log(f"Creating the databases {dbs.full} and {dbs.small} afresh")
    dbs.recreate()
    for name, scale in ((dbs.full, FULL_SCALE), (dbs.small, SMALL_SCALE)):
        env = django_env(dbs.url(name))
        started = time.monotonic()
        run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env=env)
        log(f"  migrated {name} in {time.monotonic() - started:.0f}s")
        started = time.monotonic()
        run([PYTHON, "manage.py", "generate_scale_data", "--scale", str(scale), "--seed", str(SEED)], env=env)
        log(f"  generate_scale_data --scale {scale} into {name}: {time.monotonic() - started:.0f}s")
        # What an operator does once after loading years of history: store the month ends
        # the dashboards' trend reads (the beat task does it monthly from then on).
        started = time.monotonic()
        run([PYTHON, "manage.py", "shell", "-c",
             "from actionplans.dashboards import rag_snapshots_record; print(rag_snapshots_record())"], env=env)
        log(f"  month-end RAG snapshots for {name}: {time.monotonic() - started:.0f}s")
    dbs.analyze()
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env=django_env(dbs.url(dbs.full)))


# ============================================================== workers (in Django)


def django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def bench_context() -> dict:
    """What the pages are measured on, found the same way in either database: the biggest
    plan, the bench officer's first action in it, the inspection it answers."""
    from django.db.models import Count

    from actionplans.models import Action, Plan
    from partners.models import User

    people = {u.role: u for u in User.objects.filter(email__startswith="bench-", email__endswith="@scale.example")}
    plan = Plan.objects.annotate(n=Count("actions")).order_by("-n", "slug").first()
    officer_actions = Action.objects.filter(
        plan=plan, lead_post__holdings__person=people["officer"], lead_post__holdings__ended_on__isnull=True
    ).order_by("order")
    return {
        "people": people,
        "plan": plan,
        "action": officer_actions.first(),
        "officer_actions": officer_actions,
        "inspection": plan.inspections.order_by("pk").first(),
        "agency": people["partner_officer"].agency.short_name,
    }


def page_urls(ctx: dict) -> dict[str, tuple[str, object]]:
    from django.urls import reverse

    p = ctx["people"]
    table = reverse("actionplans:action_list")
    return {
        "my_actions": (reverse("actionplans:my_actions"), p["officer"]),
        "plan": (reverse("actionplans:plan_detail", args=[ctx["plan"].slug]), p["plan_manager"]),
        "action": (reverse("actionplans:action_detail", args=[ctx["action"].pk]), p["officer"]),
        "actions_table": (table, p["director"]),
        "actions_table_filtered": (f"{table}?agency={ctx['agency']}&rag=red&rag=amber&sort=due", p["director"]),
        "dashboard": (reverse("actionplans:dashboard"), p["director"]),
        "coverage": (reverse("inspections:coverage", args=[ctx["inspection"].pk]), p["director"]),
    }


def _timed_get(client, url: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}, not 200")
    return elapsed, response.status_code


SERVER_SIDE_CURSOR = re.compile(r'^DECLARE\s+"?\w+"?\s+NO SCROLL CURSOR\s+WITH(?:OUT)? HOLD\s+FOR\s+', re.I)
TRANSACTION_CONTROL = re.compile(r"^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.I)


def sql_floor_ms(statements: list[str], runs: int) -> float:
    """The time of the page's own SQL statements run alone, one after another, fetching every
    row, inside a transaction rolled back (the session save is among them). A query the page
    read through a server-side cursor (``.iterator()``) is run as the plain SELECT, and the
    page's own BEGIN and COMMIT are left out."""
    from django.db import connection, transaction

    statements = [SERVER_SIDE_CURSOR.sub("", s) for s in statements if not TRANSACTION_CONTROL.match(s)]
    times: list[float] = []
    budget = time.monotonic() + FLOOR_BUDGET_SECONDS
    while len(times) < runs and (not times or time.monotonic() < budget):
        with transaction.atomic():
            started = time.perf_counter()
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
                    if cursor.description is not None:
                        cursor.fetchall()
            times.append((time.perf_counter() - started) * 1000)
            transaction.set_rollback(True)
    return statistics.median(times)


def measure_page(client, url: str, runs: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    budget = time.monotonic() + WARMUP_BUDGET_SECONDS
    for _ in range(PAGE_WARMUP):
        _timed_get(client, url)
        if time.monotonic() > budget:
            break
    with CaptureQueriesContext(connection) as queries:
        _timed_get(client, url)
    statements = [q["sql"] for q in queries.captured_queries]
    times: list[float] = []
    budget = time.monotonic() + PAGE_BUDGET_SECONDS
    while len(times) < runs and (len(times) < min(runs, PAGE_MIN_RUNS) or time.monotonic() < budget):
        times.append(_timed_get(client, url)[0])
    return {
        "url": url, "queries": len(statements), "p50_ms": median(times), "p95_ms": percentile(times, 95),
        "sql_floor_ms": sql_floor_ms(statements, FLOOR_RUNS if runs > 1 else 1), "runs": len(times),
    }


PLAIN_TABLE = """{% load govuk %}<div class="app-table-wrap" role="region" aria-labelledby="table-caption" tabindex="0">
<table class="govuk-table govuk-!-font-size-16"><caption class="govuk-table__caption govuk-table__caption--s govuk-visually-hidden" id="table-caption">{{ caption }}</caption>
<thead class="govuk-table__head"><tr class="govuk-table__row">{% for name, heading in headings %}<th scope="col" class="govuk-table__header"><a class="govuk-link govuk-link--no-visited-state app-sort-link" href="?sort={{ name }}">{{ heading }}</a></th>{% endfor %}</tr></thead>
<tbody class="govuk-table__body">{% for a in rows %}<tr class="govuk-table__row">
<td class="govuk-table__cell app-nowrap">{{ a.reference }}</td>
<td class="govuk-table__cell"><a class="govuk-link" href="{% url 'actionplans:action_detail' a.pk %}">{{ a.description|truncatechars:140 }}</a></td>
<td class="govuk-table__cell app-nowrap">{% rag_tag a.rag %}</td>
<td class="govuk-table__cell">{% if not a.due_date %}No date{% else %}<span class="app-nowrap">{{ a.due_date|date:"j M Y" }}</span>{% if a.is_revised or a.due_date < today and not a.is_complete %}<br><span class="govuk-body-s">({% if a.is_revised %}revised from {{ a.original_due_date|date:"j M Y" }}{% endif %}{% if a.is_revised and a.due_date < today and not a.is_complete %}; {% endif %}{% if a.due_date < today and not a.is_complete %}overdue{% endif %})</span>{% endif %}{% endif %}</td>
<td class="govuk-table__cell">{{ a.get_status_display }}</td>
<td class="govuk-table__cell app-nowrap">{{ a.last_update_on|date:"j M Y"|default:"None yet" }}</td>
<td class="govuk-table__cell">{% if a.lead_post_id %}{{ a.lead_post.title }} ({{ a.lead_post.agency.short_name }}){% else %}{{ a.lead_text }}{% endif %}</td>
<td class="govuk-table__cell">{{ a.plan.title }}</td>
</tr>{% endfor %}</tbody></table></div>"""


def measure_table_render(director, today) -> dict:
    """django-tables2 drawing 100 rows against a plain template loop drawing the same cells
    from the same (already loaded) rows: the table library's own overhead."""
    from django.template import engines
    from django.test import RequestFactory
    from django_tables2 import RequestConfig

    from actionplans.actions.selectors import actions_for_list
    from actionplans.actions.tables import ActionTable, prefetch_for_columns

    columns = list(ActionTable.default_columns)
    rows = list(
        prefetch_for_columns(actions_for_list(director, today), columns, today)
        .order_by("-plan__plan_date", "plan__title", "order", "pk")[:100]
    )
    request = RequestFactory().get("/actions/")
    request.user = director
    plain = engines["django"].from_string(PLAIN_TABLE)
    headings = ActionTable.column_choices()[: len(columns)]

    def with_tables2() -> str:
        table = ActionTable(rows, columns=columns, today=today, order_by=())
        RequestConfig(request, paginate=False).configure(table)
        return table.as_html(request)

    def with_loop() -> str:
        return plain.render({"rows": rows, "today": today, "headings": headings, "caption": "100 actions"}, request)

    def timed(draw) -> float:
        for _ in range(3):
            draw()
        times = []
        for _ in range(RENDER_RUNS):
            started = time.perf_counter()
            draw()
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times)

    if with_tables2().count("<tr") != with_loop().count("<tr") or len(rows) != 100:
        raise SystemExit("The plain loop and the table do not draw the same rows.")
    tables2_ms, loop_ms = timed(with_tables2), timed(with_loop)
    return {"tables2_ms": tables2_ms, "loop_ms": loop_ms, "rows": len(rows)}


def measure_admin(admin_user, per_page: int, runs: int) -> dict:
    """The Django admin's changelist of actions at the actions table's page size."""
    from django.contrib import admin
    from django.test import Client

    from actionplans.models import Action

    admin.site._registry[Action].list_per_page = per_page
    client = Client()
    client.force_login(admin_user)
    return measure_page(client, "/admin/actionplans/action/", runs)


def worker_pages(out: Path, runs: int) -> None:
    django_setup()
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from actionplans.actions.table_views import PER_PAGE
    from actionplans.models import Action, ProgressUpdate

    ctx = bench_context()
    today = timezone.localdate()
    results = {"pages": {}, "context": {
        "plan": ctx["plan"].slug, "plan_actions": ctx["plan"].actions.count(), "action": ctx["action"].reference,
        "actions": Action.objects.count(), "updates": ProgressUpdate.objects.count(),
    }}
    for name, (url, person) in page_urls(ctx).items():
        client = Client()
        client.force_login(person)
        try:
            results["pages"][name] = {**measure_page(client, url, runs), "as": person.email}
        except Exception as exc:  # noqa: BLE001 - a failing page is reported, and the bench goes on
            if name != "action":
                raise
            # The featured action carries every kind of record; if its page fails, say so and
            # measure the lead's first action that has no measure, so the other numbers stand.
            error = f"{url}: {exc.__class__.__name__}: {exc}"
            print(f"ERROR on the action page {error}", flush=True)
            fallback = ctx["officer_actions"].filter(measures__isnull=True).first()
            url = reverse("actionplans:action_detail", args=[fallback.pk])
            results["pages"][name] = {**measure_page(client, url, runs), "as": person.email, "error": error,
                                      "fallback": fallback.reference}
        page = results["pages"][name]
        print(f"{name}: {page['queries']} queries, p50 {page['p50_ms']:.0f} ms over {page['runs']} runs, "
              f"floor {page['sql_floor_ms']:.0f} ms", flush=True)
    if runs > 1:
        results["admin"] = measure_admin(ctx["people"]["admin"], PER_PAGE, runs)
        table_admin = Client()
        table_admin.force_login(ctx["people"]["admin"])
        results["table_as_admin"] = measure_page(table_admin, page_urls(ctx)["actions_table"][0], runs)
        results["table_render"] = measure_table_render(ctx["people"]["director"], today)
    out.write_text(json.dumps(results, indent=2))


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def worker_pdf(out: Path, slug: str, html_path: str | None) -> None:
    """One Ofsted-ready PDF in this fresh process: time, pages and the rise in peak memory;
    then WeasyPrint alone on the paper's HTML (for the Chromium comparison)."""
    django_setup()
    import weasyprint  # noqa: F401 - loaded before the baseline, as a worker has it loaded
    from django.utils import timezone

    from actionplans.models import Plan
    from reports.choices import ReportFormat, ReportKind
    from reports.papers.content import build_ofsted_plan, snapshot_for
    from reports.papers.pdf import _html_to_pdf, html_for, mark_tall_rows
    from reports.papers.registry import render_paper

    plan = Plan.objects.get(slug=slug)
    actions = plan.actions.count()
    today = timezone.localdate()
    base = _max_rss_mb()
    started = time.perf_counter()
    rendered = render_paper(plan, kind=ReportKind.OFSTED_PLAN, fmt=ReportFormat.PDF, as_at=today)
    seconds = time.perf_counter() - started
    peak = _max_rss_mb() - base

    # Again, warm, step by step (the bench's own copy of render_ofsted_plan_pdf's steps), to
    # see where the time goes and to time WeasyPrint on the HTML alone.
    started = time.perf_counter()
    paper = build_ofsted_plan(snapshot_for(plan, today, {}), {})
    read_seconds = time.perf_counter() - started
    started = time.perf_counter()
    mark_tall_rows(paper.snapshot)
    html = html_for("print/ofsted_plan.html", as_at=today, paper=paper, snapshot=paper.snapshot, document_title=paper.title)
    html_seconds = time.perf_counter() - started
    started = time.perf_counter()
    _html_to_pdf(html, as_at=today)
    weasy_seconds = time.perf_counter() - started
    if html_path:
        from reports.papers.pdf import static_root

        # Chromium reads the same HTML, its stylesheet found from the static folder as WeasyPrint's is.
        Path(html_path).write_text(html.replace("<head>", f'<head>\n  <base href="{static_root().as_uri()}/">', 1))
    out.write_text(json.dumps({
        "actions": actions, "seconds": seconds, "pages": rendered.page_count, "peak_mb": peak, "base_mb": base,
        "weasy_seconds": weasy_seconds, "read_seconds": read_seconds, "html_seconds": html_seconds,
        "bytes": len(rendered.content),
    }))


def import_workbook(path: Path, actions: int = 1000, seed: int = SEED) -> None:
    """A plan as councils send them: section rows, a finding cell blank for "same as above",
    leads as posts, free-text dates and dated progress notes in one cell."""
    from openpyxl import Workbook

    rng = random.Random(seed)
    book = Workbook()
    sheet = book.active
    sheet.title = "Action plan"
    sheet.append(["Ref", "Issues raised by inspectors", "Action", "What will be different", "How will we know",
                  "Lead", "Completion date", "Progress", "RAG"])
    leads = ["Principal Social Worker", "Head of Safeguarding", "Service Manager, MASH", "Head of Early Help",
             "Designated Nurse for Safeguarding Children", "Detective Chief Inspector, Child Abuse Investigation",
             "Virtual School Head", "Head of Quality Assurance", "Workforce Development Manager"]
    sections = 10
    per_section = actions // sections
    for s in range(1, sections + 1):
        sheet.append([f"{s}. Improvement theme {s}"])
        for n in range(1, per_section + 1):
            month = rng.randint(1, 12)
            year = rng.choice([2026, 2027])
            due = rng.choice([f"{rng.randint(1, 28):02d}/{month:02d}/{year}", f"{month:02d}/{year}", "Immediately",
                              f"From {month:02d}/{year}"])
            progress = " ".join(
                f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2025 - Audit of {rng.randint(5, 40)} cases "
                f"completed; {rng.randint(40, 95)}% met the standard." for _ in range(rng.randint(0, 3))
            )
            sheet.append([
                f"{s}.{n}",
                f"{rng.randint(10, 90)}. The quality of supervision is too variable in theme {s}." if n == 1 else "",
                f"Review and strengthen practice area {s}.{n} across all teams, with partners.",
                "Children receive a timely and proportionate response.",
                f"{rng.choice([60, 75, 80, 90])}% of audited cases rated good or better.",
                rng.choice(leads), due, progress, rng.choice(["Red", "Amber", "Green", ""]),
            ])
    book.save(path)


def worker_import(out: Path, runs: int) -> None:
    django_setup()
    from django.db import transaction

    from actionplans.importing import build_preview, plan_import_commit, read_file

    path = WORK / "import-1000.xlsx"
    import_workbook(path)
    times, saved, problems = [], 0, 0
    for _ in range(runs):
        with transaction.atomic():
            started = time.perf_counter()
            grid = read_file(str(path), filename=path.name)
            preview = build_preview(grid)
            plan = plan_import_commit(preview=preview)
            times.append(time.perf_counter() - started)
            saved, problems = plan.actions.count(), len(preview.problems)
            transaction.set_rollback(True)  # the bench database stays as generated
    out.write_text(json.dumps({"seconds": times, "actions": saved, "problems": problems}))


def worker_sessions(out: Path) -> None:
    """Signed-in sessions for several people, and the pages each would visit, weighted."""
    django_setup()
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from actionplans.models import Action, Plan
    from partners.choices import Role
    from partners.models import User

    today = timezone.localdate()
    ctx = bench_context()
    urls = page_urls(ctx)
    live = list(Plan.objects.filter(status="live").order_by("slug"))
    rng = random.Random(SEED)
    people = list(ctx["people"].values())
    for role in (Role.OFFICER, Role.OFFICER, Role.OFFICER, Role.PARTNER_OFFICER, Role.PARTNER_OFFICER, Role.DIRECTOR):
        candidates = list(User.objects.filter(role=role, email__endswith="@scale.example")
                          .exclude(email__startswith="bench-").exclude(pk__in=[p.pk for p in people]).order_by("pk")[:40])
        people.append(rng.choice(candidates))
    table = reverse("actionplans:action_list")
    sessions = []
    for person in people:
        client = Client()
        client.force_login(person)
        visible = list(Action.objects.for_user(person).filter(plan__in=live).order_by("pk").values_list("pk", flat=True)[:2000])
        mine = list(
            Action.objects.filter(lead_post__holdings__person=person, lead_post__holdings__ended_on__isnull=True)
            .order_by("pk").values_list("pk", flat=True)[:50]
        ) or visible
        plan_urls = [reverse("actionplans:plan_detail", args=[p.slug]) for p in live]
        mix = [
            (urls["my_actions"][0], 3 if person.role in (Role.OFFICER, Role.PARTNER_OFFICER, Role.PLAN_MANAGER) else 0),
            *[(reverse("actionplans:action_detail", args=[pk]), 4 / len(mine[:10])) for pk in rng.sample(mine, min(10, len(mine)))],
            *[(url, 2 / len(plan_urls)) for url in plan_urls],
            (table, 1),
            (f"{table}?page={rng.randint(2, 20)}", 1),
            (f"{table}?rag=red&overdue=yes", 1),
            (urls["actions_table_filtered"][0], 1),
            (urls["dashboard"][0], 3 if person.role in (Role.DIRECTOR, Role.MEMBER, Role.CLERK) else 1),
            (urls["coverage"][0], 1),
        ]
        sessions.append({
            "email": person.email, "cookie": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "mix": [(url, weight) for url, weight in mix if weight > 0],
        })
    out.write_text(json.dumps({"cookie_name": settings.SESSION_COOKIE_NAME, "sessions": sessions, "today": str(today)}))


# ======================================================================= measurements


def measure_pages(dbs: Databases) -> dict:
    log(f"Pages at --scale {SMALL_SCALE} (query counts)")
    small = worker("pages", "--runs", "1", env=django_env(dbs.url(dbs.small)))
    log(f"Pages at --scale {FULL_SCALE}: {PAGE_RUNS} runs each after {PAGE_WARMUP} warm-ups")
    full = worker("pages", "--runs", str(PAGE_RUNS), env=django_env(dbs.url(dbs.full)))
    results = {"small": small, "full": full}
    if dbs.jit_on():
        log("Pages at full size again with PostgreSQL's JIT off (PGOPTIONS), for comparison")
        results["jit_off"] = worker("pages", "--runs", str(max(PAGE_MIN_RUNS, PAGE_RUNS // 3)),
                                    env=django_env(dbs.url(dbs.full), jit_off=True))
    return results


def measure_pdfs(dbs: Databases) -> dict:
    env = django_env(dbs.url(dbs.full))
    slugs = json.loads(run([PYTHON, "manage.py", "shell", "-c", (
        "import json; from django.db.models import Count; from actionplans.models import Plan; "
        "plans = list(Plan.objects.annotate(n=Count('actions')).values_list('slug', 'n')); "
        "print(json.dumps({str(t): min(plans, key=lambda p: (abs(p[1] - t), p[0]))[0] for t in (50, 500)}))"
    )], env=env).strip().splitlines()[-1])
    results = {}
    html = WORK / "ofsted-plan-500.html"
    for target in (50, 500):
        runs = []
        for i in range(PDF_RUNS):
            extra = ["--html", str(html)] if target == 500 and i == 0 else []
            runs.append(worker("pdf", "--slug", slugs[str(target)], *extra, env=env))
            r = runs[-1]
            log(f"  PDF of {r['actions']} actions: {r['seconds']:.1f}s in a fresh process, {r['pages']} pages, "
                f"+{r['peak_mb']:.0f} MB over {r['base_mb']:.0f} MB; warm again: read {r['read_seconds']:.1f}s, "
                f"HTML {r['html_seconds']:.1f}s, WeasyPrint {r['weasy_seconds']:.1f}s")
        results[target] = runs
    results["chromium"] = chromium_seconds(html)
    return results


def chromium_seconds(html: Path) -> list[float] | None:
    if not Path(CHROMIUM).exists():
        log("  Chromium not found: chromium_ratio is null")
        return None
    times = []
    for i in range(PDF_RUNS):
        profile = tempfile.mkdtemp(prefix="bench-chromium-", dir=WORK)
        pdf = WORK / f"chromium-{i}.pdf"
        cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--no-first-run", "--no-pdf-header-footer", f"--user-data-dir={profile}",
               f"--print-to-pdf={pdf}", html.as_uri()]
        started = time.perf_counter()
        try:
            run(cmd, env=dict(os.environ), timeout=300, quiet=True)  # Chromium's D-Bus complaints say nothing
        except SystemExit as exc:
            log(f"  Chromium failed: {str(exc)[:300]}")
            return None
        finally:
            shutil.rmtree(profile, ignore_errors=True)
        times.append(time.perf_counter() - started)
        if not pdf.exists() or pdf.stat().st_size == 0:
            log("  Chromium wrote no PDF: chromium_ratio is null")
            return None
        log(f"  Chromium print-to-PDF of the same HTML: {times[-1]:.1f}s ({pdf.stat().st_size // 1024} KB)")
    return times


def measure_import(dbs: Databases) -> dict:
    result = worker("import", "--runs", str(IMPORT_RUNS), env=django_env(dbs.url(dbs.full)))
    log(f"  import of {result['actions']} actions: " + ", ".join(f"{s:.1f}s" for s in result["seconds"]))
    return result


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, url: str, cookie: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=LOAD_TIMEOUT)
    try:
        conn.request("GET", url, headers={"Cookie": cookie, "Host": "127.0.0.1"})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def measure_load(dbs: Databases, *, jit_off: bool = False) -> dict:
    env = django_env(dbs.url(dbs.full), jit_off=jit_off)
    plan = worker("sessions", env=env)
    cookie_name = plan["cookie_name"]
    rng = random.Random(SEED)
    choices = [(f"{cookie_name}={s['cookie']}", url, weight) for s in plan["sessions"] for url, weight in s["mix"]]
    requests = [(c, u) for c, u, _ in rng.choices(choices, [w for _, _, w in choices], k=int(LOAD_RPS * LOAD_SECONDS))]
    port = free_port()
    gunicorn_log = (BENCH / "gunicorn.log").open("a" if jit_off else "w", encoding="utf-8")
    server = start([PYTHON, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
                    "--worker-class", "sync", "--timeout", "60", "--access-logfile", "-", "--error-logfile", "-"],
                   env=env, stdout=gunicorn_log)
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise SystemExit("gunicorn stopped at start: see bench/gunicorn.log")
            with contextlib.suppress(OSError):
                if _get(port, "/healthz", "") == 200:
                    break
            if time.monotonic() > deadline:
                raise SystemExit("gunicorn did not answer /healthz within 60s: see bench/gunicorn.log")
            time.sleep(0.5)
        # Warm both workers (imports, template loading) before the clock starts, on pages that
        # answer quickly, for at most 30 s.
        warm_until = time.monotonic() + 30
        for cookie, url in [r for r in requests if "/dashboard/" not in r[1]][:10]:
            if time.monotonic() > warm_until:
                break
            with contextlib.suppress(OSError):
                _get(port, url, cookie)
        log(f"  {len(plan['sessions'])} signed-in people, {len(requests)} requests at {LOAD_RPS:g}/s for "
            f"{LOAD_SECONDS}s against gunicorn (2 sync workers) on 127.0.0.1:{port}")
        results: list[tuple[str, float, int | None]] = []
        lock = threading.Lock()

        def fetch(cookie: str, url: str, due: float) -> None:
            status = None
            with contextlib.suppress(OSError, http.client.HTTPException):
                status = _get(port, url, cookie)
            # Latency from when the request was due, so a backlog counts against the server.
            with lock:
                results.append((url, (time.perf_counter() - due) * 1000, status))

        began = time.perf_counter() + 0.2
        with ThreadPoolExecutor(max_workers=LOAD_THREADS) as pool:
            for i, (cookie, url) in enumerate(requests):
                due = began + i / LOAD_RPS
                time.sleep(max(0.0, due - time.perf_counter()))
                pool.submit(fetch, cookie, url, due)
        elapsed = time.perf_counter() - began
    finally:
        _stop(server)
        _children.remove(server)
        gunicorn_log.close()
        dbs.settle()
    latencies = [ms for _, ms, _ in results]
    errors = [(url, status) for url, _, status in results if status is None or not 200 <= status < 300]
    for url, status in errors[:10]:
        log(f"  error: {status} for {url}")
    by_kind: dict[str, list[float]] = {}
    for url, ms, _ in results:
        by_kind.setdefault(_kind(url), []).append(ms)
    for kind, values in sorted(by_kind.items()):
        log(f"    {kind:<18} n={len(values):<4} p50 {median(values):6.0f} ms  p95 {percentile(values, 95):6.0f} ms")
    return {
        "rps": len(results) / elapsed, "p95_ms": percentile(latencies, 95), "p99_ms": percentile(latencies, 99),
        "errors": len(errors), "requests": len(results), "target_rps": LOAD_RPS, "seconds": LOAD_SECONDS,
    }


def _kind(url: str) -> str:
    for prefix, kind in (("/my-actions/", "my actions"), ("/dashboard/", "dashboard"), ("/inspections/", "coverage"),
                         ("/plans/", "plan page")):
        if url.startswith(prefix):
            return kind
    if url.startswith("/actions/?") or url == "/actions/":
        return "actions table"
    return "action page"


# =========================================================================== report


def verdict(ok: bool | None) -> str:
    return "n/a " if ok is None else ("PASS" if ok else "MISS")


# Which keys of results.json each measurement (--only NAME) writes.
RESULT_KEYS = {
    "pages": ("pages", "admin_ratio", "table_ratio"),
    "pdf": ("pdf",),
    "import": ("import_1000_seconds",),
    "load": ("load",),
}


def assemble(pages: dict | None, pdfs: dict | None, imported: dict | None, load: dict | None) -> dict:
    results: dict = {"pages": {}, "admin_ratio": None, "table_ratio": None,
                     "pdf": {"actions_50": None, "actions_500": None, "chromium_ratio": None},
                     "import_1000_seconds": None, "load": None}
    if pages:
        small, full = pages["small"]["pages"], pages["full"]["pages"]
        for name in PAGES:
            results["pages"][name] = {
                "queries_small": small[name]["queries"], "queries_full": full[name]["queries"],
                "p50_ms": rounded(full[name]["p50_ms"]), "p95_ms": rounded(full[name]["p95_ms"]),
                "sql_floor_ms": rounded(full[name]["sql_floor_ms"]),
            }
        f = pages["full"]
        results["admin_ratio"] = rounded(f["table_as_admin"]["p50_ms"] / f["admin"]["p50_ms"], 2)
        results["table_ratio"] = rounded(f["table_render"]["tables2_ms"] / f["table_render"]["loop_ms"], 2)
    if pdfs:
        for target in (50, 500):
            runs = pdfs[target]
            results["pdf"][f"actions_{target}"] = {
                "seconds": rounded(median([r["seconds"] for r in runs]), 2), "pages": runs[0]["pages"],
                "peak_mb": rounded(median([r["peak_mb"] for r in runs]), 1),
            }
        if pdfs["chromium"]:
            weasy = median([r["weasy_seconds"] for r in pdfs[500]])
            results["pdf"]["chromium_ratio"] = rounded(weasy / median(pdfs["chromium"]), 2)
    if imported:
        results["import_1000_seconds"] = rounded(median(imported["seconds"]), 2)
    if load:
        results["load"] = {"rps": rounded(load["rps"], 2), "p95_ms": rounded(load["p95_ms"]),
                           "p99_ms": rounded(load["p99_ms"]), "errors": load["errors"]}
    return results


def report(results: dict, raw: dict) -> None:
    log()
    log("=" * 100)
    log(f"Scale bench, seed {SEED}: --scale {FULL_SCALE} against --scale {SMALL_SCALE} for query counts")
    log(f"Machine: {os.cpu_count()} cores, load average at the end {os.getloadavg()[0]:.2f} "
        "(other work may share the machine: times are upper bounds)")
    if raw.get("pages"):
        ctx = raw["pages"]["full"]["context"]
        log(f"Full size: {ctx['actions']:,} actions, {ctx['updates']:,} progress updates; plan page and PDF on "
            f"{ctx['plan']} ({ctx['plan_actions']} actions); action page {ctx['action']}")
        log()
        log(f"{'Page':<26}{'queries small/full':>20}{'p50 ms':>9}{'p95 ms':>9}{'SQL floor':>11}"
            f"{'  same queries':>15}{'  p95<300ms':>12}{'  <=3x floor':>13}")
        for name, page in results["pages"].items():
            same = page["queries_small"] == page["queries_full"]
            fast = page["p95_ms"] < PAGE_P95_MS
            floor = page["p50_ms"] <= FLOOR_FACTOR * max(page["sql_floor_ms"], 0.1)
            log(f"{PAGE_TITLES[name]:<26}{page['queries_small']:>9} / {page['queries_full']:<8}{page['p50_ms']:>9.0f}"
                f"{page['p95_ms']:>9.0f}{page['sql_floor_ms']:>11.1f}{verdict(same):>15}{verdict(fast):>12}{verdict(floor):>13}")
        f = raw["pages"]["full"]
        for name, page in f["pages"].items():
            if page.get("error"):
                log(f"{PAGE_TITLES[name]}: {page['error']}; measured on action {page['fallback']} instead "
                    "(the lead's first action with no measure), at both sizes")
        log()
        log(f"Actions table / admin changelist (25 rows, both as the bench admin): {results['admin_ratio']:.2f}x "
            f"({f['table_as_admin']['p50_ms']:.0f} ms / {f['admin']['p50_ms']:.0f} ms)")
        log(f"django-tables2 / plain loop, 100 rows: {results['table_ratio']:.2f}x "
            f"({f['table_render']['tables2_ms']:.1f} ms / {f['table_render']['loop_ms']:.1f} ms)   "
            f"{verdict(results['table_ratio'] <= TABLE_FACTOR)} (target <= {TABLE_FACTOR}x)")
    pdf = results["pdf"]
    for target in (50, 500):
        r = pdf[f"actions_{target}"]
        if r:
            per_page = r["peak_mb"] / max(1, r["pages"])
            line = (f"Ofsted-ready PDF, {target} actions: {r['seconds']:.1f}s, {r['pages']} pages, peak +{r['peak_mb']:.0f} MB "
                    f"({per_page:.2f} MB a page)")
            if target == 500:
                line += (f"   {verdict(r['seconds'] < PDF_500_SECONDS)} (<{PDF_500_SECONDS}s)"
                         f"   {verdict(per_page < PDF_MB_PER_PAGE)} (<{PDF_MB_PER_PAGE:g} MB a page)")
            log(line)
    if raw.get("pdfs"):
        chromium = pdf["chromium_ratio"]
        log("WeasyPrint / Chromium on the 500-action HTML: " + (f"{chromium:.2f}x" if chromium else "n/a (no Chromium)"))
    if results["import_1000_seconds"] is not None:
        log(f"Import of a 1,000-action workbook (read, preview, save): {results['import_1000_seconds']:.1f}s")
    load = results["load"]
    if load:
        log(f"Load, {raw['load']['target_rps']:g} requests/s for {raw['load']['seconds']}s: {load['rps']:.2f} rps done, "
            f"p95 {load['p95_ms']:.0f} ms, p99 {load['p99_ms']:.0f} ms, {load['errors']} errors   {verdict(load['errors'] == 0)}")
    jit_pages, jit_load = (raw.get("pages") or {}).get("jit_off"), raw.get("load_jit_off")
    if jit_pages or jit_load:
        log()
        log("For comparison, not in results.json: the same with PostgreSQL's JIT off (PGOPTIONS='-c jit=off')")
    if jit_pages:
        for name in PAGES:
            page = jit_pages["pages"][name]
            log(f"  {PAGE_TITLES[name]:<26}{page['queries']:>4} queries{page['p50_ms']:>9.0f}{page['p95_ms']:>9.0f}"
                f"{page['sql_floor_ms']:>11.1f}{verdict(page['p95_ms'] < PAGE_P95_MS):>12}"
                f"{verdict(page['p50_ms'] <= FLOOR_FACTOR * max(page['sql_floor_ms'], 0.1)):>13}")
    if jit_load:
        log(f"  Load: {jit_load['rps']:.2f} rps done, p95 {jit_load['p95_ms']:.0f} ms, p99 {jit_load['p99_ms']:.0f} ms, "
            f"{jit_load['errors']} errors   {verdict(jit_load['errors'] == 0)}")
    log("=" * 100)


# ============================================================================= main


def orchestrate(args) -> None:
    url = os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("Set DATABASE_URL to the bench database, e.g. postgres://postgres@127.0.0.1:5432/actionplans_bench")
    dbs = Databases(url)
    only = set(args.only.split(",")) if args.only else {"pages", "pdf", "import", "load"}
    WORK.mkdir(exist_ok=True)
    LOG.write_text("")
    atexit.register(_stop_children)
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    began = time.monotonic()
    log(f"Scale bench on {dbs.full} (and {dbs.small}); {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    if not args.skip_setup:
        setup(dbs)
    raw: dict = {}
    if "pages" in only:
        raw["pages"] = measure_pages(dbs)
    if "pdf" in only:
        log("Ofsted-ready PDF")
        raw["pdfs"] = measure_pdfs(dbs)
    if "import" in only:
        log("Import of a 1,000-action workbook")
        raw["import"] = measure_import(dbs)
    if "load" in only:
        log("Load")
        raw["load"] = measure_load(dbs)
        if dbs.jit_on():
            log("Load again with PostgreSQL's JIT off (PGOPTIONS), for comparison")
            raw["load_jit_off"] = measure_load(dbs, jit_off=True)
    results = assemble(raw.get("pages"), raw.get("pdfs"), raw.get("import"), raw.get("load"))
    written = dict(results)
    if args.only and RESULTS.exists():
        # Some measurements only: the file keeps the others' figures from the last run that
        # made them (the table below shows this run's alone).
        previous = json.loads(RESULTS.read_text())
        for part in {"pages", "pdf", "import", "load"} - only:
            for key in RESULT_KEYS[part]:
                written[key] = previous.get(key, written[key])
    RESULTS.write_text(json.dumps(written, indent=2) + "\n")
    (WORK / "raw.json").write_text(json.dumps(raw, indent=2, default=str))
    report(results, raw)
    log(f"Wrote {RESULTS.relative_to(ROOT)} in {(time.monotonic() - began) / 60:.1f} minutes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip-setup", action="store_true", help="Reuse the databases of an earlier run.")
    parser.add_argument("--only", help="Comma-separated: pages,pdf,import,load (default all).")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--slug", help=argparse.SUPPRESS)
    parser.add_argument("--html", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        out = Path(args.out)
        WORK.mkdir(exist_ok=True)
        {
            "pages": lambda: worker_pages(out, args.runs),
            "pdf": lambda: worker_pdf(out, args.slug, args.html),
            "import": lambda: worker_import(out, args.runs),
            "sessions": lambda: worker_sessions(out),
        }[args.worker]()
        return
    orchestrate(args)


if __name__ == "__main__":
    main()
