"""The second log-in factor of staff (动态口令, 等保 2.0 level 3: two factors for administrators and
for anyone reaching personal data in bulk), ADR 0010.

A staff member holding a post whose `second_factor` is set signs in with their password and then
a TOTP code (RFC 6238: HMAC-SHA1, six digits, 30-second steps, one step of drift either way) from
an authenticator app, or one of ten single-use recovery codes. A code is accepted once: the time
step of the last accepted code is kept, and a code of that step or an earlier one is refused.
Wrong codes count toward the same lockout as wrong passwords (`services.user_login_failed`).

Between the password and the code the person is not signed in: the session holds a *pending*
log-in (`login_pending_*`) for PENDING_SECONDS, and only `login_pending_complete` calls Django's
`login`. Every write commits with its audit entry.
"""

import dataclasses
import hashlib
import hmac
import secrets

import pyotp
from django.conf import settings
from django.contrib.auth import login, logout
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts import selectors, services
from tongban.accounts.models import Post, RecoveryCode, TotpDevice, User
from tongban.core.audit import audit_record
from tongban.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tongban.core.identifiers import ascii_fold

ISSUER = "通办"
STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1  # a code of the previous or the next step is still accepted (clock drift, typing time)
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_LENGTH = 12  # 60 bits from a 32-symbol alphabet
RECOVERY_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read off paper without doubt
PENDING_SECONDS = 5 * 60
PENDING_KEY = "tb_login_pending"


# --- reads -------------------------------------------------------------------------------------


def second_factor_required(user) -> bool:
    """Whether the user signs in with a second factor: a staff member holding any post with
    `Post.second_factor` set (the security officer keeps that list in the admin)."""
    return selectors.user_needs_second_factor(user)


def second_factor_may_reset(user) -> bool:
    """Only the security officer (安全管理员) resets a colleague's second factor."""
    return selectors.staff_has_post(user, Post.SECURITY)


def totp_device_of(user) -> TotpDevice | None:
    return TotpDevice.objects.filter(user_id=user.pk).first()


def second_factor_enrolled(user) -> bool:
    return TotpDevice.objects.filter(user_id=user.pk, confirmed_at__isnull=False).exists()


def recovery_codes_left(user) -> int:
    return RecoveryCode.objects.filter(user_id=user.pk, used_at__isnull=True).count()


def provisioning_uri(device: TotpDevice) -> str:
    """The otpauth:// URI an authenticator app scans: issuer 通办, the account's user name."""
    totp = pyotp.TOTP(device.secret, digits=DIGITS, interval=STEP_SECONDS)
    return totp.provisioning_uri(name=device.user.get_username(), issuer_name=ISSUER)


