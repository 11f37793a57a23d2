"""Factories for identity: persons with valid ID numbers, legal persons with valid USCCs, users and
staff with posts and scopes."""

import datetime as dt
import itertools

import factory
import pyotp
from django.utils import timezone

from tongban.accounts.models import LegalPerson, Person, Post, Staff, TotpDevice, User
from tongban.core.identifiers import make_id_number, make_uscc
from tongban.org.tests.factories import DepartmentFactory, region_tree

PASSWORD = "Tongban#2026"
_sequence = itertools.count(1)


def next_id_number(region_code: str = "341902", birth: dt.date = dt.date(1990, 5, 17), sex: str = "M") -> str:
    return make_id_number(region_code, birth, next(_sequence), sex)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    class Params:
        sex_code = "M"

    real_name = factory.Sequence(lambda n: f"张{'三四五六七八九'[n % 7]}{n}")
    birth_date = dt.date(1990, 5, 17)
    sex = factory.SelfAttribute("sex_code")
    id_number = factory.LazyAttribute(lambda p: next_id_number(p.region.code[:6], p.birth_date, p.sex))
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    region = factory.LazyFunction(lambda: region_tree()["341902001001"])


class LegalPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalPerson

    name = factory.Sequence(lambda n: f"示范市测试贸易有限公司{n}")
    uscc = factory.Sequence(lambda n: make_uscc("9", "1", "341902", f"MA{n:07d}"))
    legal_representative = factory.SubFactory(PersonFactory)
    region = factory.LazyFunction(lambda: region_tree()["341902001001"])


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    kind = User.CITIZEN
    person = factory.SubFactory(PersonFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(factory.django.DjangoModelFactory):
    """A staff member; `posts` are post codes, the scope defaults to the department's region."""

    class Meta:
        model = Staff
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, kind=User.STAFF, person=None, first_name="工作人员")
    department = factory.SubFactory(DepartmentFactory)
    scope_region = factory.LazyAttribute(lambda s: s.department.region)
    scope_all_departments = True

    @factory.post_generation
    def posts(obj, create, extracted, **kwargs):
        if create:
            obj.posts.set(ensure_posts(extracted or ["accept"]))


def ensure_posts(codes: list[str]) -> list[Post]:
    """The posts seeded by migration; recreated where a transactional test flushed them."""
    names = dict(Post.ALL)
    return [
        Post.objects.get_or_create(
            code=code, defaults={"name": names[code], "second_factor": code in Post.SECOND_FACTOR_DEFAULT}
        )[0]
        for code in codes
    ]


def staff_in(region_code: str, *posts: str, **kwargs) -> Staff:
    """A staff member whose scope is the subtree of `region_code`."""
    region = region_tree()[region_code]
    return StaffFactory(department=DepartmentFactory(region=region), scope_region=region, posts=list(posts), **kwargs)


def totp_enrol(user: User, *, secret: str | None = None) -> str:
    """Give a user a confirmed authenticator (the second factor) and return its secret: for tests
    that sign a second-factor post holder in through the log-in form. `totp_code` gives its code."""
    secret = secret or pyotp.random_base32()
    TotpDevice.objects.update_or_create(
        user=user, defaults={"secret": secret, "confirmed_at": timezone.now(), "last_step": None}
    )
    return secret


def totp_code(secret: str, *, steps_ahead: int = 0) -> str:
    """The authenticator's code now (by django.utils.timezone, so a frozen clock holds), or that
    of a later step: a code is accepted once, so a second log-in in the same 30 s takes the next."""
    return pyotp.TOTP(secret).at(timezone.now() + dt.timedelta(seconds=30 * steps_ahead))
