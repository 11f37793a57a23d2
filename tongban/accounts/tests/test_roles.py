"""三员分立: the system administrator, the security officer and the audit officer each reach what
their row of the matrix says in the admin and nothing else; nobody holds two roles; only the security
officer gives a role; and in production no superuser logs in."""

import pytest
from django.contrib import admin
from django.contrib.auth import authenticate

from tongban.accounts import roles, services
from tongban.accounts.models import Staff, User
from tongban.accounts.tests.factories import StaffFactory, UserFactory
from tongban.core.errors import PermissionDenied, ValidationFailed
from tongban.org.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

REGISTERED = sorted(model._meta.label_lower for model in admin.site._registry)
BUSINESS = {label for label in REGISTERED if label.split(".")[0] in {"org", "catalog", "licences", "exchange"}}
# What each role may open (view) and change, written out here rather than derived from the code.
MAY_VIEW = {
    "admin": (BUSINESS - {"licences.sealkey"})
    | {"core.calendarday", "core.calendaryear"}
    | {"accounts.user", "accounts.person", "accounts.legalperson", "accounts.mandate", "accounts.post"},
    "security": {"accounts.user", "accounts.post", "licences.sealkey", "core.fieldkeyrotation"},
    "audit": {"core.auditentry"},
}
MAY_CHANGE = {
    "admin": MAY_VIEW["admin"] - {"accounts.mandate", "accounts.post"},
    "security": {"accounts.user", "accounts.post", "licences.sealkey"},
    "audit": set(),
}


def officer(role: str) -> User:
    user = StaffFactory(posts=[role], user__is_staff=True).user
    return user


@pytest.mark.parametrize("role", ["admin", "security", "audit"])
def test_each_role_has_exactly_its_row_of_the_matrix(role):
    user = officer(role)
    for label in REGISTERED:
        app_label, model = label.split(".")
        assert user.has_perm(f"{app_label}.view_{model}") == (label in MAY_VIEW[role]), (role, label, "view")
        assert user.has_perm(f"{app_label}.change_{model}") == (label in MAY_CHANGE[role]), (role, label, "change")
    assert not user.has_perm("core.change_auditentry") and not user.has_perm("core.delete_auditentry")


@pytest.mark.parametrize("role", ["admin", "security", "audit"])
def test_each_roles_admin_pages_open_or_refuse_as_the_matrix_says(client, role):
    client.force_login(officer(role))
    for label in REGISTERED:
        app_label, model = label.split(".")
        status = client.get(f"/admin/{app_label}/{model}/").status_code
        assert status == (200 if label in MAY_VIEW[role] else 403), (role, label, status)


def test_the_administrator_cannot_read_the_audit_and_the_auditor_cannot_change_configuration(client):
    department = DepartmentFactory()
    client.force_login(officer("admin"))
    assert client.get("/admin/core/auditentry/").status_code == 403
    client.force_login(officer("audit"))
    assert client.get("/admin/core/auditentry/").status_code == 200
    refused = client.post(f"/admin/org/department/{department.pk}/change/", {"name": "改名"})
    assert refused.status_code == 403
    department.refresh_from_db()
    assert department.name != "改名"


def test_a_staff_member_without_a_role_or_with_django_permissions_only_gets_nothing():
    from django.contrib.auth.models import Permission

    clerk = StaffFactory(posts=["accept"]).user
    clerk.user_permissions.set(Permission.objects.filter(content_type__app_label="core"))
    assert not clerk.has_perm("core.view_auditentry")  # groups and per-user permissions grant nothing
    assert not clerk.has_module_perms("core")


@pytest.mark.parametrize(
    ("actor_role", "is_self", "before", "after", "refused"),
    [
        ("admin", False, [], ["accept", "review"], False),  # business posts: the administrator
        ("admin", False, ["accept"], ["accept", "audit"], True),  # a role: only the security officer
        ("security", False, ["accept"], ["audit"], False),
        ("security", False, ["admin"], [], False),  # and takes one back
        ("security", False, [], ["admin", "audit"], True),  # never two roles
        ("security", False, ["admin"], ["admin", "security"], True),
        ("security", True, ["security"], ["security", "review"], True),  # nobody changes their own
        ("audit", False, [], ["accept"], True),
        (None, False, [], ["accept"], True),
    ],
)
def test_who_may_change_whose_posts(actor_role, is_self, before, after, refused):
    refusal = roles.posts_change_refusal(actor_role=actor_role, actor_is_self=is_self, before=before, after=after)
    assert (refusal is not None) == refused, refusal


def test_creating_staff_keeps_the_roles_apart():
    department = DepartmentFactory()
    admin_user = officer("admin")
    fields = {
        "password": "Str0ng#Pass2026",
        "real_name": "张三",
        "department_id": department.pk,
        "scope_region_code": department.region_id,
    }
    with pytest.raises(ValidationFailed, match="不能兼任"):
        services.staff_create(actor=None, username="two", post_codes=["admin", "audit"], **fields)
    with pytest.raises(PermissionDenied, match="只能由安全管理员"):
        services.staff_create(actor=admin_user, username="auditor2", post_codes=["audit"], **fields)
    created = services.staff_create(actor=admin_user, username="clerk9", post_codes=["accept"], **fields)
    assert not created.user.is_staff  # no role: no way into the admin
    seeded = services.staff_create(actor=None, username="auditor9", post_codes=["audit"], **fields)
    assert seeded.user.is_staff


def test_the_admin_page_refuses_an_administrator_giving_a_role_and_lets_the_security_officer(client):
    target = StaffFactory(posts=["accept"])

    def give_audit_role(actor: User):
        client.force_login(actor)
        return client.post(f"/admin/accounts/user/{target.user_id}/change/", _user_form(target, posts=["audit"]))

    refused = give_audit_role(officer("admin"))
    assert refused.status_code == 200 and "只能由安全管理员授予或收回" in refused.content.decode()
    assert set(target.posts.values_list("code", flat=True)) == {"accept"}
    granted = give_audit_role(officer("security"))
    assert granted.status_code == 302, granted.content.decode()[:2000]
    assert set(Staff.objects.get(pk=target.pk).posts.values_list("code", flat=True)) == {"audit"}
    assert User.objects.get(pk=target.user_id).is_staff  # the role opens the admin to them


def _user_form(staff: Staff, *, posts: list[str]) -> dict:
    user = staff.user
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": "",
        "email": "",
        "is_active": "on",
        "kind": user.kind,
        "person": "",
        "failed_logins": "0",
        "locked_until_0": "",
        "locked_until_1": "",
        "staff-TOTAL_FORMS": "1",
        "staff-INITIAL_FORMS": "1",
        "staff-MIN_NUM_FORMS": "0",
        "staff-MAX_NUM_FORMS": "1",
        "staff-0-id": str(staff.pk),
        "staff-0-user": str(user.pk),
        "staff-0-department": str(staff.department_id),
        "staff-0-posts": posts,
        "staff-0-scope_region": staff.scope_region_id,
        "staff-0-scope_all_departments": "on",
        "staff-0-hall": "",
        "staff-0-agency_point": "",
    }


def test_in_production_a_superuser_cannot_log_in(settings):
    UserFactory(username="root", is_superuser=True, is_staff=True, password="Str0ng#Pass2026")
    settings.TONGBAN_PRODUCTION = True
    assert authenticate(username="root", password="Str0ng#Pass2026") is None
    settings.TONGBAN_PRODUCTION = False
    assert authenticate(username="root", password="Str0ng#Pass2026") is not None  # a developer's machine
