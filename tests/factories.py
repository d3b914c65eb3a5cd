"""factory_boy factories: each makes a valid, minimal object and nothing hidden."""

from datetime import date

import factory
from django.contrib.auth.models import Group

from accounts.models import Discipline, Division, Role, Team, User
from clients.models import CareTeamMember, IntensityLevel, YoungPerson

PASSWORD = "correct-horse-battery"


class DivisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Division

    name = factory.Sequence(lambda n: f"Division {n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"ICMS team {n}")
    division = factory.SubFactory(DivisionFactory)


def _put_in_role(user: User, create: bool, role: Role | None) -> None:
    if create and role:
        user.groups.add(Group.objects.get(name=role))


class UserFactory(factory.django.DjangoModelFactory):
    """A user with no role; pass `role=Role.X` to put them in that role's group."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@icms.example")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def role(self, create: bool, role: Role | None, **kwargs: object) -> None:
        _put_in_role(self, create, role)


class CaseManagerFactory(UserFactory):
    discipline = Discipline.INTENSIVE_CASE_MANAGER
    team = factory.SubFactory(TeamFactory)

    @factory.post_generation
    def role(self, create: bool, role: Role | None, **kwargs: object) -> None:
        _put_in_role(self, create, role or Role.CASE_MANAGER)


class IntensityLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IntensityLevel
        django_get_or_create = ("name",)

    name = "Medium"
    caseload_weight = 1
    contact_threshold_days = 4
    expected_contacts_per_fortnight = 3


class YoungPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = YoungPerson

    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    date_of_birth = date(2010, 5, 17)
    team = factory.SubFactory(TeamFactory)
    division = factory.SelfAttribute("team.division")
    status = YoungPerson.Status.ACTIVE
    intensity = factory.SubFactory(IntensityLevelFactory)


class CareTeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareTeamMember

    young_person = factory.SubFactory(YoungPersonFactory)
    worker = factory.SubFactory(CaseManagerFactory)
