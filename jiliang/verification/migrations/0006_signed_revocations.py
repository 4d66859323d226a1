"""Revocations are signed: each ``CertificateRevocation`` row gets the signed revocation document (format
``jiliang-revocation`` version 1, docs/certificates.md), its Ed25519 signature and the key id.

The public check believes a revocation only when its signature verifies with a trusted key (issue 11): an unsigned
row could have been written, edited or copied by anyone with write access to the database.

Existing revocations are signed here with the platform's current signing key (``JILIANG_SIGNING_KEY_FILE``), their
documents built from the rows as they are. When there are revocations and no key can be loaded (production without
the key file), the migration stops with a message saying so: a revocation left unsigned would make its certificate
fail the public check. On PostgreSQL the immutability trigger of migration 0002 is switched off for the table
during the update, inside this migration's transaction, and on again before it ends.

The document is built here rather than by ``jiliang.verification.documents``: a migration must keep producing
version 1 whatever the application's code becomes.
"""

from django.db import migrations, models
from django.utils import timezone

TABLE = "verification_certificaterevocation"
TRIGGER = f"{TABLE}_immutable"


def _revocation_document(number: str, certificate_sha256: str, revoked_at) -> dict:
    return {
        "format": "jiliang-revocation",
        "version": "1",
        "certificate": number,
        "certificate_sha256": certificate_sha256,
        "revoked_at": timezone.localtime(revoked_at).isoformat(timespec="seconds"),
    }


def sign_existing(apps, schema_editor):
    from django.core.exceptions import ImproperlyConfigured

    from jiliang.metrology import signing
    from jiliang.verification import keys

    Revocation = apps.get_model("verification", "CertificateRevocation")
    SigningKey = apps.get_model("verification", "SigningKey")
    rows = list(Revocation.objects.using(schema_editor.connection.alias).select_related("certificate"))
    if not rows:
        return
    try:
        key = keys.private_key()
    except (ImproperlyConfigured, OSError, ValueError) as exc:
        raise RuntimeError(
            f"Migration verification.0006 must sign the {len(rows)} existing certificate revocation(s) with the "
            f"platform's signing key and cannot load it: {exc} Set JILIANG_SIGNING_KEY_FILE to the key that signs "
            "this platform's certificates (docs/certificates.md) and run migrate again."
        ) from exc
    kid, public = keys.public_key_entry(key)
    SigningKey.objects.using(schema_editor.connection.alias).get_or_create(key_id=kid, defaults={"public_key": public})
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        schema_editor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TRIGGER}")
    for row in rows:
        document = _revocation_document(
            row.certificate.document["number"], signing.document_sha256(row.certificate.document), row.revoked_at
        )
        signature, signed_by = signing.sign_canonical(document, key)
        Revocation.objects.using(schema_editor.connection.alias).filter(pk=row.pk).update(
            document=document, signature=signature, key_id=signed_by
        )
    if postgresql:
        schema_editor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TRIGGER}")


class Migration(migrations.Migration):
    dependencies = [("verification", "0005_drop_covered_fk_indexes")]

    operations = [
        migrations.AddField(
            model_name="certificaterevocation",
            name="document",
            field=models.JSONField(default=dict, verbose_name="撤销内容（规范化）"),
        ),
        migrations.AddField(
            model_name="certificaterevocation",
            name="key_id",
            field=models.CharField(blank=True, max_length=32, verbose_name="签名密钥"),
        ),
        migrations.AddField(
            model_name="certificaterevocation",
            name="signature",
            field=models.CharField(blank=True, max_length=128, verbose_name="数字签名"),
        ),
        # Unsigning is not a thing to do to a revocation: going back drops the fields, and forward signs again.
        migrations.RunPython(sign_existing, migrations.RunPython.noop, elidable=False),
    ]
