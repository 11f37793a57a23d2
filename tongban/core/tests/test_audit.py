"""The audit chain: recorded with the business change, sealed into a hash chain afterwards, and any
edit, deletion or move found by verification."""

import datetime as dt
import io
import itertools

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import transaction
from django.test import RequestFactory
from django.urls import reverse

from tongban.accounts.models import User
from tongban.accounts.tests.factories import UserFactory
from tongban.core import audit, context
from tongban.core.audit import GENESIS_HASH, audit_record, audit_seal, audit_verify, entry_digest
from tongban.core.models import AuditChainHead, AuditEntry

CONTENT_FIELDS = [
    "created_at",
    "actor_id",
    "actor_label",
    "acting_for",
    "action",
    "object_type",
    "object_id",
    "outcome",
    "detail",
    "ip",
    "region_code",
]


@pytest.fixture
def clerk_request():
    """A request context, as the middleware binds it for a logged-in clerk."""
    token = context.bind(context.RequestContext(actor_id=42, actor_label="clerk01", ip="10.0.0.8"))
    yield
    context.reset(token)


def record(count: int, *, start: int = 1) -> list[AuditEntry]:
    return [
        audit_record(
            action="case.accept",
            object_type="cases.case",
            object_id=f"SL{n:06d}",
            detail={"opinion": f"材料齐全，予以受理（第{n}件）", "n": n},
            region_code="341902001000",
        )
        for n in range(start, start + count)
    ]


def chain(count: int) -> list[AuditEntry]:
    """`count` sealed entries, in sequence order."""
    record(count)
    audit_seal()
    return list(AuditEntry.objects.order_by("seq"))


def swap_seq(first: AuditEntry, second: AuditEntry) -> None:
    # seq is unique: park one row on a free value first
    AuditEntry.objects.filter(pk=first.pk).update(seq=-1)
    AuditEntry.objects.filter(pk=second.pk).update(seq=first.seq)
    AuditEntry.objects.filter(pk=first.pk).update(seq=second.seq)


# --- recording -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_record_takes_actor_and_address_from_the_request(clerk_request):
    entry = audit_record(action="person.reveal", object_type="accounts.person", object_id="7", outcome="denied")

    entry.refresh_from_db()
    assert (entry.actor_id, entry.actor_label, entry.ip) == (42, "clerk01", "10.0.0.8")
    assert (entry.action, entry.object_type, entry.object_id, entry.outcome) == (
        "person.reveal",
        "accounts.person",
        "7",
        "denied",
    )
    assert entry.detail == {}
    assert entry.seq is None and entry.hash == "" and entry.prev_hash == ""


@pytest.mark.django_db
def test_record_names_the_object_and_an_explicit_actor(clerk_request):
    actor = UserFactory(kind=User.STAFF, person=None, username="approver07")
    subject = UserFactory(kind=User.STAFF, person=None)

    entry = audit_record(action="user.lock", obj=subject, actor=actor, acting_for="示范市数据局")

    assert (entry.object_type, entry.object_id) == ("accounts.user", str(subject.pk))
    assert (entry.actor_id, entry.actor_label, entry.acting_for) == (actor.pk, "approver07", "示范市数据局")
    assert entry.ip == "10.0.0.8"  # the address is still the request's


# transaction=True would flush the data the migrations seed (posts, the calendar) for every later
# transactional test; the on-commit callbacks are run here as Django runs them on commit instead.


@pytest.mark.django_db
def test_nothing_is_recorded_when_the_business_transaction_fails(settings, django_capture_on_commit_callbacks):
    settings.TONGBAN_BROKER_URL = ""

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        user = UserFactory(kind=User.STAFF, person=None)
        audit_record(action="user.create", obj=user)
        assert AuditEntry.objects.count() == 1
        raise RuntimeError("the business rule refused after the audit entry was written")

    assert not User.objects.exists()
    assert not AuditEntry.objects.exists()
    assert callbacks == []  # the after-commit sealer went with the rolled-back transaction
    assert not AuditChainHead.objects.exists()


