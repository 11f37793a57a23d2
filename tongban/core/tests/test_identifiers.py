"""National identifiers against reference values computed by hand, not by our own functions.

GB 11643 (ID number): weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, check = "10X98765432"[Σ mod 11].
GB 32100 (USCC): alphabet 0-9 A-Z without I O S V Z (A=10 … Y=30),
weights 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28, check = 31 − (Σ mod 31), 31 → 0.
"""

import datetime as dt

import pytest
from hypothesis import given, strategies as st

from tongban.core.errors import ValidationFailed
from tongban.core.identifiers import (
    USCC_ALPHABET,
    USCC_AUTHORITIES,
    division_codes,
    id_number_check_char,
    make_id_number,
    make_uscc,
    parse_id_number,
    parse_uscc,
    region_level,
    region_parent_code,
    region_prefix,
    uscc_check_char,
)
from tongban.core.masking import mask

# --- GB 11643 ID numbers -----------------------------------------------------------------------

# The standard's own example, 北京市朝阳区, born 1949-12-31, order 002 (female):
#   1·7 + 1·9 + 0·10 + 1·5 + 0·8 + 5·4 + 1·2 + 9·1 + 4·6 + 9·3 + 1·7 + 2·9 + 3·10 + 1·5 + 0·8 + 0·4 + 2·2
#   = 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167; 167 mod 11 = 2 → "10X98765432"[2] = "X"
GB11643_EXAMPLE = "11010519491231002X"

# The standard's second example, 广东省 440524, born 1880-01-01, order 001 (male):
#   4·7 + 4·9 + 0·10 + 5·5 + 2·8 + 4·4 + 1·2 + 8·1 + 8·6 + 0·3 + 0·7 + 1·9 + 0·10 + 1·5 + 0·8 + 0·4 + 1·2
#   = 28+36+0+25+16+16+2+8+48+0+0+9+0+5+0+0+2 = 195; 195 mod 11 = 8 → "10X98765432"[8] = "4"
GB11643_EXAMPLE_1880 = "440524188001010014"

# A made-up male one (demo city 341902, born 1990-05-17, order 001, male):
#   3·7 + 4·9 + 1·10 + 9·5 + 0·8 + 2·4 + 1·2 + 9·1 + 9·6 + 0·3 + 0·7 + 5·9 + 1·10 + 7·5 + 0·8 + 0·4 + 1·2
#   = 21+36+10+45+0+8+2+9+54+0+0+45+10+35+0+0+2 = 277; 277 mod 11 = 2 → "X"; order 003 instead:
#   277 − 2 + 6 = 281; 281 mod 11 = 6 → "10X98765432"[6] = "6"
DEMO_ID_MALE = "341902199005170036"


def test_the_standards_example_is_valid_and_its_x_is_accepted():
    parsed = parse_id_number(GB11643_EXAMPLE)

    assert parsed.value == GB11643_EXAMPLE
    assert parsed.region_code == "110105"
    assert parsed.birth_date == dt.date(1949, 12, 31)
    assert parsed.sex == "F"  # order code 002 is even


def test_a_hand_computed_male_id_number_is_valid():
    parsed = parse_id_number(DEMO_ID_MALE)

    assert parsed.sex == "M"
    assert parsed.birth_date == dt.date(1990, 5, 17)


def test_check_character_matches_the_hand_computed_examples():
    assert id_number_check_char(GB11643_EXAMPLE[:17]) == "X"
    assert id_number_check_char(GB11643_EXAMPLE_1880[:17]) == "4"
    assert id_number_check_char(DEMO_ID_MALE[:17]) == "6"


def test_lower_case_x_and_surrounding_blanks_are_normalised():
    assert parse_id_number(" 11010519491231002x ").value == GB11643_EXAMPLE


def test_a_birth_year_before_1890_is_refused_even_with_a_valid_checksum():
    with pytest.raises(ValidationFailed) as refused:
        parse_id_number(GB11643_EXAMPLE_1880)

    assert refused.value.code == "id_number_birth_date"


