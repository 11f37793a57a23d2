"""Every write to identity data: registration, log-in bookkeeping, mandates, staff, unmasked reads.
Each act commits with its audit entry."""

import datetime as dt

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts import reveal, roles, selectors
from tongban.accounts.models import LegalPerson, Mandate, Person, Post, Staff, User
from tongban.accounts.types import Actor
from tongban.core.audit import audit_record
from tongban.core.deployment import in_production
from tongban.core.errors import Conflict, NotFound, PermissionDenied, TongbanError, ValidationFailed
from tongban.core.identifiers import parse_id_number, parse_uscc
from tongban.org import selectors as org_selectors


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as error:
        raise ValidationFailed("；".join(error.messages), code="password_rejected", field="password") from None


def _check_phone(phone: str) -> str:
    phone = phone.strip()
    if len(phone) != 11 or not phone.isdigit() or not phone.startswith("1"):
        raise ValidationFailed(_("手机号码应为以1开头的11位数字。"), code="phone_format", field="phone")
    return phone


def person_upsert(*, real_name: str, id_number: str, phone: str = "", region_code: str | None = None) -> Person:
    """The population record for an ID number: created, or its contact data refreshed."""
    parsed = parse_id_number(id_number)
    real_name = real_name.strip()
    if not 2 <= len(real_name) <= 50:
        raise ValidationFailed(_("请填写与身份证一致的姓名（2至50个字）。"), code="name_format", field="real_name")
    person, created = Person.objects.get_or_create(
        id_number=parsed.value,
        defaults={
            "real_name": real_name,
            "birth_date": parsed.birth_date,
            "sex": parsed.sex,
            "phone": phone,
            "region_id": region_code,
        },
    )
    if not created and person.real_name != real_name:
        raise ValidationFailed(
            _("姓名与该身份证号码登记的姓名不一致，请核对。"), code="name_mismatch", field="real_name"
        )
    return person


@transaction.atomic
def person_register(*, real_name: str, id_number: str, phone: str, password: str) -> User:
    """Public sign-up of a natural person: real name + valid ID number + phone + password."""
    phone = _check_phone(phone)
    person = person_upsert(real_name=real_name, id_number=id_number, phone=phone)
    if User.objects.filter(person=person).exists():
        raise Conflict(
            _("该身份证号码已注册账号，请直接登录；忘记密码请到窗口或通过手机验证找回。"),
            code="already_registered",
            field="id_number",
        )
    if not person.phone:
        person.phone = phone
        person.save(update_fields=["phone"])
    user = User(username=f"u{person.id_number}", kind=User.CITIZEN, person=person, first_name=person.real_name)
    _check_password(password, user)
    user.set_password(password)
    user.save()
    audit_record(action="user.register", obj=user, actor=user, region_code=person.region_id or "")
    return user


def login_refused_message() -> str:
    """The one answer to every refused log-in: a wrong password, an unknown account and a locked one
    read the same, so the message never tells whether an account exists."""
    return (
        f"账号或密码错误。连续输错{settings.TONGBAN_LOCKOUT_ATTEMPTS}次后账号将锁定"
        f"{settings.TONGBAN_LOCKOUT_MINUTES}分钟；如已锁定，请稍后再试或到窗口找回密码。"
    )


def user_login(*, request, identifier: str, password: str) -> User:
    """The portal's and the workbench's log-in: the guarded check (`user_authenticate`, reached
    through Django's `authenticate`, as every other log-in path reaches it)."""
    user = authenticate(request, username=identifier, password=password)
    if user is None:
        raise ValidationFailed(login_refused_message(), code="bad_credentials")
    return user


def user_authenticate(*, identifier: str, password: str) -> User | None:
    """The one guarded password check, behind every log-in path (it is the authentication backend's
    body: portal, workbench, admin, API session, any future SSO). After TONGBAN_LOCKOUT_ATTEMPTS
    failures in a row the account is locked for TONGBAN_LOCKOUT_MINUTES, even for the right
    password. In production a Django superuser cannot log in (accounts.roles). Every attempt on a
    known account is audited."""
    user = selectors.user_by_identifier(identifier)
    if user is None or user_is_locked(user):
        User().set_password(password)  # same cost as a real check: no timing oracle
        if user is not None:
            _audit_login(user, "locked")
        return None
    if not (user.check_password(password) and user.is_active):
        user_login_failed(user)
        return None
    if user.is_superuser and in_production():
        _audit_login(user, "superuser_refused")  # 三员分立: production runs on the separated roles
        return None
    if selectors.user_needs_second_factor(user):
        # Half-way: the failure count stands until the second factor passes, so wrong codes and
        # wrong passwords add up to one lockout (a right password must not wipe the code guesses).
        _audit_login(user, "factor_pending")
        return user
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    _audit_login(user, "success")
    return user


