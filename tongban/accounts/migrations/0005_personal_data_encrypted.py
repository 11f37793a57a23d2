"""Personal data encrypted at rest: ID numbers, phone numbers, addresses (and the staff's TOTP
secrets) become SM4 ciphertext,
with blind indexes for the two that are looked up (core.field_crypto). Existing rows are encrypted
in place, in batches, from their plain values."""

from django.db import migrations

import tongban.core.field_crypto

BATCH = 5000


def encrypt_existing(apps, schema_editor):
    from tongban.core.field_crypto import blind_index, field_encrypt

    connection = schema_editor.connection
    quote = connection.ops.quote_name
    tables = (
        ("accounts_person", ("id_number", "phone")),
        ("accounts_legalperson", ("address",)),
        ("accounts_totpdevice", ("secret",)),
    )
    for table, columns in tables:
        indexed = {"id_number": "id_number_index", "phone": "phone_index"} if table == "accounts_person" else {}
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id, {', '.join(map(quote, columns))} FROM {quote(table)} ORDER BY id")
            rows = cursor.fetchall()
        for start in range(0, len(rows), BATCH):
            with connection.cursor() as cursor:
                for pk, *values in rows[start : start + BATCH]:
                    assignments, params = [], []
                    for column, value in zip(columns, values, strict=True):
                        if not value or value.startswith("sm4:"):
                            continue
                        context = f"{table}.{column}"
                        assignments.append(f"{quote(column)} = %s")
                        params.append(field_encrypt(value, context=context))
                        if column in indexed:
                            normal = value.upper() if column == "id_number" else value
                            assignments.append(f"{quote(indexed[column])} = %s")
                            params.append(blind_index(normal, context=context))
                    if assignments:
                        cursor.execute(
                            f"UPDATE {quote(table)} SET {', '.join(assignments)} WHERE id = %s", [*params, pk]
                        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_second_factor")]

    operations = [
        migrations.AlterField(
            model_name="person",
            name="id_number",
            field=tongban.core.field_crypto.EncryptedField(
                index="id_number_index", max_length=18, normalize="upper", verbose_name="公民身份号码"
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="id_number_index",
            field=tongban.core.field_crypto.BlindIndexField(
                default="", source="id_number", verbose_name="公民身份号码索引"
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="person",
            name="phone",
            field=tongban.core.field_crypto.EncryptedField(
                blank=True, index="phone_index", max_length=11, verbose_name="手机号码"
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="phone_index",
            field=tongban.core.field_crypto.BlindIndexField(
                blank=True, default="", source="phone", verbose_name="手机号码索引"
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="legalperson",
            name="address",
            field=tongban.core.field_crypto.EncryptedField(blank=True, max_length=200, verbose_name="住所"),
        ),
        migrations.AlterField(
            model_name="totpdevice",
            name="secret",
            field=tongban.core.field_crypto.EncryptedField(max_length=64, verbose_name="密钥（Base32）"),
        ),
        migrations.RunPython(encrypt_existing, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="person",
            name="id_number_index",
            field=tongban.core.field_crypto.BlindIndexField(
                source="id_number", unique=True, verbose_name="公民身份号码索引"
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="phone_index",
            field=tongban.core.field_crypto.BlindIndexField(
                blank=True, db_index=True, source="phone", verbose_name="手机号码索引"
            ),
        ),
    ]
