"""The work queue's two indexes: ``RequestItem.awaiting_record`` (true while an item has neither a record nor an open
draft) with its partial index, existing items getting the value their records and drafts give them; and a partial
index of the requests being recorded (scheduled or in work) in the order the queue lists their items."""

from django.db import migrations, models
from django.db.models import Case, Exists, OuterRef, Q, Value, When

OPEN_DRAFT_STATUSES = ("draft", "submitted", "returned", "checked")


def fill(apps, schema_editor):
    RequestItem = apps.get_model("verification", "RequestItem")
    VerificationRecord = apps.get_model("verification", "VerificationRecord")
    RecordDraft = apps.get_model("verification", "RecordDraft")
    recorded = VerificationRecord.objects.filter(request_item=OuterRef("pk"))
    drafted = RecordDraft.objects.filter(request_item=OuterRef("pk"), status__in=OPEN_DRAFT_STATUSES)
    RequestItem.objects.update(
        awaiting_record=Case(When(Q(Exists(recorded)) | Q(Exists(drafted)), then=Value(False)), default=Value(True))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("instruments", "0006_stop_reason"),
        ("verification", "0008_record_drafts"),
    ]

    operations = [
        migrations.AddField(
            model_name="requestitem",
            name="awaiting_record",
            field=models.BooleanField(default=True, editable=False, verbose_name="待录入"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="servicerequest",
            index=models.Index(
                condition=models.Q(("status__in", ("scheduled", "in_work"))),
                fields=["institute", "scheduled_on", "complete_by", "id"],
                name="sreq_recording_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="requestitem",
            index=models.Index(
                condition=models.Q(("awaiting_record", True)), fields=["request"], name="ritem_awaiting_idx"
            ),
        ),
    ]
