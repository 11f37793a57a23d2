"""The single-column indexes on person, legal_person and filed_by duplicate the leading column of
case_person_idx, case_legal_idx and case_filer_idx; dropping them saves three index writes per new
case. Only the indexes go (the same statement on PostgreSQL and SQLite): the foreign keys stay as
they are, so a table of a million cases is not re-validated."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEXES = {
    "filed_by_id": "cases_case_filed_by_id_3f8c8a34",
    "legal_person_id": "cases_case_legal_person_id_41299131",
    "person_id": "cases_case_person_id_f87eeffa",
}


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_posts"),
        ("cases", "0003_queue_count_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"', reverse_sql=f'CREATE INDEX "{name}" ON "cases_case" ("{column}")'
                )
                for column, name in INDEXES.items()
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="case",
                    name="filed_by",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="经办账号",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="legal_person",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.legalperson",
                        verbose_name="申请单位",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="person",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.person",
                        verbose_name="申请人",
                    ),
                ),
            ],
        )
    ]
