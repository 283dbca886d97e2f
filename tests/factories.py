"""factory_boy factories with synthetic data only."""

import datetime as dt

import factory

from fhb.models import Citizen, District, Municipality, RiskEvent, RiskGroup, Role, Team, User


def municipality(code="101"):
    return Municipality.objects.get(code=code)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    municipality = factory.LazyFunction(municipality)
    name = factory.Sequence(lambda n: f"Team {n}")


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District

    municipality = factory.LazyFunction(municipality)
    name = factory.Sequence(lambda n: f"Distrikt {n}")
    postal_codes = ["2100"]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Bruger{n}")
    municipality = factory.LazyFunction(municipality)
    role = Role.CONSULTANT
    password = factory.PostGenerationMethodCall("set_password", "a-long-test-password")

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


def _cpr_for(n: int, birth: dt.date, sex: str) -> str:
    seventh = "0" if birth.year < 2000 else "4"
    last = (n * 2 + (1 if sex == "M" else 0)) % 10
    return f"{birth:%d%m%y}{seventh}{n % 100:02d}{last}"


class CitizenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Citizen

    municipality = factory.LazyFunction(municipality)
    birth_date = dt.date(1946, 5, 17)
    sex = "F"
    cpr = factory.LazyAttributeSequence(lambda o, n: _cpr_for(n, o.birth_date, o.sex))
    first_name = "Inger"
    last_name = factory.Sequence(lambda n: f"Jensen{n}")
    address = "Testvej 1"
    postal_code = "2100"
    city = "København Ø"
    household_size = 1


class RiskEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskEvent

    citizen = factory.SubFactory(CitizenFactory)
    risk_group = factory.LazyFunction(lambda: RiskGroup.objects.get(municipality=None, code="lonely"))
    registered_on = dt.date(2026, 3, 1)
