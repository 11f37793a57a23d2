"""Materials the applicant need not bring (免提交): a material whose catalogue source is an
e-licence type or a shared-data field may be satisfied by a resolver that another context
registers here (the exchange and licence contexts do, from their AppConfig.ready). A resolver
returns Evidence or None; a provider outage never blocks the case: the applicant uploads instead.

Resolvers are tried in order. A ValidationFailed is a verdict on the applicant's material itself
(their licence is revoked or expired) and ends the search; any other refusal (a provider down, no
grant) lets the next source try.
"""

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from tongban.accounts.types import Actor
from tongban.core.errors import TongbanError, ValidationFailed

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Evidence:
    provided: str  # CaseMaterial.LICENCE or CaseMaterial.SHARED
    reference: str  # licence identifier, or resource and key
    source: str  # who holds it, in words for reviewers
    snapshot: dict = field(default_factory=dict)
    verified: bool = False

    def as_json(self) -> dict:
        return asdict(self)


Resolver = Callable[..., Evidence | None]
_resolvers: dict[str, list[Resolver]] = {"licence": [], "shared": []}


def material_source_register(kind: str, resolver: Resolver, *, first: bool = False) -> None:
    """Register `resolver(*, case, material, actor) -> Evidence | None` for materials of `kind`;
    `first` puts it before the others (the licence library before registries standing in for it)."""
    if resolver not in _resolvers[kind]:
        _resolvers[kind].insert(0, resolver) if first else _resolvers[kind].append(resolver)


@dataclass(frozen=True)
class Resolution:
    evidence: Evidence | None
    problem: str = ""  # why the platform could not supply it, for the applicant


def material_source_resolve(*, case, material, actor: Actor) -> Resolution:
    problems = []
    for resolver in _resolvers.get(material.source, ()):
        try:
            evidence = resolver(case=case, material=material, actor=actor)
        except ValidationFailed as verdict:  # the applicant's own material is not acceptable
            return Resolution(None, verdict.message)
        except TongbanError as error:  # provider down or record refused: say so, let them upload
            log.warning("material source failed", extra={"material": material.name, "code": error.code})
            problems.append(error.message)
            continue
        if evidence is not None:
            return Resolution(evidence)
    return Resolution(None, "；".join(problems))