@pytest.mark.django_db
def test_embedded_mode_seals_after_commit(settings, django_capture_on_commit_callbacks):
    settings.TONGBAN_BROKER_URL = ""

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        record(3)
        assert AuditEntry.objects.filter(seq__isnull=True).count() == 3  # not before the commit

    assert len(callbacks) == 1  # one seal for the transaction, however many entries it wrote
    assert list(AuditEntry.objects.order_by("id").values_list("seq", flat=True)) == [1, 2, 3]
    assert AuditChainHead.objects.get().seq == 3
    assert audit_verify().ok


@pytest.mark.django_db
def test_with_a_broker_the_commit_leaves_sealing_to_the_periodic_task(settings, django_capture_on_commit_callbacks):
    settings.TONGBAN_BROKER_URL = "redis://broker.invalid:6379/0"

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        record(2)

    assert AuditEntry.objects.filter(seq__isnull=True).count() == 2
    assert audit_seal() == 2
    assert audit_verify().ok


# --- sealing ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_seal_links_entries_into_a_chain_in_order():
    written = record(5)

    assert audit_seal() == 5

    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert [e.id for e in entries] == [e.id for e in written]
    assert entries[0].prev_hash == GENESIS_HASH
    for previous, entry in itertools.pairwise(entries):
        assert entry.prev_hash == previous.hash
    for entry in entries:
        assert len(entry.hash) == 64
        assert entry.hash == entry_digest(entry, entry.seq, entry.prev_hash)
    head = AuditChainHead.objects.get()
    assert (head.seq, head.hash) == (5, entries[-1].hash)
    assert head.sealed_at is not None
    assert audit_seal() == 0  # nothing pending


@pytest.mark.django_db
def test_sealing_is_incremental():
    first = chain(3)
    record(2, start=4)

    assert audit_verify().unsealed == 2
    assert audit_seal() == 2

    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[3].prev_hash == first[2].hash
    report = audit_verify()
    assert (report.ok, report.checked, report.unsealed) == (True, 5, 0)


@pytest.mark.django_db
def test_seal_works_through_batches(monkeypatch):
    monkeypatch.setattr(audit, "SEAL_BATCH", 3)
    record(7)

    assert audit_seal() == 7
    assert audit_verify().checked == 7


@pytest.mark.django_db
def test_the_digest_survives_a_database_round_trip_of_time_and_json():
    # jsonb reorders keys and normalises numbers; the time keeps its microseconds.
    audit_record(
        action="fee.refund",
        detail={
            "zeta": 1,
            "alpha": {"y": [3, 2, 1], "x": None, "中文": "退费 ¥12.50"},
            "amount_fen": 1250,
            "ratio": 0.1 + 0.2,
            "big": 2**62,
            "flag": True,
            "empty": {},
            "text": 'quote " and \\ backslash\nnewline',
        },
    )
    AuditEntry.objects.update(created_at=dt.datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=dt.UTC))
    audit_seal()

    entry = AuditEntry.objects.get()
    assert entry.hash == entry_digest(entry, entry.seq, entry.prev_hash)
    assert entry.created_at.microsecond == 123456
    assert audit_verify().ok


# --- verification ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_intact_chain_verifies_and_counts_unsealed_entries():
    chain(4)
    record(2, start=5)

    report = audit_verify()

    assert (report.ok, report.checked, report.unsealed) == (True, 4, 2)
    assert (report.broken_seq, report.broken_id, report.reason) == (None, None, "")


@pytest.mark.django_db
def test_an_empty_chain_verifies():
    report = audit_verify()

    assert (report.ok, report.checked, report.unsealed) == (True, 0, 0)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("detail", {"opinion": "材料不全，不予受理", "n": 3}),
        ("actor_label", "someone-else"),
        ("actor_id", 9999),
        ("action", "case.reject"),
        ("outcome", "failure"),
        ("object_id", "SL999999"),
        ("ip", "192.0.2.1"),
        ("created_at", dt.datetime(2020, 1, 1, tzinfo=dt.UTC)),
    ],
)
def test_an_edited_entry_is_found(field, value):
    entries = chain(5)
    AuditEntry.objects.filter(pk=entries[2].pk).update(**{field: value})

    report = audit_verify()

    assert not report.ok
    assert (report.broken_seq, report.broken_id, report.checked) == (3, entries[2].id, 2)
    assert "内容与哈希不符" in report.reason and "改动" in report.reason