def user_is_locked(user: User) -> bool:
    """The account is locked out (too many wrong passwords or second-factor codes in a row)."""
    return user.locked_until is not None and user.locked_until > timezone.now()


@transaction.atomic
def person_identify(*, actor: Actor, person_id: int, via: str) -> str:
    """The full name of the person a clerk or an agent has in front of them, found by the ID
    number on their card: shown so the name can be checked against the card. Staff whose scope
    covers the person only; the read is written to the audit chain."""
    person = selectors.person_get(actor=actor, person_id=person_id)
    audit_record(
        action="person.identify",
        obj=person,
        actor=actor,
        detail={"field": "real_name", "via": via},
        region_code=person.region_id or "",
    )
    return person.real_name


def person_lock(person_id: int) -> None:
    """Hold the person's row until the transaction ends: what staff start for one person (a
    draft at the window) happens one at a time, so a second click finds the first one's work."""
    list(Person.objects.select_for_update().filter(pk=person_id).values_list("pk", flat=True))


def user_login_failed(user: User, *, action: str = "user.login") -> None:
    """Count one failed log-in step (a wrong password, or a wrong second-factor code: `action`
    names it in the audit) toward the lockout of TONGBAN_LOCKOUT_ATTEMPTS in a row."""
    user = User.objects.select_for_update().get(pk=user.pk)
    user.failed_logins += 1
    fields = ["failed_logins"]
    if user.failed_logins >= settings.TONGBAN_LOCKOUT_ATTEMPTS:
        user.locked_until = timezone.now() + dt.timedelta(minutes=settings.TONGBAN_LOCKOUT_MINUTES)
        user.failed_logins = 0
        fields.append("locked_until")
    user.save(update_fields=fields)
    _audit_login(user, "locked" if "locked_until" in fields else "failed", action=action)


def _audit_login(user: User, outcome: str, *, action: str = "user.login") -> None:
    with transaction.atomic():
        audit_record(action=action, obj=user, actor=user, outcome=outcome)


@transaction.atomic
def legal_person_bind(*, user: User, uscc: str, name: str) -> Mandate:
    """An enterprise agent binds a legal person by its credit code. The legal representative is
    bound at once; anyone else waits for the representative's confirmation."""
    if user.person_id is None:
        raise PermissionDenied(_("请先完成实名注册，再绑定企业。"), code="not_real_name")
    code = parse_uscc(uscc).value
    legal_person = LegalPerson.objects.select_related("legal_representative").filter(uscc=code).first()
    if legal_person is None:
        raise NotFound(
            _("法人库中没有该统一社会信用代码，请核对；新设企业请先以个人身份办理设立登记。"),
            code="legal_person_unknown",
            field="uscc",
        )
    if legal_person.name != name.strip():
        raise ValidationFailed(
            _("企业名称与法人库登记的名称不一致，请按营业执照填写全称。"),
            code="legal_person_name_mismatch",
            field="name",
        )
    is_representative = legal_person.legal_representative_id == user.person_id
    try:
        with transaction.atomic():
            mandate = Mandate.objects.create(
                person_id=user.person_id,
                legal_person=legal_person,
                role=Mandate.REPRESENTATIVE if is_representative else Mandate.AGENT,
                status=Mandate.ACTIVE if is_representative else Mandate.PENDING,
                decided_at=timezone.now() if is_representative else None,
            )
    except IntegrityError:
        raise Conflict(_("您已绑定该企业或正在等待确认。"), code="mandate_exists") from None
    audit_record(action="mandate.request", obj=mandate, actor=user, acting_for=f"legal:{code}")
    return mandate


def _mandate_for_representative(*, user: User, mandate_id: int) -> Mandate:
    mandate = Mandate.objects.select_for_update().select_related("legal_person").filter(pk=mandate_id).first()
    if mandate is None or mandate.legal_person.legal_representative_id != user.person_id:
        raise NotFound(_("未找到该授权，或您不是该企业的法定代表人。"), code="mandate_not_found")
    return mandate


@transaction.atomic
def mandate_decide(*, user: User, mandate_id: int, approve: bool) -> Mandate:
    mandate = _mandate_for_representative(user=user, mandate_id=mandate_id)
    if mandate.status != Mandate.PENDING:
        raise Conflict(
            _("该授权当前状态为“%(mandate_get_status_display)s”，无需再次确认。")
            % {"mandate_get_status_display": mandate.get_status_display()},
            code="mandate_not_pending",
        )
    mandate.status = Mandate.ACTIVE if approve else Mandate.DECLINED
    mandate.decided_at = timezone.now()
    mandate.save(update_fields=["status", "decided_at"])
    audit_record(
        action="mandate.approve" if approve else "mandate.decline",
        obj=mandate,
        actor=user,
        acting_for=f"legal:{mandate.legal_person.uscc}",
    )
    return mandate


