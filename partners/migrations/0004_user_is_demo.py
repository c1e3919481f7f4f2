"""The demo flag (set only by load_demo; no existing account gets it here, not even one at
the demo domain, since anyone could have given their account such an address), and every
existing account's own address made its one verified, primary address, as
partners.services.account_email_confirm does for new accounts: sign-in now refuses an
unproved address, and accounts are issued by administrators, who vouch for the address.
Other addresses an account had (added by its owner, never proved) are removed."""

from django.db import migrations, models


def confirm_account_addresses(apps, schema_editor):
    User = apps.get_model("partners", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    for user in User.objects.only("pk", "email").iterator():
        email = user.email.lower()
        EmailAddress.objects.filter(user_id=user.pk).exclude(email=email).delete()
        EmailAddress.objects.update_or_create(
            user_id=user.pk, email=email, defaults={"verified": True, "primary": True}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("account", "0009_emailaddress_unique_primary_email"),
        ("partners", "0003_email_delivery"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="is_demo",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="Made by load_demo; exempt from the multi-factor requirement.",
                verbose_name="demo account",
            ),
        ),
        migrations.RunPython(confirm_account_addresses, migrations.RunPython.noop),
    ]
