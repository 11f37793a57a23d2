"""Personal data encrypted at rest: ID numbers, phone numbers, addresses (and the staff's TOTP
secrets) become SM4 ciphertext, with blind indexes for the two that are looked up
(core.field_crypto). Existing rows are encrypted in place, a column at a time, in batches."""

from django.db import migrations

import tongban.core.field_crypto

BATCH = 5000
# table, column, its blind index column (or None), whether the index folds case (the ID number's X)
ENCRYPTED = [
    ("accounts_person", "id_number", "id_number_index", True),
    ("accounts_person", "phone", "phone_index", False),
    ("accounts_legalperson", "address", None, False),
    ("accounts_totpdevice", "secret", None, False),
]


def encrypt_existing(apps, schema_editor):
    from tongban.core.field_crypto import blind_index, field_encrypt

    connection = schema_editor.connection
    for table, column, index, fold in ENCRYPTED:
        context = f"{table}.{column}"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id, {column} FROM {table} WHERE {column} <> '' ORDER BY id")
            rows = [(pk, value) for pk, value in cursor.fetchall() if not value.startswith("sm4:")]
        assignments = f"{column} = %s" + (f", {index} = %s" if index else "")
        for start in range(0, len(rows), BATCH):
            params = [
                (
                    field_encrypt(value, context=context),
                    *([blind_index(value.upper() if fold else value, context=context)] if index else []),
                    pk,
                )
                for pk, value in rows[start : start + BATCH]
            ]
            with connection.cursor() as cursor:
                cursor.executemany(f"UPDATE {table} SET {assignments} WHERE id = %s", params)


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
