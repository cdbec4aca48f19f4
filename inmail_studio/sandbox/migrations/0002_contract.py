"""The sandbox follows the written contract: sender permissions answer `state` (REQUESTED, not
PENDING), accounts name the organization they belong to, images their associated account,
creatives their lead form (leadgenCallToAction), and accounts have lead gen forms."""

import django.db.models.deletion
from django.db import migrations, models


def requested_not_pending(apps, schema_editor):
    SenderPermission = apps.get_model("sandbox", "SenderPermission")
    SenderPermission.objects.filter(state="PENDING").update(state="REQUESTED")


def pending_not_requested(apps, schema_editor):
    SenderPermission = apps.get_model("sandbox", "SenderPermission")
    SenderPermission.objects.filter(state="REQUESTED").update(state="PENDING")


class Migration(migrations.Migration):
    dependencies = [("sandbox", "0001_initial")]

    operations = [
        migrations.RenameField(model_name="senderpermission", old_name="status", new_name="state"),
        migrations.AlterField(
            model_name="senderpermission",
            name="state",
            field=models.CharField(
                choices=[
                    ("APPROVED", "Approved"),
                    ("REQUESTED", "Requested"),
                    ("DECLINED", "Declined"),
                    ("REVOKED", "Revoked"),
                ],
                max_length=20,
            ),
        ),
        migrations.RunPython(requested_not_pending, pending_not_requested),
        migrations.AddField(
            model_name="adaccount",
            name="reference",
            field=models.CharField(default="urn:li:organization:1", max_length=200),
        ),
        migrations.AddField(
            model_name="image",
            name="associated_account",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="creative",
            name="leadgen_form",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="creative",
            name="leadgen_label",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.CreateModel(
            name="LeadForm",
            fields=[
                ("id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("name", models.CharField(max_length=255)),
                (
                    "state",
                    models.CharField(
                        choices=[("DRAFT", "Draft"), ("PUBLISHED", "Published"), ("ARCHIVED", "Archived")],
                        default="PUBLISHED",
                        max_length=20,
                    ),
                ),
                (
                    "account",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="lead_forms",
                        to="sandbox.adaccount",
                    ),
                ),
            ],
        ),
    ]