@transaction.atomic
def mandate_revoke(*, user: User, mandate_id: int) -> Mandate:
    mandate = _mandate_for_representative(user=user, mandate_id=mandate_id)
    if mandate.role == Mandate.REPRESENTATIVE:
        raise TongbanError("法定代表人身份随法人登记变更，不能在此撤销。", code="mandate_is_representative")
    if mandate.status != Mandate.ACTIVE:
        raise Conflict(
            _("该授权当前状态为“%(mandate_get_status_display)s”，不能撤销。")
            % {"mandate_get_status_display": mandate.get_status_display()},
            code="mandate_not_active",
        )
    mandate.status = Mandate.REVOKED
    mandate.revoked_at = timezone.now()
    mandate.save(update_fields=["status", "revoked_at"])
    audit_record(action="mandate.revoke", obj=mandate, actor=user, acting_for=f"legal:{mandate.legal_person.uscc}")
    return mandate


@transaction.atomic
def staff_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    real_name: str,
    department_id: int,
    post_codes: list[str],
    scope_region_code: str,
    scope_department_ids: list[int] | None = None,
    hall_id: int | None = None,
    agency_point_id: int | None = None,
    check_password: bool = True,
) -> Staff:
    """Create a staff account (administrators only; the seed passes actor=None)."""
    if actor is not None and not selectors.staff_has_post(actor, Post.ADMIN):
        raise PermissionDenied(_("只有管理员可以创建工作人员账号。"), code="not_admin")
    if actor is not None:
        refusal = roles.posts_change_refusal(
            actor_role=selectors.separated_role(actor), actor_is_self=False, before=(), after=post_codes
        )
        if refusal:
            raise PermissionDenied(refusal, code="posts_refused", field="post_codes")
    else:
        try:
            roles.separated_role_of(post_codes)
        except ValueError as error:
            raise ValidationFailed(str(error), code="posts_refused", field="post_codes") from None
    if User.objects.filter(username=username).exists():
        raise Conflict(
            _("用户名“%(username)s”已被使用。") % {"username": username}, code="username_taken", field="username"
        )
    department = org_selectors.department_by_id(department_id)
    region = org_selectors.region_by_code(scope_region_code)
    enters_admin = bool(set(post_codes) & set(Post.SEPARATED_ROLES))
    user = User(username=username, kind=User.STAFF, first_name=real_name, is_staff=enters_admin)
    if check_password:
        _check_password(password, user)
    user.set_password(password)
    user.save()
    staff = Staff.objects.create(
        user=user,
        department=department,
        scope_region=region,
        scope_all_departments=scope_department_ids is None,
        hall_id=hall_id,
        agency_point_id=agency_point_id,
    )
    staff.posts.set(post_codes)
    if scope_department_ids:
        staff.scope_departments.set(scope_department_ids)
    audit_record(
        action="staff.create",
        obj=staff,
        actor=actor,
        detail={"posts": post_codes, "scope_region": scope_region_code},
        region_code=department.region_id,
    )
    return staff


REVEALABLE_FIELDS = {"id_number": "公民身份号码", "phone": "手机号码"}


@transaction.atomic
def person_reveal(*, actor: User, person_id: int, field: str, basis: str, reference: str = "", note: str = "") -> str:
    """The unmasked value of one personal field, for staff whose scope covers the person and who
    give grounds the platform can check (accounts.reveal). The read is written to the audit chain
    with its grounds before the value is returned."""
    if field not in REVEALABLE_FIELDS:
        raise ValidationFailed(_("只能查看证件号码或手机号码的完整信息。"), code="field_not_revealable", field="field")
    person = selectors.person_get(actor=actor, person_id=person_id)
    grounds = reveal.reveal_grounds(actor=actor, person=person, basis=basis, reference=reference, note=note)
    staff = selectors.staff_of(actor)
    reveal.reveal_count(actor, department_id=staff.department_id, region_code=staff.department.region_id)
    audit_record(
        action="person.reveal",
        obj=person,
        actor=actor,
        detail={"field": field, **grounds},
        region_code=person.region_id or "",
    )
    return getattr(person, field)


@transaction.atomic
def user_rename(*, user: User, username: str, actor: Actor = None) -> User:
    """Give a registered citizen account a memorable user name (the demo log-ins)."""
    if User.objects.filter(username=username).exclude(pk=user.pk).exists():
        raise Conflict(
            _("用户名“%(username)s”已被使用。") % {"username": username}, code="username_taken", field="username"
        )
    previous, user.username = user.username, username
    user.save(update_fields=["username"])
    audit_record(action="user.rename", obj=user, actor=actor, detail={"from": previous, "to": username})
    return user