@pytest.mark.parametrize(
    ("raw", "code", "says"),
    [
        ("", "id_number_length", "当前为0位"),
        ("1101051949123100", "id_number_length", "当前为16位"),
        ("11010519491231002X1", "id_number_length", "当前为19位"),
        ("11010519491231002A", "id_number_format", "数字或X"),
        ("1101051949123100X2", "id_number_format", "前17位应为数字"),
        ("11O10519491231002X", "id_number_format", "前17位应为数字"),
        ("000000194912310021", "id_number_region", "行政区划代码"),
        ("900105194912310021", "id_number_region", "行政区划代码"),
        ("110000194912310021", "id_number_region", "行政区划代码"),
        ("110105199002300021", "id_number_birth_date", "“19900230”"),
        ("110105199013010021", "id_number_birth_date", "“19901301”"),
        ("110105201902290021", "id_number_birth_date", "“20190229”"),
    ],
)
def test_malformed_id_numbers_are_refused_with_the_failed_check(raw, code, says):
    with pytest.raises(ValidationFailed) as refused:
        parse_id_number(raw, field="applicant_id")

    assert refused.value.code == code
    assert says in refused.value.message
    assert refused.value.field == "applicant_id"


def test_a_birth_date_in_the_future_is_refused():
    tomorrow = dt.date.today() + dt.timedelta(days=1)

    with pytest.raises(ValidationFailed) as refused:
        parse_id_number(make_id_number("110105", tomorrow, 1, "M"))

    assert refused.value.code == "id_number_birth_date"


def test_a_leap_day_birth_date_is_accepted():
    # 110105 20000229 001 → Σ = 1·7+1·9+0+1·5+0+5·4+2·2+0+0+0+0·7+2·9+2·10+9·5+0+0+1·2 = 130
    # 130 mod 11 = 9 → "10X98765432"[9] = "3"
    assert parse_id_number("110105200002290013").birth_date == dt.date(2000, 2, 29)


@pytest.mark.parametrize("wrong", ["0", "1", "9", "2"])
def test_a_wrong_check_character_is_refused_naming_the_expected_one(wrong):
    with pytest.raises(ValidationFailed) as refused:
        parse_id_number(GB11643_EXAMPLE[:17] + wrong)

    assert refused.value.code == "id_number_checksum"
    assert "第18位应为“X”" in refused.value.message


def test_an_x_where_a_digit_is_expected_is_refused_naming_the_digit():
    with pytest.raises(ValidationFailed) as refused:
        parse_id_number(DEMO_ID_MALE[:17] + "X")

    assert refused.value.code == "id_number_checksum"
    assert "第18位应为“6”" in refused.value.message


# --- GB 32100 unified social credit codes ------------------------------------------------------

# Hand-computed with A=10 B=11 … H=17 J=18 K=19 L=20 M=21 N=22 P=23 Q=24 R=25 T=26 U=27 W=28 X=29 Y=30.
PUBLISHED_USCCS = [
    # 华为技术有限公司 (Shenzhen, organisation code 19220382-1):
    #   9·1+1·3+4·9+4·27+0·19+3·26+0·16+0·17+1·20+9·29+2·25+2·13+0·8+3·24+8·10+2·30+1·28
    #   = 9+3+36+108+0+78+0+0+20+261+50+26+0+72+80+60+28 = 831; 831 mod 31 = 25; 31−25 = 6 → "6"
    ("914403001922038216", "9", "1", "440300"),
    # 深圳市腾讯计算机系统有限公司:
    #   9+3+36+108+0+78+0+0+7·20+0·29+8·25+4·13+6·8+1·24+1·10+3·30+6·28
    #   = 234+140+0+200+52+48+24+10+90+168 = 966; 966 mod 31 = 5; 31−5 = 26 → "T"
    ("91440300708461136T", "9", "1", "440300"),
    # 阿里巴巴（中国）有限公司 (Hangzhou):
    #   9+3+3·9+3·27+0+1·26+0+0+7·20+9·29+9·25+6·13+5·8+5·24+0·10+5·30+8·28
    #   = 9+3+27+81+26+140+261+225+78+40+120+0+150+224 = 1384; 1384 mod 31 = 20; 31−20 = 11 → "B"
    ("91330100799655058B", "9", "1", "330100"),
    # The widely cited Fuzhou example with a letter organisation code:
    #   9+3+3·9+5·27+0+1·26+0+0+M(21)·20+0+0+0+1·8+0+0+Y(30)·30+4·28
    #   = 9+3+27+135+26+420+8+900+112 = 1640; 1640 mod 31 = 28; 31−28 = 3 → "3"
    ("91350100M000100Y43", "9", "1", "350100"),
]


