"""The ceiling baseline of bench part (a): the very request POST /api/v1/cases — session, CSRF,
Ninja's parsing, Base64, the upload checks and the files written to storage, the summary in the
response — with the case's own database work cut down to one upsert in one transaction. No
implementation of the case writes can be faster than this on the same machine, so the bench
prints it beside the real submissions."""

from tongban.config.wsgi import application  # noqa: F401  (what gunicorn serves; sets Django up first)

# isort: split
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from tongban.cases import services
from tongban.cases.models import Case
from tongban.cases.uploads import upload_check


def case_apply_floor(*, actor, item_id: int, uploads, **_) -> Case:
    for upload in uploads:
        checked = upload_check(name=upload.name, content=upload.content)
        default_storage.save(f"floor/{checked.sha256[:16]}.{checked.extension}", ContentFile(checked.content))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cases_casecounter (key, value) VALUES (%s, 1) "
            "ON CONFLICT (key) DO UPDATE SET value = cases_casecounter.value + 1 RETURNING value",
            [f"floor-{item_id}"],
        )
        (sequence,) = cursor.fetchone()
    now = timezone.now()
    return Case(
        number=f"floor-{item_id}-{sequence}",
        item_id=item_id,
        applicant_name=actor.display_name,
        status=Case.RECEIVED,
        queue="accept",
        submitted_at=now,
        updated_at=now,
        revision=1,
    )


services.case_apply = case_apply_floor
