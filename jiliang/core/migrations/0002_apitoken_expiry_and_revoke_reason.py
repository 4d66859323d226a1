"""API tokens get an expiry and a revocation reason.

Tokens issued before this migration never expired; they now expire JILIANG_API_TOKEN_DAYS after the migration runs
(not after their issue, which could end every integration on the day of the upgrade). Tokens already revoked get the
reason "manual". The column becomes required in 0003 (PostgreSQL refuses to alter a table in the transaction
that updated its rows while a deferred foreign-key check is pending, so the two steps are two migrations).
"""

from datetime import timedelta

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def give_existing_tokens_an_expiry(apps, schema_editor):
    ApiToken = apps.get_model("core", "ApiToken")
    expires_at = timezone.now() + timedelta(days=settings.JILIANG_API_TOKEN_DAYS)
    ApiToken.objects.filter(expires_at__isnull=True).update(expires_at=expires_at)
    ApiToken.objects.filter(revoked_at__isnull=False, revoke_reason="").update(revoke_reason="manual")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="到期时间"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="revoke_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("manual", "手动吊销"),
                    ("password_changed", "密码已修改"),
                    ("deactivated", "用户已停用"),
                    ("expired", "已过期"),
                ],
                max_length=20,
                verbose_name="吊销原因",
            ),
        ),
        migrations.RunPython(give_existing_tokens_an_expiry, migrations.RunPython.noop),
    ]
