"""SM4-GCM field encryption: values round-trip, are bound to their column, refuse tampering, and
stay readable after a key rotation; blind indexes are stable per column and key."""

import json
import stat

import pytest

from tongban.core import field_crypto
from tongban.core.field_crypto import FieldKeyError, blind_index, field_decrypt, field_encrypt, field_key_of


@pytest.fixture(autouse=True)
def own_key_file(settings, tmp_path):
    settings.TONGBAN_FIELD_KEY_FILE = tmp_path / "keys" / "field-sm4.json"
    field_crypto.keyring_forget()
    yield settings.TONGBAN_FIELD_KEY_FILE
    field_crypto.keyring_forget()


def test_a_value_round_trips_as_sm4_ciphertext_that_hides_it(own_key_file):
    stored = field_encrypt("34190219800101001X", context="accounts_person.id_number")
    assert stored.startswith("sm4:k1:") and "34190219800101001X" not in stored
    assert field_encrypt("34190219800101001X", context="accounts_person.id_number") != stored  # a fresh nonce
    assert field_decrypt(stored, context="accounts_person.id_number") == "34190219800101001X"
    assert stat.S_IMODE(own_key_file.stat().st_mode) == 0o600


def test_a_value_moved_to_another_column_or_tampered_with_does_not_decrypt():
    stored = field_encrypt("13800000000", context="accounts_person.phone")
    with pytest.raises(FieldKeyError, match="不属于此列"):
        field_decrypt(stored, context="accounts_legalperson.address")
    body = stored.rsplit(":", 1)[1]
    flipped = stored[: -len(body)] + ("A" if body[0] != "A" else "B") + body[1:]
    with pytest.raises(FieldKeyError):
        field_decrypt(flipped, context="accounts_person.phone")
    with pytest.raises(FieldKeyError, match="不是密文"):
        field_decrypt("13800000000", context="accounts_person.phone")


def test_after_a_rotation_new_values_use_the_new_key_and_old_ones_still_open(own_key_file):
    old = field_encrypt("王小明的住址", context="t.c")
    assert field_crypto.field_key_rotate() == "k2"
    new = field_encrypt("王小明的住址", context="t.c")
    assert (field_key_of(old), field_key_of(new)) == ("k1", "k2")
    assert field_decrypt(old, context="t.c") == field_decrypt(new, context="t.c") == "王小明的住址"
    assert json.loads(own_key_file.read_text())["active"] == "k2"


def test_a_key_missing_from_the_file_is_a_clear_error(own_key_file):
    stored = field_encrypt("x", context="t.c")
    ring = json.loads(own_key_file.read_text())
    ring["keys"] = {"k9": ring["keys"]["k1"]}
    ring["active"] = "k9"
    own_key_file.write_text(json.dumps(ring))
    field_crypto.keyring_forget()
    with pytest.raises(FieldKeyError, match="密钥 k1 不在密钥文件中"):
        field_decrypt(stored, context="t.c")


def test_blind_indexes_are_stable_per_column_and_survive_a_rotation():
    first = blind_index("34190219800101001X", context="accounts_person.id_number")
    assert first == blind_index("34190219800101001X", context="accounts_person.id_number")
    assert first != blind_index("34190219800101001X", context="cases_case.id_number")
    assert len(first) == 64 and "3419" not in first
    field_crypto.field_key_rotate()
    assert blind_index("34190219800101001X", context="accounts_person.id_number") == first