@pytest.mark.parametrize(("value", "authority", "kind", "region"), PUBLISHED_USCCS)
def test_published_credit_codes_are_valid(value, authority, kind, region):
    parsed = parse_uscc(value)

    assert (parsed.value, parsed.authority, parsed.kind, parsed.region_code) == (value, authority, kind, region)
    assert uscc_check_char(value[:17]) == value[17]


def test_a_sum_divisible_by_31_gives_check_character_0():
    # "1A" + fifteen zeros: Σ = 1·1 + A(10)·3 = 31; 31 mod 31 = 0; 31 − 0 = 31 → 0 → "0"
    assert uscc_check_char("1A000000000000000") == "0"


def test_lower_case_credit_codes_are_normalised():
    assert parse_uscc(" 91440300708461136t ").value == "91440300708461136T"


@pytest.mark.parametrize(
    ("raw", "bad"),
    [
        ("91350100M000100I43", "I"),
        ("91350100M000100O43", "O"),
        ("91350100M000100S43", "S"),
        ("91350100M000100V43", "V"),
        ("91350100M000100Z43", "Z"),
        ("91350100Z0001OOI43", "IOZ"),  # each bad character once, in order
        ("91350100m000100s43", "S"),  # named after upper-casing
        ("91350100-000100Y43", "-"),
    ],
)
def test_credit_codes_with_letters_outside_the_alphabet_are_refused_naming_them(raw, bad):
    with pytest.raises(ValidationFailed) as refused:
        parse_uscc(raw, field="legal_person_uscc")

    assert refused.value.code == "uscc_format"
    assert f"“{bad}”" in refused.value.message
    assert refused.value.field == "legal_person_uscc"


@pytest.mark.parametrize(
    ("raw", "code", "says"),
    [
        ("", "uscc_length", "当前为0位"),
        ("91350100M000100Y4", "uscc_length", "当前为17位"),
        ("91350100M000100Y433", "uscc_length", "当前为19位"),
        ("B1350100M000100Y43", "uscc_authority", "“B”"),
        ("0135010000000100Y4", "uscc_authority", "“0”"),
        ("9135A100M000100Y43", "uscc_region", "第3至8位"),
    ],
)
def test_malformed_credit_codes_are_refused_with_the_failed_check(raw, code, says):
    with pytest.raises(ValidationFailed) as refused:
        parse_uscc(raw)

    assert refused.value.code == code
    assert says in refused.value.message


@pytest.mark.parametrize("wrong", ["0", "4", "Y", "X"])
def test_a_wrong_credit_code_check_character_is_refused_naming_the_expected_one(wrong):
    with pytest.raises(ValidationFailed) as refused:
        parse_uscc("91350100M000100Y4" + wrong)

    assert refused.value.code == "uscc_checksum"
    assert "第18位应为“3”" in refused.value.message


def test_make_uscc_needs_a_nine_character_organisation_code():
    with pytest.raises(ValueError, match="9 characters"):
        make_uscc("9", "1", "341902", "MA123")


