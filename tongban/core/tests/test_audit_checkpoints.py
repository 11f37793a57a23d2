"""A chain whose tail cannot vanish: the head's signed checkpoints, kept outside the database,
catch a tail cut with the head rewound, a table emptied with its head, and the last entry rewritten
and resealed, each of which the chain alone cannot see; and an external witness keeps a copy, so a
lost or rolled-back checkpoint store hides nothing either."""

import io
import json
import shutil

import pytest
from django.core.management import call_command

from tongban.core.audit import WITNESS_ASKED, WITNESS_UNAVAILABLE, audit_seal, audit_verify
from tongban.core.audit_checkpoints import audit_checkpoint, checkpoint_latest
from tongban.core.models import AuditChainHead, AuditEntry
from tongban.core.tests.test_audit import chain, record
from tongban.core.tests.witness_server import AuditWitness

pytestmark = pytest.mark.django_db


def _checkpointed(count: int) -> list[AuditEntry]:
    entries = chain(count)
    checkpoint = audit_checkpoint()
    assert checkpoint is not None and checkpoint.seq == count
    return entries


def _verify_exit() -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
    except SystemExit as stopped:
        assert isinstance(stopped.code, int)
        return stopped.code, err.getvalue()
    return 0, out.getvalue()


def _cut_tail_and_rewind(entries: list[AuditEntry], keep: int) -> None:
    AuditEntry.objects.filter(seq__gt=keep).delete()
    AuditChainHead.objects.filter(pk=1).update(seq=keep, hash=entries[keep - 1].hash)


def test_the_chain_alone_cannot_see_a_rewound_tail_but_the_checkpoint_does():
    entries = _checkpointed(6)
    _cut_tail_and_rewind(entries, keep=4)
    report = audit_verify()
    assert not report.ok and "链尾被截断" in report.reason
    assert _verify_exit()[0] == 1


def test_an_emptied_table_and_head_fail_verification():
    _checkpointed(5)
    AuditEntry.objects.all().delete()
    AuditChainHead.objects.all().delete()
    code, said = _verify_exit()
    assert code == 1 and "第5条" in said


def test_the_last_entry_rewritten_and_resealed_fails_verification():
    entries = _checkpointed(5)
    last = entries[-1]
    AuditEntry.objects.filter(pk=last.pk).update(seq=None, prev_hash="", hash="", detail={"opinion": "改过"})
    AuditChainHead.objects.filter(pk=1).update(seq=4, hash=entries[3].hash)
    audit_seal()  # the sealer links the rewritten entry again: the chain is consistent in itself
    report = audit_verify()
    assert not report.ok and "与检查点不符" in report.reason
    assert _verify_exit()[0] == 1


def test_a_forged_checkpoint_fails_its_signature(settings):
    _checkpointed(3)
    path = next((settings.TONGBAN_AUDIT_CHECKPOINT_DIR).glob("checkpoints-*.jsonl"))
    forged = json.loads(path.read_text().splitlines()[-1]) | {"seq": 2}
    path.write_text(path.read_text() + json.dumps(forged) + "\n")
    report = audit_verify()
    assert not report.ok and "签名无效" in report.reason


def test_entries_after_the_latest_checkpoint_are_the_residual_window():
    entries = _checkpointed(4)
    record(2, start=5)
    audit_seal()
    AuditEntry.objects.filter(seq=6).delete()  # sealed after the checkpoint: the documented window
    AuditChainHead.objects.filter(pk=1).update(seq=5, hash=AuditEntry.objects.get(seq=5).hash)
    assert audit_verify().ok
    assert audit_checkpoint().seq == 5 and checkpoint_latest().seq == 5
    assert entries  # the checkpointed part stays held


def test_an_intact_chain_verifies_against_its_checkpoint_and_says_so():
    _checkpointed(3)
    assert audit_checkpoint() is None  # the head has not moved
    code, said = _verify_exit()
    assert code == 0 and "与最新检查点" in said and "第 3 条" in said


def test_the_checkpoint_command_seals_and_signs():
    record(2)
    out = io.StringIO()
    call_command("audit", "checkpoint", stdout=out)
    assert "第 2 条" in out.getvalue()
    assert checkpoint_latest().seq == 2


@pytest.fixture
def witness(settings):
    """An external witness on loopback, configured as the platform's."""
    server = AuditWitness()
    settings.TONGBAN_AUDIT_WITNESS_URL = server.url
    settings.TONGBAN_AUDIT_WITNESS_TOKEN = server.token
    settings.TONGBAN_AUDIT_WITNESS_SOURCE = "tongban-3419"
    yield server
    server.close()


def _local_store_lost(settings) -> None:
    shutil.rmtree(settings.TONGBAN_AUDIT_CHECKPOINT_DIR)


def test_each_checkpoint_is_handed_to_the_witness_signed(witness):
    _checkpointed(3)
    [held] = witness.held["tongban-3419"]
    assert (held["seq"], held["hash"]) == (3, AuditChainHead.objects.get().hash)
    assert held["signature"] and held["public_key"]
    chain(2)
    audit_checkpoint()
    assert [c["seq"] for c in witness.held["tongban-3419"]] == [3, 5]
    report = audit_verify()
    assert report.ok and report.witness == WITNESS_ASKED and report.checkpoint.seq == 5


def test_a_lost_local_store_hides_nothing_the_witness_saw(settings, witness):
    entries = _checkpointed(6)
    _local_store_lost(settings)
    _cut_tail_and_rewind(entries, keep=4)
    report = audit_verify()
    assert not report.ok and "链尾被截断" in report.reason
    code, said = _verify_exit()
    assert code == 1 and "第6条" in said


def test_a_local_store_rolled_back_to_an_older_checkpoint_is_caught_by_the_witness(settings, witness):
    entries = _checkpointed(4)
    [older] = settings.TONGBAN_AUDIT_CHECKPOINT_DIR.glob("*.jsonl")
    saved = older.read_text()
    chain(3)
    audit_checkpoint()  # seq 7, witnessed
    older.write_text(saved)  # the local store rolled back to seq 4
    _cut_tail_and_rewind(entries + list(AuditEntry.objects.filter(seq__gt=4).order_by("seq")), keep=5)
    assert not audit_verify().ok


def test_a_witness_that_is_down_delays_its_copy_and_verify_says_it_checked_locally(witness):
    witness.down = True
    _checkpointed(3)
    assert "tongban-3419" not in witness.held
    report = audit_verify()
    assert report.ok and report.witness == WITNESS_UNAVAILABLE
    code, said = _verify_exit()
    assert code == 0 and "只对照了本地检查点" in said
    witness.down = False
    assert audit_checkpoint() is None  # the head has not moved: no new checkpoint …
    assert [c["seq"] for c in witness.held["tongban-3419"]] == [3]  # … but the witness gets the pending one


def test_a_forged_witnessed_checkpoint_fails_verification(witness):
    _checkpointed(3)
    forged = {**witness.held["tongban-3419"][-1], "seq": 2}
    witness.held["tongban-3419"].append(forged)
    report = audit_verify()
    assert not report.ok and "签名无效" in report.reason