@pytest.mark.django_db
def test_an_edit_with_a_recomputed_hash_is_found_at_the_next_entry():
    entries = chain(5)
    forged = AuditEntry.objects.get(pk=entries[2].pk)
    forged.detail = {"opinion": "改过的意见"}
    AuditEntry.objects.filter(pk=forged.pk).update(
        detail=forged.detail, hash=entry_digest(forged, forged.seq, forged.prev_hash)
    )

    report = audit_verify()

    assert (report.ok, report.broken_seq, report.broken_id) == (False, 4, entries[3].id)
    assert "前一哈希" in report.reason


@pytest.mark.django_db
def test_a_deleted_entry_in_the_middle_is_found():
    entries = chain(5)
    AuditEntry.objects.filter(pk=entries[2].pk).delete()

    report = audit_verify()

    assert (report.ok, report.broken_seq, report.broken_id, report.checked) == (False, 3, entries[3].id, 2)
    assert "链序号应为3，实为4" in report.reason and "删除" in report.reason


@pytest.mark.django_db
def test_a_deleted_first_entry_is_found():
    entries = chain(3)
    AuditEntry.objects.filter(pk=entries[0].pk).delete()

    report = audit_verify()

    assert (report.ok, report.broken_seq, report.broken_id) == (False, 1, entries[1].id)


@pytest.mark.django_db
def test_a_deleted_last_entry_is_found_through_the_head():
    entries = chain(5)
    AuditEntry.objects.filter(pk=entries[4].pk).delete()

    report = audit_verify()

    assert (report.ok, report.broken_seq, report.broken_id, report.checked) == (False, 5, None, 4)
    assert "链尾记录被删除" in report.reason and "第5条" in report.reason


@pytest.mark.django_db
def test_a_rewritten_last_entry_is_found_through_the_head():
    entries = chain(5)
    forged = AuditEntry.objects.get(pk=entries[4].pk)
    forged.outcome = "failure"
    AuditEntry.objects.filter(pk=forged.pk).update(
        outcome="failure", hash=entry_digest(forged, forged.seq, forged.prev_hash)
    )

    report = audit_verify()

    assert (report.ok, report.broken_seq, report.broken_id) == (False, 5, entries[4].id)
    assert "链头" in report.reason and "改写" in report.reason


@pytest.mark.django_db
def test_a_deleted_head_is_found():
    chain(3)
    AuditChainHead.objects.all().delete()

    report = audit_verify()

    assert (report.ok, report.broken_seq, report.broken_id) == (False, 4, None)
    assert "链头记录缺失" in report.reason


@pytest.mark.django_db
def test_two_entries_with_swapped_places_are_found():
    entries = chain(5)
    swap_seq(entries[1], entries[2])

    report = audit_verify()

    # seq 2 now holds the third entry, whose predecessor hash is the second entry's
    assert (report.ok, report.broken_seq, report.broken_id, report.checked) == (False, 2, entries[2].id, 1)
    assert "前一哈希" in report.reason and "调换" in report.reason


@pytest.mark.django_db
def test_two_entries_with_swapped_contents_are_found():
    entries = chain(5)
    second, third = entries[1], entries[2]
    AuditEntry.objects.filter(pk=second.pk).update(**{f: getattr(third, f) for f in CONTENT_FIELDS})
    AuditEntry.objects.filter(pk=third.pk).update(**{f: getattr(second, f) for f in CONTENT_FIELDS})

    report = audit_verify()

    assert (report.ok, report.broken_seq, report.broken_id) == (False, 2, second.id)
    assert "内容与哈希不符" in report.reason


@pytest.mark.django_db
def test_two_entries_with_swapped_contents_and_hashes_are_found():
    entries = chain(5)
    second, third = entries[1], entries[2]
    moved = [*CONTENT_FIELDS, "prev_hash", "hash"]
    AuditEntry.objects.filter(pk=second.pk).update(**{f: getattr(third, f) for f in moved})
    AuditEntry.objects.filter(pk=third.pk).update(**{f: getattr(second, f) for f in moved})

    report = audit_verify()

    assert (report.ok, report.broken_seq, report.broken_id) == (False, 2, second.id)
    assert "前一哈希" in report.reason


