"""Evidence, report and import files kept in an S3-compatible object store, so that web and
worker replicas on different machines share them.

The store is moto's S3 server, started here on a free port of 127.0.0.1 and spoken to over
HTTP, with SigV4-signed requests, exactly as MinIO or Amazon S3 would be. The web process
is configured the way a deployment is: the S3_* variables, read by foundation/storage.py into
django-storages' S3Storage. Files go in and come out through the real pages and services,
and the bucket itself is then read with boto3 to see what is (and is not) in it.

Not exercised here: MinIO itself (no container engine on the test machines), TLS to the
store, bucket policies and a store that refuses requests (moto accepts any keys), and
encryption at rest beyond the store saying it applied the one asked for.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from actionplans.actions import services
from actionplans.choices import ActionStatus
from actionplans.models import Action, Evidence, Plan, ProgressUpdate
from config.celery import app as celery_app
from foundation.storage import default_storage_config
from reports.choices import JobStatus, ReportFormat, ReportKind
from reports.models import ReportJob
from reports.services import report_job_create, report_job_run
from tests.factories import (
    ActionFactory,
    PlanFactory,
    PostFactory,
    PostHoldingFactory,
    SectionFactory,
)
from tests.services.conftest import PIDFILE, running_celery_worker, services_missing
from tests.test_uploads import pdf_bytes

moto_server = pytest.importorskip("moto.server", reason="moto[s3] with flask runs the S3 server (dev dependencies)")

pytestmark = pytest.mark.services

REGION = "eu-west-2"
ACCESS_KEY = "actionplans-test"
SECRET_KEY = "actionplans-test-secret"  # moto takes any keys; the requests are signed with these
SAMPLES = Path(__file__).parent.parent / "data" / "samples"
JOB_TIMEOUT = 60


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto's S3 server on a free port, in a thread of this process, for the module."""
    requests_log = logging.getLogger("werkzeug")  # a line per request otherwise
    level = requests_log.level
    requests_log.setLevel(logging.WARNING)
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()
    requests_log.setLevel(level)


@pytest.fixture
def s3_client(s3_endpoint):
    return boto3.client(
        "s3", endpoint_url=s3_endpoint, region_name=REGION,
        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
    )


@pytest.fixture
def bucket(s3_client) -> str:
    """A new, empty bucket for each test, as the compose profile's one-shot job makes it."""
    name = f"actionplans-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    return name


def s3_environment(endpoint: str, bucket: str) -> dict[str, str]:
    """The variables a web or worker replica is given (README, "Configuration")."""
    return {
        "S3_BUCKET": bucket,
        "S3_ENDPOINT_URL": endpoint,
        "S3_REGION": REGION,
        "S3_ACCESS_KEY_ID": ACCESS_KEY,
        "S3_SECRET_ACCESS_KEY": SECRET_KEY,
        "S3_SERVER_SIDE_ENCRYPTION": "AES256",
    }


