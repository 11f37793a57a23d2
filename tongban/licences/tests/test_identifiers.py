import pytest
from hypothesis import given, strategies as st

from tongban.core.errors import ValidationFailed
from tongban.licences.identifiers import ALPHABET, licence_identifier, licence_identifier_parse, mod37_36_check_char

DEFINER = "11341900MB0000001K"  # valid USCCs (GB 32100 check characters K and N)
ISSUER = "11341900MB0000002N"
TYPE_CODE = DEFINER + "001"

# Written down once and checked against the naive definition below (not the code under test).
KNOWN_GOOD = [
    "1.2.156.3005.2.11341900MB0000001K001.11341900MB0000002N.00000001.001.C",
    "1.2.156.3005.2.11341900MB0000001K001.11341900MB0000002N.00000002.001.X",
    "1.2.156.3005.2.11341900MB0000001K001.11341900MB0000002N.00000001.002.A",
    "1.2.156.3005.2.11341900MB0000001K001.11341900MB0000002N.A7.999.W",
]


def naive_check(text: str) -> str:
    """ISO/IEC 7064 MOD 37,36 by its definition: try every character and keep the one with which the
    whole string passes the hybrid-system test (the last reduced sum S is 1)."""
    values = [int(c, 36) for c in text]
    for candidate in range(36):
        p, s = 36, 0
        for value in [*values, candidate]:
            s = (p + value) % 36 or 36
            p = (2 * s) % 37
        if s == 1:
            return "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[candidate]
    raise AssertionError("no check character")


def test_iso_7064_reference_example():
    # The MOD 37,36 example of ISO/IEC 7064: "A12425GABC1234002" has check character "M".
    assert mod37_36_check_char("A12425GABC1234002") == "M"
    assert naive_check("A12425GABC1234002") == "M"


@pytest.mark.parametrize("identifier", KNOWN_GOOD)
def test_known_identifiers_parse_and_match_the_naive_check(identifier):
    parsed = licence_identifier_parse(identifier)
    body = f"{parsed.type_code}{parsed.issuer_uscc}{parsed.serial}{parsed.version:03d}"
    assert naive_check(body) == identifier[-1]
    assert licence_identifier(parsed.type_code, parsed.issuer_uscc, parsed.serial, parsed.version) == identifier


def test_parts_are_read():
    parsed = licence_identifier_parse(KNOWN_GOOD[2].lower())
    assert (parsed.type_code, parsed.issuer_uscc, parsed.serial, parsed.version) == (TYPE_CODE, ISSUER, "00000001", 2)


@pytest.mark.parametrize(
    ("identifier", "code"),
    [
        (KNOWN_GOOD[0][:-1] + "D", "licence_id_checksum"),
        (KNOWN_GOOD[0].replace("00000001.001", "00000001.011"), "licence_id_checksum"),
        (KNOWN_GOOD[0].replace("1.2.156.3005.2", "1.2.156.3005.3"), "licence_id_prefix"),
        (KNOWN_GOOD[0].replace(".001.C", ".C"), "licence_id_parts"),
        (KNOWN_GOOD[0].replace("0000001K001", "0000001K0A1"), "licence_type_code_format"),
        (KNOWN_GOOD[0].replace("0000001K001", "0000001J001"), "licence_type_code_uscc"),
        (KNOWN_GOOD[0].replace("0000002N", "0000002P"), "licence_id_issuer"),
        (KNOWN_GOOD[0].replace(".001.C", ".000.C"), "licence_id_version"),
        (KNOWN_GOOD[0].replace(".001.C", ".1.C"), "licence_id_version"),
        (KNOWN_GOOD[0].replace("00000001", "0000-001"), "licence_id_serial"),
        (KNOWN_GOOD[0][:-1] + "#", "licence_id_check_format"),
    ],
)
def test_wrong_identifiers_are_refused_with_their_reason(identifier, code):
    with pytest.raises(ValidationFailed) as refused:
        licence_identifier_parse(identifier)
    assert refused.value.code == code
    assert refused.value.message  # a Chinese sentence naming the part


def test_checksum_message_names_the_expected_character():
    with pytest.raises(ValidationFailed, match="校验位应为“C”"):
        licence_identifier_parse(KNOWN_GOOD[0][:-1] + "D")


@given(
    serial=st.text(alphabet=ALPHABET, min_size=1, max_size=40),
    version=st.integers(min_value=1, max_value=999),
    suffix=st.integers(min_value=0, max_value=999),
)
def test_round_trip(serial, version, suffix):
    type_code = f"{DEFINER}{suffix:03d}"
    identifier = licence_identifier(type_code, ISSUER, serial, version)
    parsed = licence_identifier_parse(identifier)
    assert (parsed.type_code, parsed.serial, parsed.version) == (type_code, serial, version)
    assert naive_check(f"{type_code}{ISSUER}{serial}{version:03d}") == parsed.check


@given(position=st.integers(min_value=0, max_value=20), replacement=st.sampled_from(ALPHABET))
def test_any_single_substitution_in_the_serial_or_version_is_caught(position, replacement):
    identifier = licence_identifier(TYPE_CODE, ISSUER, "0123456789ABCDEFGHIJ", 7)
    tail = identifier[len("1.2.156.3005.2.") + 21 + 1 + 18 + 1 :]  # serial.version.check
    index = position if position < 20 else 21  # a serial character or the first version digit
    if tail[index] == replacement or (index == 21 and replacement not in "123456789"):
        return
    forged = identifier[: len(identifier) - len(tail)] + tail[:index] + replacement + tail[index + 1 :]
    with pytest.raises(ValidationFailed):
        licence_identifier_parse(forged)
