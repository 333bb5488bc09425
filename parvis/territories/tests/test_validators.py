import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from parvis.territories.validators import (
    validate_area_geojson,
    validate_insee_code,
    validate_siren,
)


@pytest.mark.parametrize("code", ["75056", "2A004", "2B033", "00101"])
def test_insee_codes_accepted(code):
    validate_insee_code(code)


@pytest.mark.parametrize("code", ["7505", "750561", "2C004", "ABCDE", ""])
def test_insee_codes_refused(code):
    with pytest.raises(ValidationError):
        validate_insee_code(code)


def test_siren_needs_a_valid_check_digit():
    validate_siren("217500016")  # Ville de Paris
    with pytest.raises(ValidationError):
        validate_siren("217500017")
    with pytest.raises(ValidationError):
        validate_siren("21750001")


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def test_area_must_be_a_valid_polygon(english):
    validate_area_geojson(
        {"type": "Polygon", "coordinates": [[[4.8, 47], [4.9, 47], [4.9, 47.1], [4.8, 47]]]}
    )
    bow_tie = [[4.8, 47], [4.9, 47.1], [4.9, 47], [4.8, 47.1], [4.8, 47]]
    with pytest.raises(ValidationError, match="self-intersecting"):
        validate_area_geojson({"type": "Polygon", "coordinates": [bow_tie]})
    with pytest.raises(ValidationError):
        validate_area_geojson({"type": "Point", "coordinates": [4.8, 47]})
    with pytest.raises(ValidationError, match="WGS84"):
        validate_area_geojson(
            {"type": "Polygon", "coordinates": [[[480, 47], [490, 47], [490, 48], [480, 47]]]}
        )