# --- make_* round trips ------------------------------------------------------------------------

# County-level codes of the shipped GB/T 2260 table (a province's own code, ####0000, is no address).
address_codes = st.sampled_from([code for code in division_codes() if not code.endswith("0000")])
birth_dates = st.dates(min_value=dt.date(1890, 1, 1), max_value=dt.date.today())
sexes = st.sampled_from(["M", "F"])
uscc_symbols = st.sampled_from(USCC_ALPHABET)


@given(region=address_codes, birth=birth_dates, sequence=st.integers(0, 10_000), sex=sexes)
def test_made_id_numbers_parse_back_to_their_parts(region, birth, sequence, sex):
    value = make_id_number(region, birth, sequence, sex)
    parsed = parse_id_number(value)

    assert (parsed.value, parsed.region_code, parsed.birth_date, parsed.sex) == (value, region, birth, sex)


@given(region=address_codes, birth=birth_dates, sequence=st.integers(0, 499), sex=sexes, data=st.data())
def test_every_other_check_character_or_single_digit_change_is_refused(region, birth, sequence, sex, data):
    value = make_id_number(region, birth, sequence, sex)
    wrong_check = data.draw(st.sampled_from([c for c in "0123456789X" if c != value[17]]))
    position = data.draw(st.integers(0, 16))
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != value[position]]))

    with pytest.raises(ValidationFailed) as refused:
        parse_id_number(value[:17] + wrong_check)
    assert refused.value.code == "id_number_checksum"
    # mod 11 with weights prime to 11 catches every single substitution (whichever check fails first)
    with pytest.raises(ValidationFailed):
        parse_id_number(value[:position] + digit + value[position + 1 :])


@given(
    authority=st.sampled_from(sorted(USCC_AUTHORITIES)),
    kind=uscc_symbols,
    region=address_codes,
    organisation=st.text(USCC_ALPHABET, min_size=9, max_size=9),
    data=st.data(),
)
def test_made_credit_codes_parse_back_and_refuse_any_other_check_character(authority, kind, region, organisation, data):
    value = make_uscc(authority, kind, region, organisation)
    parsed = parse_uscc(value)

    assert (parsed.value, parsed.authority, parsed.kind, parsed.region_code) == (value, authority, kind, region)
    assert value[8:17] == organisation
    wrong = data.draw(st.sampled_from([c for c in USCC_ALPHABET if c != value[17]]))
    with pytest.raises(ValidationFailed) as refused:
        parse_uscc(value[:17] + wrong)
    assert refused.value.code == "uscc_checksum"
    assert f"第18位应为“{value[17]}”" in refused.value.message


# --- statistical division codes ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("340000000000", "province"),
        ("341900000000", "city"),
        ("341902000000", "county"),
        ("341902001000", "township"),  # street
        ("341902100000", "township"),  # town
        ("341902399000", "township"),  # township
        ("341902400000", "township"),  # government-enterprise unit (GB/T 10114: 400–599)
        ("341902599000", "township"),
        ("341902001001", "village"),  # residents' committee
        ("341902101399", "village"),  # villagers' committee
        # Cities without counties (不设区的地级市): towns and streets sit directly under the city, so a
        # zero county segment followed by a township is well formed; the codes alone cannot tell such
        # a city from one with counties, so 341900001000 is accepted too (its parent is the city).
        ("441900003000", "township"),  # 东莞市东城街道
        ("441900101000", "township"),  # 东莞市石碣镇
        ("442000001001", "village"),  # 中山市 (442000): a community under a street
        ("341900001000", "township"),
    ],
)
def test_region_level_of_well_formed_codes(code, level):
    assert region_level(code) == level


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("34190200100", "region_format"),
        ("3419020010001", "region_format"),
        ("34190200100A", "region_format"),
        ("000000000000", "region_province"),
        ("900000000000", "region_province"),
        ("340002000000", "region_structure"),  # county under no city
        ("340000001000", "region_structure"),  # township under no city
        ("340000000001", "region_structure"),  # village under nothing
        ("341902000001", "region_structure"),  # village under no township
        ("441900000001", "region_structure"),  # village under no township, in a city without counties
        ("341902600000", "region_township"),
        ("341902999001", "region_township"),
        ("341902001400", "region_village"),
        ("341902001999", "region_village"),
    ],
)
def test_region_level_refuses_malformed_codes(code, error):
    with pytest.raises(ValidationFailed) as refused:
        region_level(code)

    assert refused.value.code == error