def secret_for_display(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# --- writes ------------------------------------------------------------------------------------


@transaction.atomic
def second_factor_enrol_start(*, user: User) -> TotpDevice:
    """A new secret for the user's authenticator, not yet in force: it counts once confirmed by a
    first correct code. Starting again replaces an unconfirmed secret; a confirmed one stays until
    the security officer resets it."""
    if second_factor_enrolled(user):
        raise Conflict(
            _("您已绑定动态口令。如手机丢失或需更换验证器，请用恢复码登录，或联系安全管理员重置。"),
            code="second_factor_enrolled",
        )
    device, _created = TotpDevice.objects.update_or_create(
        user=user,
        defaults={
            "secret": pyotp.random_base32(),
            "created_at": timezone.now(),
            "confirmed_at": None,
            "last_step": None,
        },
    )
    audit_record(action="second_factor.enrol_start", obj=device, actor=user)
    return device


def second_factor_enrol_confirm(*, user: User, code: str) -> list[str]:
    """Bind the authenticator: its first code must verify. Returns the ten recovery codes, which
    exist from now on only as hashes: the caller shows them once."""
    _refuse_if_locked(user)
    codes = _enrol_confirm(user, _totp_digits(code))
    if codes is None:
        _count_failure(user, "second_factor.enrol")
    return codes


@transaction.atomic
def _enrol_confirm(user: User, code: str | None) -> list[str] | None:
    device = TotpDevice.objects.select_for_update().filter(user_id=user.pk).first()
    if device is None or device.confirmed:
        raise Conflict(_("没有待确认的动态口令绑定，请重新登录后再绑定。"), code="second_factor_not_started")
    step = _matching_step(device, code)
    if step is None:
        return None
    device.confirmed_at = timezone.now()
    device.last_step = step
    device.save(update_fields=["confirmed_at", "last_step"])
    codes = _recovery_codes_replace(user)
    _failures_clear(user)
    audit_record(action="second_factor.enrol", obj=device, actor=user)
    return codes


@dataclasses.dataclass(frozen=True)
class Verified:
    method: str  # "totp" or "recovery"
    recovery_codes_left: int | None = None


def second_factor_verify(*, user: User, code: str) -> Verified:
    """Check the second factor at log-in: a TOTP code (once only) or an unused recovery code,
    which is then used up. A wrong code counts toward the account's lockout."""
    _refuse_if_locked(user)
    verified = _verify(user, code)
    if verified is None:
        _count_failure(user, "second_factor.verify")
    return verified


@transaction.atomic
def _verify(user: User, code: str) -> Verified | None:
    device = TotpDevice.objects.select_for_update().filter(user_id=user.pk, confirmed_at__isnull=False).first()
    if device is None:
        raise Conflict(_("该账号尚未绑定动态口令，请重新登录并按提示绑定。"), code="second_factor_not_enrolled")
    digits = _totp_digits(code)
    if digits is not None:
        step = _matching_step(device, digits)
        if step is None:
            return None
        device.last_step = step
        device.save(update_fields=["last_step"])
        verified = Verified(method="totp")
    else:
        used = RecoveryCode.objects.filter(
            user_id=user.pk, code_hash=_recovery_hash(user, code), used_at__isnull=True
        ).update(used_at=timezone.now())
        if not used:
            return None
        verified = Verified(method="recovery", recovery_codes_left=recovery_codes_left(user))
    _failures_clear(user)
    audit_record(action="second_factor.verify", obj=user, actor=user, detail={"method": verified.method})
    return verified


def second_factor_recovery_regenerate(*, user: User, code: str) -> list[str]:
    """Ten new recovery codes for the user, voiding every earlier one. Asks for a current code
    from the authenticator, so a session left open cannot mint codes for someone else."""
    _refuse_if_locked(user)
    codes = _recovery_regenerate(user, _totp_digits(code))
    if codes is None:
        _count_failure(user, "second_factor.recovery_regenerate")
    return codes


@transaction.atomic
def _recovery_regenerate(user: User, code: str | None) -> list[str] | None:
    device = TotpDevice.objects.select_for_update().filter(user_id=user.pk, confirmed_at__isnull=False).first()
    if device is None:
        raise Conflict(_("您尚未绑定动态口令，无须恢复码。"), code="second_factor_not_enrolled")
    step = _matching_step(device, code)
    if step is None:
        return None
    device.last_step = step
    device.save(update_fields=["last_step"])
    codes = _recovery_codes_replace(user)
    audit_record(action="second_factor.recovery_regenerate", obj=user, actor=user)
    return codes


@transaction.atomic
def second_factor_reset(*, actor: User, user: User) -> None:
    """The security officer (安全管理员) removes a staff member's authenticator and recovery codes
    (a lost phone): the member binds a new one at their next log-in. Nobody resets their own."""
    if not second_factor_may_reset(actor):
        raise PermissionDenied(_("只有安全管理员可以重置工作人员的动态口令。"), code="not_security_officer")
    if actor.pk == user.pk:
        raise PermissionDenied(_("不能重置自己的动态口令，请由另一名安全管理员办理。"), code="reset_own_second_factor")
    if user.kind != User.STAFF:
        raise NotFound(_("未找到该工作人员账号。"), code="staff_not_found")
    devices, _by_model = TotpDevice.objects.filter(user_id=user.pk).delete()
    codes, _by_model = RecoveryCode.objects.filter(user_id=user.pk).delete()
    if not (devices or codes):
        raise Conflict(
            _("“%(user_get_username)s”尚未绑定动态口令，无须重置。") % {"user_get_username": user.get_username()},
            code="second_factor_not_enrolled",
        )
    audit_record(action="second_factor.reset", obj=user, actor=actor)


# --- the pending log-in (between the password and the second factor) --------------------------


def login_pending_start(request, user: User, *, next_url: str) -> None:
    """The password was right and a second factor is needed: remember who, when and where to go,
    in a fresh session (any earlier sign-in on this browser ends), without signing in."""
    if request.user.is_authenticated:
        logout(request)
    else:
        request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "at": timezone.now().timestamp(),
        "next": next_url,
        "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[0]),
    }


