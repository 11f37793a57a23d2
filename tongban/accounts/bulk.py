"""Bulk loads of the population base (人口库) and the legal-entity base (法人库), and the few account
shortcuts the demo seed needs.

These services trust their caller. Today the only caller is the demo generator
(tongban.demo.city), which builds valid ID numbers and credit codes by construction and keeps them
unique; a per-row parse at a million rows would cost more than the load itself. Imports of real
registries will come through the data exchange, which validates before it calls a loader.

On PostgreSQL rows go in with COPY (psycopg 3); elsewhere with bulk_create. Each load is one
transaction with one audit entry for the whole load.
"""

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import NamedTuple

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from tongban.accounts.models import LegalPerson, Mandate, Person, User
from tongban.accounts.types import Actor
from tongban.core.audit import audit_record
from tongban.core.field_crypto import EncryptedField

Progress = Callable[[int], None]  # called with the number of rows loaded so far


class PersonRow(NamedTuple):
    real_name: str
    id_number: str
    birth_date: dt.date
    sex: str
    phone: str
    region_id: str | None


class LegalPersonRow(NamedTuple):
    name: str
    uscc: str
    kind: str
    legal_representative_id: int
    region_id: str | None
    address: str
    established_on: dt.date | None


PERSON_FIELDS = (*PersonRow._fields, "created_at")
LEGAL_PERSON_FIELDS = LegalPersonRow._fields
MANDATE_FIELDS = ("person_id", "legal_person_id", "role", "status", "requested_at", "decided_at")


@transaction.atomic
def person_bulk_create(
    rows: Iterable[PersonRow], *, batch_size: int = 10_000, progress: Progress | None = None, actor: Actor = None
) -> int:
    """Load natural persons into the population base; returns how many. No per-row validation:
    see the module docstring."""
    now = timezone.now()
    count = _rows_load(Person, PERSON_FIELDS, ((*row, now) for row in rows), batch_size=batch_size, progress=progress)
    audit_record(action="person.bulk_load", object_type="accounts.person", detail={"rows": count}, actor=actor)
    return count


@transaction.atomic
def legal_person_bulk_create(
    rows: Iterable[LegalPersonRow], *, batch_size: int = 10_000, progress: Progress | None = None, actor: Actor = None
) -> int:
    """Load legal persons into the legal-entity base, each with its legal representative's active
    REPRESENTATIVE mandate; returns how many legal persons. No per-row validation."""
    usccs: set[str] = set()
    after_id = LegalPerson.objects.aggregate(last=Max("id"))["last"] or 0
    count = _rows_load(
        LegalPerson, LEGAL_PERSON_FIELDS, _uscc_tracked(rows, usccs), batch_size=batch_size, progress=progress
    )
    # Materialised first: no query may run on the connection while a COPY is open.
    mandate_rows = list(_representative_mandate_rows(usccs, after_id=after_id))
    mandates = _rows_load(Mandate, MANDATE_FIELDS, mandate_rows, batch_size=batch_size, progress=None)
    audit_record(
        action="legal_person.bulk_load",
        object_type="accounts.legalperson",
        detail={"rows": count, "mandates": mandates},
        actor=actor,
    )
    return count


def _uscc_tracked(rows: Iterable[LegalPersonRow], usccs: set[str]) -> Iterator[LegalPersonRow]:
    for row in rows:
        usccs.add(row.uscc)
        yield row


def _representative_mandate_rows(usccs: set[str], *, after_id: int) -> Iterator[tuple]:
    """The loaded rows' ids: one scan of the ids allocated since the load began (COPY returns
    none), filtered to this load's credit codes in case another writer inserted meanwhile."""
    now = timezone.now()
    loaded = LegalPerson.objects.filter(pk__gt=after_id).order_by("id")
    for legal_person_id, uscc, person_id in loaded.values_list("id", "uscc", "legal_representative_id").iterator(
        chunk_size=10_000
    ):
        if uscc in usccs:
            yield (person_id, legal_person_id, Mandate.REPRESENTATIVE, Mandate.ACTIVE, now, now)


def _rows_load(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[tuple],
    *,
    batch_size: int,
    progress: Progress | None,
) -> int:
    if _copy_available():
        return _rows_copy(model, fields, rows, batch_size=batch_size, progress=progress)
    return _rows_bulk_create(model, fields, rows, batch_size=batch_size, progress=progress)


def _copy_available() -> bool:
    if connection.vendor != "postgresql":
        return False
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return is_psycopg3


def _rows_copy(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[tuple],
    *,
    batch_size: int,
    progress: Progress | None,
) -> int:
    quote = connection.ops.quote_name
    stored_fields, stored = _as_stored(model, fields)
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in stored_fields)
    statement = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    count = 0
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(stored(row))
            count += 1
            if progress is not None and count % batch_size == 0:
                progress(count)
    if progress is not None and count % batch_size:
        progress(count)
    return count


def _as_stored(model: type[models.Model], fields: Sequence[str]) -> tuple[list[str], Callable[[tuple], tuple]]:
    """What COPY writes, which bypasses the fields' own conversions: encrypted fields as their
    ciphertext, each followed by its blind index (core.field_crypto)."""
    encrypted = {
        position: field
        for position, field in enumerate(model._meta.get_field(name) for name in fields)
        if isinstance(field, EncryptedField)
    }
    indexed = [(position, field) for position, field in encrypted.items() if field.index]

    def stored(row: tuple) -> tuple:
        values = [encrypted[i].get_prep_value(value) if i in encrypted else value for i, value in enumerate(row)]
        return (*values, *(field.blind(row[i]) if row[i] else "" for i, field in indexed))

    return [*fields, *(field.index for _, field in indexed)], stored


def _rows_bulk_create(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[tuple],
    *,
    batch_size: int,
    progress: Progress | None,
) -> int:
    count = 0
    for batch in itertools.batched(rows, batch_size):
        # No batch_size here: Django splits by the backend's bound-parameter limit itself.
        model.objects.bulk_create([model(**dict(zip(fields, row, strict=True))) for row in batch])
        count += len(batch)
        if progress is not None:
            progress(count)
    return count


# --- Seed-only account shortcuts ------------------------------------------------------------------


@transaction.atomic
def user_password_set_bulk(*, user_ids: Iterable[int], password: str, actor: Actor = None) -> int:
    """Give seeded accounts one demo password, hashed with MD5. PBKDF2 costs about half a second per
    account on the demo machine; settings list MD5 only to verify these hashes, and Django re-hashes
    with the preferred hasher at the first successful log-in."""
    users = list(User.objects.filter(pk__in=list(user_ids)).order_by("id").only("id", "password"))
    for user in users:
        user.password = make_password(password, hasher="md5")
    User.objects.bulk_update(users, ["password"], batch_size=500)
    audit_record(
        action="user.password_bulk_set",
        object_type="accounts.user",
        detail={"users": len(users), "ids": [user.pk for user in users]},
        actor=actor,
    )
    return len(users)