def test_region_prefix_and_parent_follow_the_level():
    assert region_prefix("341902001001") == "341902001001"
    assert region_prefix("341902001000") == "341902001"
    assert region_prefix("341900000000") == "3419"
    assert region_parent_code("341902001001") == "341902001000"
    assert region_parent_code("341902001000") == "341902000000"
    assert region_parent_code("341902000000") == "341900000000"
    assert region_parent_code("341900000000") == "340000000000"
    assert region_parent_code("340000000000") is None
    assert region_prefix("441900003000") == "441900003"
    assert region_parent_code("441900003000") == "441900000000"


# --- masking -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "shown"),
    [
        ("id_number", "320102199001011234", "320102********1234"),
        ("id_number", GB11643_EXAMPLE, "110105********002X"),
        ("phone", "13812345678", "138****5678"),
        ("name", "张三", "张*"),
        ("name", "欧阳小明", "欧***"),
        ("name", "张", "张"),
        ("bank_account", "6222021234567890123", "6222***********0123"),
        ("uscc", "91350100M000100Y43", "91350100M000100Y43"),
        ("phone", "1234", "****"),
        ("id_number", "", ""),
        ("phone", None, ""),
    ],
)
def test_masking_examples(kind, value, shown):
    assert mask(kind, value) == shown


def test_an_unknown_mask_kind_is_an_error():
    with pytest.raises(ValueError, match="unknown mask kind"):
        mask("password", "secret")


# --- normalisation and the GB/T 2260 table ------------------------------------------------------


def test_full_width_digits_and_letters_are_folded_to_ascii():
    assert parse_id_number("１１０１０５　１９４９１２３１００２ｘ").value == "11010519491231002X"
    assert parse_uscc("９１４４０３００７０８４６１１３６Ｔ").value == "91440300708461136T"


@pytest.mark.parametrize(
    "raw", ["11010519491231002²", "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", "11010519491231002Ⅹ", "𝟏1010519491231002X"]
)
def test_other_scripts_digits_are_refused_naming_them(raw):
    with pytest.raises(ValidationFailed) as refused:
        parse_id_number(raw)
    assert refused.value.code == "id_number_format"
    assert "只能填写数字和字母" in refused.value.message


def test_a_region_code_absent_from_gb_t_2260_is_refused():
    first17 = "11990119491231002"
    with pytest.raises(ValidationFailed) as refused:
        parse_id_number(first17 + id_number_check_char(first17))
    assert refused.value.code == "id_number_region"
    with pytest.raises(ValidationFailed) as refused:
        parse_uscc(make_uscc("9", "1", "119901", "MA0000001"))
    assert refused.value.code == "uscc_region"


def test_local_divisions_are_accepted_only_while_configured(settings):
    value = make_id_number("341902", dt.date(1990, 5, 17), 1, "M")
    settings.TONGBAN_LOCAL_DIVISIONS = ["3419"]
    assert parse_id_number(value).region_code == "341902"
    settings.TONGBAN_LOCAL_DIVISIONS = []
    with pytest.raises(ValidationFailed):
        parse_id_number(value)


def test_a_nationally_registered_credit_code_carries_the_national_code():
    assert parse_uscc(make_uscc("1", "1", "100000", "000013338")).region_code == "100000"