@pytest.mark.django_db
def test_an_entry_taken_out_of_the_chain_is_found_and_counted_unsealed():
    entries = chain(5)
    AuditEntry.objects.filter(pk=entries[2].pk).update(seq=None, prev_hash="", hash="")

    report = audit_verify()

    assert (report.ok, report.broken_seq, report.unsealed) == (False, 3, 1)


@pytest.mark.django_db
def test_verify_is_not_fooled_by_a_sealer_appending_during_the_walk(monkeypatch):
    """A sealer running while verification walks the chain only appends: no false alarm."""
    chain(3)
    walk = audit._sealed_entries

    def walk_while_sealing():
        snapshot = list(walk())  # the walk's view of the chain ...
        record(2, start=4)
        audit_seal()  # ... then the sealer appends and moves the head
        return iter(snapshot)

    monkeypatch.setattr(audit, "_sealed_entries", walk_while_sealing)
    assert audit_verify().ok

    def seal_then_walk():
        record(1, start=6)
        audit_seal()  # sealed after the head was read, seen by the walk
        return walk()

    monkeypatch.setattr(audit, "_sealed_entries", seal_then_walk)
    report = audit_verify()
    assert (report.ok, report.checked) == (True, 6)


# --- the admin is read-only ------------------------------------------------------------------------


@pytest.fixture
def superuser():
    return UserFactory(kind=User.STAFF, person=None, is_staff=True, is_superuser=True)


@pytest.mark.django_db
def test_admin_refuses_add_change_and_delete_even_to_a_superuser(superuser):
    entry = chain(1)[0]
    model_admin = admin.site._registry[AuditEntry]
    request = RequestFactory().get("/admin/")
    request.user = superuser

    assert model_admin.has_view_permission(request, entry)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)


@pytest.mark.django_db
def test_admin_delete_and_change_posts_are_refused(client, superuser):
    entry = chain(1)[0]
    client.force_login(superuser)

    assert client.get(reverse("admin:core_auditentry_changelist")).status_code == 200
    assert client.post(reverse("admin:core_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert client.post(reverse("admin:core_auditentry_add"), {"action": "x"}).status_code == 403
    changed = client.post(reverse("admin:core_auditentry_change", args=[entry.pk]), {"action": "case.reject"})
    assert changed.status_code == 403
    client.post(
        reverse("admin:core_auditentry_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )

    assert AuditEntry.objects.filter(pk=entry.pk, action="case.accept").exists()
    assert audit_verify().ok


# --- the management command ------------------------------------------------------------------------


def run_audit(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("audit", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_audit_seal_command_seals_pending_entries():
    record(3)

    out, _ = run_audit("seal")

    assert "已封存 3 条" in out
    assert not AuditEntry.objects.filter(seq__isnull=True).exists()


@pytest.mark.django_db
def test_audit_verify_command_reports_an_intact_chain():
    chain(3)
    record(1, start=4)

    out, err = run_audit("verify")

    assert "已校验 3 条" in out and "1 条尚待封存" in out and "审计链完整" in out
    assert err == ""


@pytest.mark.django_db
def test_audit_verify_command_exits_non_zero_naming_the_broken_entry():
    entries = chain(5)
    AuditEntry.objects.filter(pk=entries[2].pk).delete()
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(SystemExit) as exited:
        call_command("audit", "verify", stdout=out, stderr=err)

    assert exited.value.code == 1
    assert "审计链完整" not in out.getvalue()
    assert f"第 3 条（记录ID {entries[3].id}）" in err.getvalue()
    assert "链序号应为3，实为4" in err.getvalue()


@pytest.mark.django_db
def test_audit_verify_command_reports_a_truncated_tail():
    entries = chain(2)
    AuditEntry.objects.filter(pk=entries[1].pk).delete()
    err = io.StringIO()

    with pytest.raises(SystemExit) as exited:
        call_command("audit", "verify", stdout=io.StringIO(), stderr=err)

    assert exited.value.code == 1
    assert "第 2 条（记录已不存在）" in err.getvalue() and "链尾记录被删除" in err.getvalue()
