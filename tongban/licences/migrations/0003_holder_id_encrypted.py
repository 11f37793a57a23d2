"""The holder's ID number or credit code on a licence becomes SM4 ciphertext with a blind index
(core.field_crypto); existing licences are encrypted in place, in batches."""

from django.db import migrations

import tongban.core.field_crypto

BATCH = 5000


def encrypt_existing(apps, schema_editor):
    from tongban.core.field_crypto import blind_index, field_encrypt

    connection = schema_editor.connection
    context = "licences_licence.holder_id_number"
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, holder_id_number FROM licences_licence ORDER BY id")
        rows = [(pk, value) for pk, value in cursor.fetchall() if value and not value.startswith("sm4:")]
    for start in range(0, len(rows), BATCH):
        with connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE licences_licence SET holder_id_number = %s, holder_id_index = %s WHERE id = %s",
                [
                    (field_encrypt(value, context=context), blind_index(value.upper(), context=context), pk)
                    for pk, value in rows[start : start + BATCH]
                ],
            )


class Migration(migrations.Migration):
    dependencies = [("licences", "0002_authorisations_imports")]

    operations = [
        migrations.AlterField(
            model_name="licence",
            name="holder_id_number",
            field=tongban.core.field_crypto.EncryptedField(
                index="holder_id_index", max_length=18, normalize="upper", verbose_name="持证主体证件号码"
            ),
        ),
        migrations.AddField(
            model_name="licence",
            name="holder_id_index",
            field=tongban.core.field_crypto.BlindIndexField(
                default="", source="holder_id_number", verbose_name="持证主体证件号码索引"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(encrypt_existing, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="licence",
            name="holder_id_index",
            field=tongban.core.field_crypto.BlindIndexField(
                db_index=True, source="holder_id_number", verbose_name="持证主体证件号码索引"
            ),
        ),
    ]
