"""The rejected rows of licence imports take the shape every import batch stores
(core.import_batches): {"line": 12, "reason": "…"} becomes {"row": 12, "reasons": ["…"]}.

Reversible: a licence import rejects a row for one reason, so going back joins the reasons (one,
for every batch written before or after this migration) into `reason`. Entries already in the
target shape are left as they are, so running either direction twice does no harm."""

from django.db import migrations

BATCH = 500
SEPARATOR = "；"  # core.import_batches.REASONS_SEPARATOR, as it stands when this migration was written


def _unified(entry: dict) -> dict:
    if "line" not in entry:
        return entry
    return {"row": entry["line"], "reasons": [entry.get("reason", "")]}


def _former(entry: dict) -> dict:
    if "row" not in entry:
        return entry
    return {"line": entry["row"], "reason": SEPARATOR.join(entry.get("reasons") or [])}


def _rewrite(apps, convert) -> None:
    LicenceImport = apps.get_model("licences", "LicenceImport")
    changed = []
    # Only a batch that rejected rows has any: the list is empty otherwise.
    for batch in LicenceImport.objects.filter(rejected__gt=0).only("pk", "rejections").iterator(chunk_size=BATCH):
        rewritten = [convert(entry) for entry in batch.rejections]
        if rewritten != batch.rejections:
            batch.rejections = rewritten
            changed.append(batch)
        if len(changed) >= BATCH:
            LicenceImport.objects.bulk_update(changed, ["rejections"])
            changed = []
    LicenceImport.objects.bulk_update(changed, ["rejections"])


def forwards(apps, schema_editor):
    _rewrite(apps, _unified)


def backwards(apps, schema_editor):
    _rewrite(apps, _former)


class Migration(migrations.Migration):
    dependencies = [("licences", "0003_holder_id_encrypted")]

    operations = [migrations.RunPython(forwards, backwards, elidable=True)]
