import pytest

from tongban.core.errors import Conflict, ValidationFailed
from tongban.org import services
from tongban.org.tests.factories import next_uscc, region_tree

pytestmark = pytest.mark.django_db


def test_a_region_is_placed_under_the_parent_its_code_names():
    region_tree()
    village = services.region_create(code="341902001002", name="新华社区")
    assert village.level == "village" and village.parent_id == "341902001000"


def test_a_region_whose_parent_is_missing_is_refused():
    region_tree()
    with pytest.raises(ValidationFailed) as caught:
        services.region_create(code="341904001001", name="无上级社区")
    assert caught.value.code == "region_parent_missing"


def test_a_malformed_region_code_says_what_is_wrong():
    with pytest.raises(ValidationFailed) as caught:
        services.region_create(code="341902000001", name="坏代码")
    assert caught.value.code == "region_structure"


def test_a_department_needs_a_valid_unique_credit_code():
    region_tree()
    code = next_uscc()
    services.department_create(name="示范市测试局", short_name="测试局", uscc=code, region_code="341900000000")
    with pytest.raises(Conflict):
        services.department_create(name="另一个局", short_name="另一", uscc=code, region_code="341900000000")
    with pytest.raises(ValidationFailed) as caught:
        services.department_create(name="坏局", short_name="坏", uscc=code[:17] + "I", region_code="341900000000")
    assert caught.value.code == "uscc_format"


def test_agency_points_sit_in_villages():
    region_tree()
    with pytest.raises(ValidationFailed):
        services.agency_point_create(name="街道代办点", region_code="341902001000", address="东华街道")
    point = services.agency_point_create(name="东华社区代办点", region_code="341902001001", address="社区服务站")
    assert point.region_id == "341902001001"
