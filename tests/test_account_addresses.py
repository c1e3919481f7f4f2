"""Every account's own address is its one verified, primary address: the migration that
turned on mandatory verification makes it so for the accounts that already existed, so
nobody was locked out, and drops addresses their owners had added but never proved."""

import importlib

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("partners.migrations.0004_user_is_demo")


def test_existing_accounts_keep_their_own_address_verified_and_lose_unproved_ones():
    plain = UserFactory(email="plain@example.test")
    escaped = UserFactory(email="escaped@example.test")
    # As the accounts were before: no row, or an unproved row and an added address.
    EmailAddress.objects.filter(user=plain).delete()
    EmailAddress.objects.filter(user=escaped).update(verified=False, primary=False)
    EmailAddress.objects.create(user=escaped, email="escaped@demo.example", verified=False, primary=True)

    migration.confirm_account_addresses(apps, None)

    for person in (plain, escaped):
        assert list(EmailAddress.objects.filter(user=person).values_list("email", "verified", "primary")) == [
            (person.email, True, True)
        ]
    assert not UserFactory._meta.model.objects.filter(is_demo=True).exists()