def login_pending_user(request) -> User | None:
    """The user of a pending log-in still within PENDING_SECONDS, or None (the step is dropped)."""
    pending = request.session.get(PENDING_KEY)
    if not pending:
        return None
    age = timezone.now().timestamp() - pending["at"]
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if not 0 <= age <= PENDING_SECONDS or user is None:
        login_pending_clear(request)
        return None
    return user


def login_pending_get(request, key: str):
    return (request.session.get(PENDING_KEY) or {}).get(key)


def login_pending_set(request, key: str, value) -> None:
    pending = dict(request.session[PENDING_KEY])
    pending[key] = value
    request.session[PENDING_KEY] = pending


def login_pending_clear(request) -> None:
    request.session.pop(PENDING_KEY, None)


def login_pending_complete(request, user: User) -> str:
    """The second factor passed: sign in (a new session key) and return where the person was going."""
    pending = request.session.pop(PENDING_KEY)
    login(request, user, backend=pending["backend"])
    return pending["next"]


# --- internals ---------------------------------------------------------------------------------


def locked_message() -> str:
    return (
        f"动态口令连续输错，账号已锁定{settings.TONGBAN_LOCKOUT_MINUTES}分钟。"
        "请稍后重新登录；如手机丢失，请用恢复码登录或联系安全管理员重置。"
    )


def _refuse_if_locked(user: User) -> None:
    if services.user_is_locked(User.objects.get(pk=user.pk)):
        raise PermissionDenied(locked_message(), code="locked")


def _count_failure(user: User, action: str) -> None:
    """Outside the refused write's transaction, so the count commits; then refuse."""
    services.user_login_failed(user, action=action)
    if services.user_is_locked(User.objects.get(pk=user.pk)):
        raise PermissionDenied(locked_message(), code="locked")
    raise ValidationFailed(
        _(
            "动态口令不正确或已使用过。请输入验证器中当前显示的6位数字（每个口令只能用一次，请等待下一个）；连续输错%(attempts)s次后账号将锁定%(minutes)s分钟。"
        )
        % {
            "attempts": settings.TONGBAN_LOCKOUT_ATTEMPTS,
            "minutes": settings.TONGBAN_LOCKOUT_MINUTES,
        },
        code="second_factor_wrong",
        field="code",
    )


def _failures_clear(user: User) -> None:
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)


def _totp_digits(code: str) -> str | None:
    digits = ascii_fold(code or "")
    return digits if len(digits) == DIGITS and digits.isdigit() else None


def _matching_step(device: TotpDevice, code: str | None) -> int | None:
    """The time step whose code this is, within DRIFT_STEPS of now and after the last accepted."""
    if code is None:
        return None
    totp = pyotp.TOTP(device.secret, digits=DIGITS, interval=STEP_SECONDS)
    current = int(timezone.now().timestamp()) // STEP_SECONDS
    found = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        fresh = device.last_step is None or step > device.last_step
        if hmac.compare_digest(totp.generate_otp(step), code) and fresh and found is None:
            found = step
    return found


def _normalise_recovery(code: str) -> str:
    return ascii_fold(code or "").replace("-", "")


def _recovery_hash(user: User, code: str) -> str:
    # 60 random bits per code make a plain digest enough: there is nothing to guess from it.
    return hashlib.sha256(f"tongban-recovery:{user.pk}:{_normalise_recovery(code)}".encode()).hexdigest()


def _recovery_codes_replace(user: User) -> list[str]:
    RecoveryCode.objects.filter(user_id=user.pk).delete()
    codes = []
    for _code in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _symbol in range(RECOVERY_CODE_LENGTH))
        codes.append("-".join(raw[i : i + 4] for i in range(0, RECOVERY_CODE_LENGTH, 4)))
    now = timezone.now()
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(user=user, code_hash=_recovery_hash(user, code), created_at=now) for code in codes]
    )
    return codes