@dataclass
class ObjectStore:
    bucket: str
    client: object
    local_root: Path

    def object_names(self) -> list[str]:
        listing = self.client.list_objects_v2(Bucket=self.bucket)
        return sorted(entry["Key"] for entry in listing.get("Contents", []))

    def body(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def head(self, key: str) -> dict:
        return self.client.head_object(Bucket=self.bucket, Key=key)


@pytest.fixture
def object_store(settings, monkeypatch, tmp_path, s3_endpoint, bucket, s3_client):
    """This process's default storage is the bucket, configured from the S3_* variables
    through foundation/storage.py. Afterwards, nothing may have been written to local disk."""
    from storages.backends.s3 import S3Storage

    configured_root = Path(django_settings.PRIVATE_FILES_ROOT)
    local_root = tmp_path / "local-files"
    with monkeypatch.context() as env:
        for name, value in s3_environment(s3_endpoint, bucket).items():
            env.setenv(name, value)
        default = default_storage_config(private_files_root=local_root)
    settings.PRIVATE_FILES_ROOT = local_root
    # Django's setting_changed handler drops the cached storages, default_storage included;
    # every FileField's storage is that same lazy default_storage.
    settings.STORAGES = {**settings.STORAGES, "default": default}
    assert isinstance(default_storage, S3Storage)
    assert Evidence._meta.get_field("file").storage is default_storage

    store = ObjectStore(bucket=bucket, client=s3_client, local_root=local_root)
    yield store

    assert not local_root.exists() or [p for p in local_root.rglob("*") if p.is_file()] == []
    for key in store.object_names():
        assert not (configured_root / key).exists(), f"{key} was also written to {configured_root}"


@pytest.fixture
def action(officer, council):
    plan = PlanFactory(title="Testshire JTAI plan", slug="testshire-jtai")
    post = PostFactory(agency=council, title="Principal Social Worker")
    PostHoldingFactory(post=post, person=officer)
    return ActionFactory(plan=plan, lead_post=post, reference="1.1", description="Relaunch the thresholds matrix")


def _update_form(**extra) -> dict:
    return {
        "as_of": timezone.localdate().strftime("%d/%m/%Y"),
        "narrative": "The MASH audit is done; the report is attached.",
        "proposed_rag": "amber",
        "status": ActionStatus.IN_PROGRESS,
        "links": "",
        **extra,
    }


# --- evidence --------------------------------------------------------------------------------


def test_evidence_uploaded_on_the_update_page_is_kept_in_the_bucket_and_downloads_from_it(
    client, officer, outsider, action, object_store
):
    document = pdf_bytes()
    minutes = b"date,item\n01/02/2026,MASH audit\n"
    client.force_login(officer)

    response = client.post(
        reverse("actionplans:progress_create", args=[action.pk]),
        _update_form(files=[
            SimpleUploadedFile("MASH audit.pdf", document, content_type="application/pdf"),
            SimpleUploadedFile("minutes.csv", minutes, content_type="text/csv"),
        ]),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    stored = {e.original_name: e for e in Evidence.objects.all()}
    assert set(stored) == {"MASH audit.pdf", "minutes.csv"}
    assert object_store.object_names() == sorted(e.file.name for e in stored.values())
    pdf = stored["MASH audit.pdf"]
    assert re.fullmatch(r"evidence/\d{4}/\d{2}/[0-9a-f]{32}", pdf.file.name)  # never the uploaded name
    assert object_store.body(pdf.file.name) == document
    assert object_store.body(stored["minutes.csv"].file.name) == minutes
    head = object_store.head(pdf.file.name)
    assert head["ServerSideEncryption"] == "AES256"  # S3_SERVER_SIDE_ENCRYPTION reached the store
    assert head["ContentLength"] == len(document) == pdf.size_bytes

    url = reverse("actionplans:evidence_download", args=[pdf.pk])
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == document
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Length"] == str(len(document))
    assert "MASH audit.pdf" in download["Content-Disposition"]
    assert download["Content-Security-Policy"].startswith("sandbox")
    assert download["Cache-Control"] == "private, no-store"

    # The access check still stands in front of the store.
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_a_rejected_upload_leaves_nothing_in_the_bucket(client, officer, action, object_store):
    client.force_login(officer)
    good = SimpleUploadedFile("minutes.csv", b"date,item\n01/02/2026,MASH audit\n", content_type="text/csv")
    renamed_program = SimpleUploadedFile("audit.pdf", b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf")

    response = client.post(
        reverse("actionplans:progress_create", args=[action.pk]), _update_form(files=[good, renamed_program])
    )

    assert response.status_code == 200
    assert "audit.pdf" in response.content.decode()
    assert not ProgressUpdate.objects.exists() and not Evidence.objects.exists()
    assert object_store.object_names() == []


def test_an_update_that_fails_after_its_files_are_stored_removes_them_from_the_bucket(
    officer, action, object_store, monkeypatch
):
    def database_gone(*args, **kwargs):
        raise DatabaseError("server closed the connection unexpectedly")

    # Fails after evidence_attach has written the files and their rows, in the same
    # transaction: the rows roll back, and the objects must not outlive them.
    monkeypatch.setattr(services, "_save_action", database_gone)
    with pytest.raises(DatabaseError):
        services.progress_update_create(
            action=action, author=officer, narrative="Audit done", proposed_rag="amber",
            status=ActionStatus.NOT_STARTED,  # a change of status (the action is in progress)
            files=[SimpleUploadedFile("minutes.csv", b"date,item\n01/02/2026,MASH audit\n", content_type="text/csv")],
        )

    assert not Evidence.objects.exists()
    assert object_store.object_names() == []


# --- reports ---------------------------------------------------------------------------------


@pytest.fixture
def eager_tasks(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    assert celery_app.conf.task_always_eager is True


def test_a_paper_is_archived_in_the_bucket_and_downloaded_through_the_archive(
    client, director, action, object_store, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = report_job_create(
            plan=action.plan, kind=ReportKind.ACTIONS_EXPORT, format=ReportFormat.CSV, requested_by=director
        )

    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert object_store.object_names() == [job.file.name]
    assert job.file.name.startswith("reports/") and job.file.name.endswith(".csv")
    stored = object_store.body(job.file.name)
    assert hashlib.sha256(stored).hexdigest() == job.checksum_sha256

    client.force_login(director)
    download = client.get(reverse("reports:job_download", args=[job.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == stored
    assert download["Content-Type"].startswith("text/csv")
    assert download["Cache-Control"] == "private, no-store"
    assert "Relaunch the thresholds matrix" in stored.decode("utf-8-sig")


def test_a_paper_whose_row_cannot_be_saved_leaves_no_object(director, action, object_store, monkeypatch):
    from django.core.exceptions import ValidationError

    job = ReportJob.objects.create(
        plan=action.plan, kind=ReportKind.ACTIONS_EXPORT, format=ReportFormat.CSV, requested_by=director
    )

    def refuse(self, *args, **kwargs):
        raise ValidationError("refused after the file was written")

    monkeypatch.setattr(ReportJob, "full_clean", refuse)
    with pytest.raises(ValidationError):
        report_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and not job.file
    assert object_store.object_names() == []


def test_a_missing_object_is_a_404_not_an_error(client, director, action, object_store, eager_tasks,
                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = report_job_create(
            plan=action.plan, kind=ReportKind.ACTIONS_EXPORT, format=ReportFormat.CSV, requested_by=director
        )
    job.refresh_from_db()
    object_store.client.delete_object(Bucket=object_store.bucket, Key=job.file.name)

    client.force_login(director)
    assert client.get(reverse("reports:job_download", args=[job.pk])).status_code == 404


# --- imports ---------------------------------------------------------------------------------


def test_an_import_keeps_its_upload_in_the_bucket_between_steps_and_removes_it_once_saved(
    client, plan_manager, object_store
):
    # An import abandoned the day before yesterday (its session ended): swept on the next upload.
    object_store.client.put_object(Bucket=object_store.bucket, Key="imports/abandoned", Body=b"old upload")
    upload = SimpleUploadedFile("oxfordshire-jtai-2016-action-plan.csv",
                                (SAMPLES / "oxfordshire-jtai-2016-action-plan.csv").read_bytes())

    import time_machine

    with time_machine.travel(timezone.now() + dt.timedelta(days=2), tick=True):
        client.force_login(plan_manager)  # signed in on the day, or the idle session has expired
        response = client.post(reverse("actionplans:import_start"), {
            "target": "new", "sheet": "", "title": "Oxfordshire JTAI: imported",
            "slug": "oxfordshire-imported", "inspection": "", "file": upload,
        })
        assert response.status_code == 302, response.content.decode()[:3000]
        token = re.match(r"^/import/([\w-]+)/columns/$", response["Location"]).group(1)
        assert object_store.object_names() == [f"imports/{token}"]  # the abandoned one is gone

        # Each step reads the kept file back from the store (another replica could serve it).
        columns = ["finding", "action", "outcome", "measure", "due", "lead"]
        response = client.post(reverse("actionplans:import_mapping", args=[token]),
                                {f"column_{i}": name for i, name in enumerate(columns)})
        assert response.status_code == 302
        preview = client.get(reverse("actionplans:import_preview", args=[token]))
        assert "24 actions created" in preview.content.decode()
        fingerprint = re.search(r'name="fingerprint" value="([0-9a-f]+)"', preview.content.decode()).group(1)
        response = client.post(reverse("actionplans:import_commit", args=[token]),
                                {"fingerprint": fingerprint, "accept_problems": "on"})

    assert response.status_code == 302
    assert Plan.objects.get(slug="oxfordshire-imported").actions.count() == 24
    assert object_store.object_names() == []


# --- two machines ----------------------------------------------------------------------------


def _wait_for_outcome(job_id: int) -> ReportJob:
    deadline = time.monotonic() + JOB_TIMEOUT
    while time.monotonic() < deadline:
        job = ReportJob.objects.get(pk=job_id)
        if job.status in (JobStatus.DONE, JobStatus.FAILED):
            return job
        time.sleep(0.2)
    pytest.fail(f"Report job {job_id} still {job.status} after {JOB_TIMEOUT}s")


def test_a_paper_made_by_a_worker_in_another_process_is_served_by_the_web_process(
    transactional_db, tmp_path_factory, s3_endpoint, bucket, object_store, client, director, council
):
    """A worker replica and a web replica share nothing but the database, the broker and
    the bucket: the worker has its own (empty) PRIVATE_FILES_ROOT, and the web process
    never sees the worker's disk."""
    reason = services_missing()
    if reason:
        pytest.skip(reason)
    assert celery_app.conf.task_always_eager is False
    plan = PlanFactory(slug="two-machines")
    section = SectionFactory(plan=plan)
    for order in range(5):
        ActionFactory(plan=plan, section=section, order=order, lead_post=PostFactory(agency=council))

    # Its own queue, so that the session's worker (local files, no bucket), if running,
    # cannot take this paper.
    queue = f"object-storage-{uuid.uuid4().hex[:8]}"
    previous_routes = celery_app.conf.task_routes
    with running_celery_worker(
        tmp_path_factory, env=s3_environment(s3_endpoint, bucket), queue=queue,
        pidfile=PIDFILE.with_name("celery-worker-object-storage.pid"),
    ) as worker:
        celery_app.conf.update(task_routes={"reports.tasks.run_report_job": {"queue": queue}})
        try:
            job = report_job_create(
                plan=plan, kind=ReportKind.OFSTED_PLAN, format=ReportFormat.PDF, requested_by=director
            )
            job = _wait_for_outcome(job.pk)
        finally:
            celery_app.conf.update(task_routes=previous_routes)
        assert job.status == JobStatus.DONE, f"{job.error}\n{worker['output']()}"
        assert [p for p in worker["files_root"].rglob("*") if p.is_file()] == []

    assert object_store.object_names() == [job.file.name]
    client.force_login(director)
    download = client.get(reverse("reports:job_download", args=[job.pk]))
    content = b"".join(download.streaming_content)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert content.startswith(b"%PDF-")
    assert hashlib.sha256(content).hexdigest() == job.checksum_sha256
    assert Action.objects.filter(plan=plan).count() == 5
