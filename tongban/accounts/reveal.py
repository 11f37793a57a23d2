"""What lets a staff member see a person's full ID number or phone number (等保: personal data on
a need-to-know basis). A reveal needs grounds the platform can check: a case (or, once the hotline
registers its kind, a ticket) in the viewer's scope that concerns the person, or a purpose from the
city's list (TONGBAN_REVEAL_PURPOSES) explained in a note. Each staff member may reveal at most
TONGBAN_REVEAL_LIMIT_PER_HOUR values an hour, and a burst of TONGBAN_REVEAL_BURST within
TONGBAN_REVEAL_BURST_MINUTES alerts supervision (event `person.reveal_burst`)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.types import Actor
from tongban.core.counters import counter_add, counter_sub
from tongban.core.errors import Throttled, ValidationFailed
from tongban.core.events import event_record

PURPOSE = "purpose"
# A check for a kind of object that may ground a reveal: given the viewer, the person and the
# object's reference, the object's description when it is in the viewer's scope and concerns the
# person, else None.
GroundsCheck = Callable[..., str | None]


@dataclass(frozen=True)
class Basis:
    label: str
    reference_label: str
    check: GroundsCheck


_bases: dict[str, Basis] = {}


def reveal_basis_register(code: str, *, label: str, reference_label: str, check: GroundsCheck) -> None:
    """Called by the context that owns the objects (cases registers "case" in its AppConfig.ready)."""
    _bases[code] = Basis(label, reference_label, check)


def reveal_choices() -> list[tuple[str, str]]:
    """The grounds a form offers: each registered kind of object, then each configured purpose."""
    objects = [(code, basis.label) for code, basis in _bases.items()]
    return objects + [(f"{PURPOSE}:{code}", label) for code, label in settings.TONGBAN_REVEAL_PURPOSES.items()]


def reveal_grounds(*, actor: Actor, person, basis: str, reference: str, note: str) -> dict:
    """The grounds as the audit entry records them, or ValidationFailed saying what is missing."""
    reference, note = reference.strip(), note.strip()
    if basis == PURPOSE:
        label = settings.TONGBAN_REVEAL_PURPOSES.get(reference)
        if label is None:
            raise ValidationFailed(_("请从列表中选择查看用途。"), code="reveal_purpose_unknown", field="reference")
        if not note:
            raise ValidationFailed(
                _("按用途查看须在备注中写明具体事由（如文书编号）。"), code="reveal_note_required", field="note"
            )
        return {"basis": PURPOSE, "purpose": reference, "purpose_label": label, "note": note}
    known = _bases.get(basis)
    if known is None:
        raise ValidationFailed(
            _("请选择查看依据：所办的办件，或列表中的用途。"), code="reveal_basis_unknown", field="basis"
        )
    if not reference:
        raise ValidationFailed(
            _("请填写%(known_reference_label)s。") % {"known_reference_label": known.reference_label},
            code="reveal_reference_required",
            field="reference",
        )
    described = known.check(actor=actor, person_id=person.pk, reference=reference)
    if described is None:
        raise ValidationFailed(
            _("在您的数据范围内没有涉及此人的%(known_reference_label)s“%(reference)s”，不能查看完整信息。")
            % {"known_reference_label": known.reference_label, "reference": reference},
            code="reveal_grounds_refused",
            field="reference",
        )
    return {"basis": basis, "reference": reference, "object": described, "note": note}


def reveal_count(actor: Actor, *, department_id: int, region_code: str) -> None:
    """Count one reveal against the viewer's hourly limit (refused past it), and alert supervision
    the moment a burst reaches its threshold."""
    now = int(timezone.now().timestamp())
    limit = settings.TONGBAN_REVEAL_LIMIT_PER_HOUR
    hour_key = f"reveal:{actor.pk}:{now // 3600}"
    if counter_add(hour_key, timeout=2 * 3600) > limit:
        counter_sub(hour_key)
        raise Throttled(
            _("您本小时已查看完整个人信息%(limit)s次，已达上限，请下一小时再试；确有需要请联系安全管理员。")
            % {"limit": limit},
            code="reveal_limit",
        )
    window = settings.TONGBAN_REVEAL_BURST_MINUTES * 60
    burst = counter_add(f"reveal-burst:{actor.pk}:{now // window}", timeout=2 * window)
    if burst == settings.TONGBAN_REVEAL_BURST:
        event_record(
            topic="person.reveal_burst",
            payload={
                "actor_id": actor.pk,
                "actor_name": actor.display_name,
                "department_id": department_id,
                "count": burst,
                "minutes": settings.TONGBAN_REVEAL_BURST_MINUTES,
            },
            region_code=region_code,
        )
