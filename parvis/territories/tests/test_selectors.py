import pytest
from django.core.exceptions import ValidationError

from parvis.territories.selectors import district_locate, territory_locate, territory_scope_ids
from parvis.territories.services import district_create
from parvis.testing.factories import TerritoryFactory, square


def test_a_point_is_assigned_to_the_district_containing_it(commune_a, commune_b):
    district = district_locate(territory=commune_a, latitude=47.005, longitude=4.805)
    assert district is not None and district.code == "centre"
    assert district_locate(territory=commune_a, latitude=47.005, longitude=4.905) is None


def test_a_point_is_routed_to_its_commune_or_to_nobody(commune_a, commune_b):
    assert territory_locate(latitude=47.005, longitude=4.905) == commune_b
    assert territory_locate(latitude=47.005, longitude=4.805) == commune_a
    assert territory_locate(latitude=48.5, longitude=2.3) is None


def test_moving_a_district_changes_the_answer(commune_a):
    from parvis.territories.models import District

    centre = District.objects.get(territory=commune_a, code="centre")
    centre.area = square(5.5, 47.5)
    centre.save()
    assert district_locate(territory=commune_a, latitude=47.005, longitude=4.805) is None
    assert district_locate(territory=commune_a, latitude=47.505, longitude=5.505) == centre


def test_an_epci_scope_covers_its_communes_not_the_reverse(epci, commune_a, commune_b):
    assert territory_scope_ids(territory=epci) == {epci.pk, commune_a.pk, commune_b.pk}
    assert territory_scope_ids(territory=commune_a) == {commune_a.pk}


def test_district_codes_are_unique_per_commune(commune_a):
    with pytest.raises(ValidationError):
        district_create(territory=commune_a, name="Autre", code="centre", area=square(4, 47))


def test_a_commune_needs_an_insee_code(db):
    with pytest.raises(ValidationError):
        TerritoryFactory.build(insee_code="").full_clean()
