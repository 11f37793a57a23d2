import datetime as dt

import pytest
from django.test import override_settings

from tongban.accounts.tests.factories import StaffFactory, UserFactory
from tongban.core.errors import PermissionDenied
from tongban.licences import seal
from tongban.licences.models import Licence, SealKey
from tongban.licences.tests.factories import issued_licence, licence_type

pytestmark = pytest.mark.django_db


def reloaded(licence: Licence) -> Licence:
    return Licence.objects.select_related("type", "previous").get(pk=licence.pk)


def test_an_issued_licence_verifies_with_sm2_by_default():
    licence = issued_licence()
    assert licence.algorithm == "sm2"
    assert seal.seal_verify(reloaded(licence))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("identifier", "1.2.156.3005.2.X"),
        ("holder_name", "王五"),
        ("holder_id_number", "341902199005170000"),
        ("data", {"spouse_name": "赵六", "registered_on": "2024-05-20"}),
        ("issued_on", dt.date(2001, 1, 1)),
        ("valid_from", dt.date(2001, 1, 1)),
        ("valid_until", dt.date(2099, 1, 1)),
        ("issuer_name", "伪造局"),
        ("issuer_uscc", "11341900MB0000002N"),
        ("serial", "99999999"),
        ("version", 9),
        ("case_number", "341900000000202601010000010001"),
    ],
)
def test_tampering_with_any_field_fails_verification(field, value):
    licence = issued_licence()
    Licence.objects.filter(pk=licence.pk).update(**{field: value})
    assert not seal.seal_verify(reloaded(licence))


def test_a_forged_signature_or_digest_fails():
    licence = issued_licence()
    other = issued_licence()
    Licence.objects.filter(pk=licence.pk).update(signature=other.signature)
    assert not seal.seal_verify(reloaded(licence))
    Licence.objects.filter(pk=licence.pk).update(signature="not base64!")
    assert not seal.seal_verify(reloaded(licence))


def test_a_recomputed_digest_without_the_private_key_still_fails():
    licence = reloaded(issued_licence())
    licence.holder_name = "王五"
    Licence.objects.filter(pk=licence.pk).update(
        holder_name="王五", digest=seal.sm3_hex(seal.licence_canonical(licence))
    )
    assert not seal.seal_verify(reloaded(licence))


def test_the_status_is_not_sealed_so_lifecycle_keeps_the_signature():
    licence = issued_licence()
    Licence.objects.filter(pk=licence.pk).update(status="03")
    assert seal.seal_verify(reloaded(licence))


def test_private_keys_are_encrypted_at_rest_and_bound_to_their_row():
    licence = issued_licence()
    key = SealKey.objects.get(key_id=licence.key_id)
    assert len(key.private_key_encrypted) > 64
    assert "private" not in key.private_key_encrypted
    other = SealKey.objects.create(
        department=key.department,
        key_id="moved",
        algorithm="sm2",
        public_key=key.public_key,
        private_key_encrypted=key.private_key_encrypted,
        retired_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
    )
    with pytest.raises(Exception, match="无法解密"):
        seal._decrypt(other.private_key_encrypted, other.key_id)


def test_a_changed_master_key_refuses_to_sign():
    licence = issued_licence()
    with override_settings(TONGBAN_SEAL_MASTER_KEY="another-master"), pytest.raises(Exception, match="主密钥"):
        seal.seal_sign(licence.issuer_id, b"x")


@override_settings(TONGBAN_SEAL_ALGORITHM="ed25519")
def test_ed25519_when_configured():
    licence = issued_licence()
    assert licence.algorithm == "ed25519"
    assert seal.seal_verify(reloaded(licence))
    Licence.objects.filter(pk=licence.pk).update(holder_name="王五")
    assert not seal.seal_verify(reloaded(licence))


def test_rotation_keeps_old_licences_verifiable_and_signs_new_ones_with_the_new_key():
    kind = licence_type()
    first = issued_licence(licence_type_obj=kind)
    security_officer = StaffFactory(posts=["security"]).user
    new_key = seal.seal_key_rotate(actor=security_officer, department_id=kind.defining_department_id)
    second = issued_licence(licence_type_obj=kind)
    assert second.key_id == new_key.key_id != first.key_id
    assert SealKey.objects.get(key_id=first.key_id).retired_at is not None
    assert seal.seal_verify(reloaded(first)) and seal.seal_verify(reloaded(second))


def test_only_the_security_officer_rotates_keys():
    licence = issued_licence()
    for actor in (UserFactory(), StaffFactory(posts=["admin"]).user, UserFactory(is_superuser=True)):
        with pytest.raises(PermissionDenied):
            seal.seal_key_rotate(actor=actor, department_id=licence.issuer_id)
