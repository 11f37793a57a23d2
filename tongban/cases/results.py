"""Results other contexts produce when a case completes (办结). The licence library registers the
producer for items whose result is an e-licence (from its AppConfig.ready); it runs inside the
completion's transaction, so the licence and the completed case commit together or not at all,
and a refusal (data the licence type requires, an issuer not registered) stops the completion
with its message. Items with no producer get a document numbered by the case.
"""

from collections.abc import Callable
from dataclasses import dataclass

from tongban.accounts.types import Actor

# (*, case, version, actor, data) -> the result's reference, or None; `data` is what the issuing
# officer entered or confirmed for the result (a licence's fields the application did not carry).
Producer = Callable[..., str | None]
_producers: dict[str, Producer] = {}


@dataclass(frozen=True)
class ResultField:
    """A field of the result the issuing officer confirms or enters (a licence's 照面信息), shown
    with the value the case already gives it: the preview of the result before it is issued."""

    name: str
    label: str
    kind: str  # text | date | integer | boolean | decimal
    required: bool
    value: object = None


# (*, case, version) -> the result's fields, for the officer's preview
FieldsReader = Callable[..., list[ResultField]]
_field_readers: dict[str, FieldsReader] = {}


@dataclass(frozen=True)
class ResultPromise:
    """What completing a case of an item issues, known before anyone applies: an e-licence and
    who holds it. The guide's promise, the apply page, the window and the completion all ask
    here, so none of them promises what another will not issue."""

    licence_name: str
    holder: str  # PERSON or LEGAL_PERSON: whose wallet the licence goes to; the applicant must be them


PERSON, LEGAL_PERSON = "person", "legal_person"

# (*, version) -> the item's promise, or None: completion issues no e-licence (a document instead)
PromiseReader = Callable[..., ResultPromise | None]
_promise_readers: dict[str, PromiseReader] = {}


def result_producer_register(
    result_type: str, producer: Producer, fields: FieldsReader | None = None, promise: PromiseReader | None = None
) -> None:
    _producers[result_type] = producer
    if fields is not None:
        _field_readers[result_type] = fields
    if promise is not None:
        _promise_readers[result_type] = promise


def result_promise(*, version) -> ResultPromise | None:
    reader = _promise_readers.get(version.result_type)
    return reader(version=version) if reader else None


def result_fields(*, case, version) -> list[ResultField]:
    reader = _field_readers.get(version.result_type)
    return reader(case=case, version=version) if reader else []


def result_produce(*, case, version, actor: Actor, data: dict | None = None) -> str | None:
    producer = _producers.get(version.result_type)
    return producer(case=case, version=version, actor=actor, data=data or {}) if producer else None
