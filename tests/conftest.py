"""Role fixtures: one person per role, in the same council, plus a partner officer of the
police and an outsider (a partner officer of an agency with nothing in the plan)."""

import pytest

from partners.choices import Role, Sector
from tests.factories import AgencyFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing costs ~0.3 s a user; tests build hundreds of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _mfa_not_required(settings):
    # Factory people have no authenticator; tests/test_mfa.py turns the requirement on.
    settings.MFA_REQUIRED = False


@pytest.fixture
def council(db):
    return AgencyFactory(name="Testshire County Council", short_name="TCC", sector=Sector.LOCAL_AUTHORITY)


@pytest.fixture
def police(db):
    return AgencyFactory(name="Testshire Police", short_name="TP", sector=Sector.POLICE)


@pytest.fixture
def other_agency(db):
    return AgencyFactory(name="Elsewhere NHS Trust", short_name="ENT", sector=Sector.HEALTH)


def _person(role, agency, email):
    return UserFactory(email=email, full_name=email.split("@")[0].title(), role=role, agency=agency)


@pytest.fixture
def officer(council):
    return _person(Role.OFFICER, council, "officer@example.test")


@pytest.fixture
def partner_officer(police):
    return _person(Role.PARTNER_OFFICER, police, "partner@example.test")


@pytest.fixture
def outsider(other_agency):
    return _person(Role.PARTNER_OFFICER, other_agency, "outsider@example.test")


@pytest.fixture
def plan_manager(council):
    return _person(Role.PLAN_MANAGER, council, "manager@example.test")


@pytest.fixture
def director(council):
    return _person(Role.DIRECTOR, council, "director@example.test")


@pytest.fixture
def clerk(council):
    return _person(Role.CLERK, council, "clerk@example.test")


@pytest.fixture
def member(council):
    return _person(Role.MEMBER, council, "member@example.test")


@pytest.fixture
def admin_user(council):
    user = _person(Role.ADMIN, council, "admin@example.test")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def broker_down(settings, monkeypatch):
    """Tasks no longer run in-process and the broker is a closed port: publishing fails as
    it does when Redis is stopped. (By configuration, not a mock; tests/faults stops a
    real Redis under a real web process.)"""
    from config.celery import app as celery_app

    def forget_connections():
        # The app keeps a pool of connections to the broker it first spoke to: drop it, so
        # that publishing connects to the broker configured now.
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = UNREACHABLE_BROKER
    # The environment variable wins over the setting when set (make test-services).
    monkeypatch.setenv("CELERY_BROKER_URL", UNREACHABLE_BROKER)
    assert celery_app.conf.broker_url == UNREACHABLE_BROKER
    assert celery_app.conf.task_always_eager is False
    forget_connections()
    yield
    forget_connections()


@pytest.fixture
def eager_tasks(settings):
    """Run tasks in-process even when the suite runs with a broker configured (make
    test-services), where only tests marked ``services`` use the real worker. The Celery
    app reads its configuration through to the settings."""
    from config.celery import app as celery_app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    assert celery_app.conf.task_always_eager is True


@pytest.fixture
def private_files(settings, tmp_path):
    """A files folder of the test's own (evidence, papers, uploads); returns its path."""
    root = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": root, "base_url": "/no-public-url/"},
        },
    }
    return root
