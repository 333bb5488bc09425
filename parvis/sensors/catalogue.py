"""What each kind of device measures: FIWARE Smart Data Models attributes, UCUM units, ranges.

Registering a device of a known kind creates its datastreams from this catalogue, so names,
units and plausible ranges are the same in every territory (and in the open data they feed).
Ranges: `valid` is physically possible (outside: dead letter), `expected` is usual (outside:
stored, flagged suspect).
"""

from __future__ import annotations

from dataclasses import dataclass

from parvis.sensors.choices import DeviceKind, PrivacyClass


@dataclass(frozen=True)
class Property:
    code: str  # FIWARE attribute name
    name: str
    unit: str  # UCUM
    symbol: str
    unit_name: str
    valid: tuple[float | None, float | None]
    expected: tuple[float | None, float | None]
    definition: str = ""


SDM = "https://smartdatamodels.org/dataModel"

PROPERTIES = {
    prop.code: prop
    for prop in (
        Property(
            "no2",
            "Dioxyde d'azote (NO₂)",
            "ug/m3",
            "µg/m³",
            "microgram per cubic metre",
            (0, 2000),
            (0, 400),
            f"{SDM}.Environment/AirQualityObserved",
        ),
        Property(
            "pm10",
            "Particules PM10",
            "ug/m3",
            "µg/m³",
            "microgram per cubic metre",
            (0, 2000),
            (0, 150),
            f"{SDM}.Environment/AirQualityObserved",
        ),
        Property(
            "pm25",
            "Particules fines PM2,5",
            "ug/m3",
            "µg/m³",
            "microgram per cubic metre",
            (0, 1000),
            (0, 100),
            f"{SDM}.Environment/AirQualityObserved",
        ),
        Property(
            "o3",
            "Ozone (O₃)",
            "ug/m3",
            "µg/m³",
            "microgram per cubic metre",
            (0, 1000),
            (0, 300),
            f"{SDM}.Environment/AirQualityObserved",
        ),
        Property(
            "temperature",
            "Température de l'air",
            "Cel",
            "°C",
            "degree Celsius",
            (-50, 60),
            (-20, 42),
            f"{SDM}.Environment/AirQualityObserved",
        ),
        Property(
            "LAeq",
            "Niveau sonore LAeq",
            "dB[A]",
            "dB(A)",
            "A-weighted decibel",
            (0, 150),
            (25, 100),
            f"{SDM}.Environment/NoiseLevelObserved",
        ),
        Property(
            "occupancy",
            "Occupation",
            "1",
            "",
            "ratio",
            (0, 1),
            (0, 1),
            f"{SDM}.Parking/ParkingSpot",
        ),
        Property(
            "occupiedSpots",
            "Places occupées",
            "{count}",
            "",
            "count",
            (0, 5000),
            (0, 5000),
            f"{SDM}.Parking/ParkingSite",
        ),
        Property(
            "waterFlow",
            "Débit du réseau d'eau",
            "m3/h",
            "m³/h",
            "cubic metre per hour",
            (0, 5000),
            (0, 800),
            f"{SDM}.Water/WaterConsumptionObserved",
        ),
        Property(
            "waterConsumption",
            "Consommation d'eau",
            "m3",
            "m³",
            "cubic metre",
            (0, 100),
            (0, 2),
            f"{SDM}.Water/WaterConsumptionObserved",
        ),
        Property(
            "activePower",
            "Puissance électrique",
            "kW",
            "kW",
            "kilowatt",
            (0, 5000),
            (0, 500),
            f"{SDM}.Energy/EnergyConsumptionObserved",
        ),
        Property(
            "powerState",
            "Allumage",
            "1",
            "",
            "ratio",
            (0, 1),
            (0, 1),
            f"{SDM}.Streetlighting/Streetlight",
        ),
        Property(
            "fillingLevel",
            "Taux de remplissage",
            "%",
            "%",
            "percent",
            (0, 100),
            (0, 100),
            f"{SDM}.WasteManagement/WasteContainer",
        ),
        Property(
            "intensity",
            "Véhicules par heure",
            "{vehicle}/h",
            "véh./h",
            "vehicles per hour",
            (0, 20000),
            (0, 3000),
            f"{SDM}.Transportation/TrafficFlowObserved",
        ),
    )
}


@dataclass(frozen=True)
class Kind:
    properties: tuple[str, ...]
    privacy: PrivacyClass
    sampling_interval: int
    sensor: str


KINDS = {
    DeviceKind.AIR_QUALITY: Kind(
        ("no2", "pm10", "pm25", "o3", "temperature"), PrivacyClass.OPEN, 900, "Station air urbaine"
    ),
    DeviceKind.NOISE: Kind(("LAeq",), PrivacyClass.OPEN, 600, "Sonomètre classe 1"),
    DeviceKind.PARKING: Kind(
        ("occupiedSpots",), PrivacyClass.OCCUPANCY, 300, "Capteur de présence magnétique"
    ),
    DeviceKind.WATER: Kind(("waterFlow",), PrivacyClass.OPEN, 900, "Débitmètre électromagnétique"),
    DeviceKind.ENERGY: Kind(("activePower",), PrivacyClass.OPEN, 900, "Compteur d'énergie"),
    DeviceKind.STREETLIGHT: Kind(
        ("activePower", "powerState"), PrivacyClass.OPEN, 900, "Armoire d'éclairage connectée"
    ),
    DeviceKind.WASTE: Kind(("fillingLevel",), PrivacyClass.OPEN, 3600, "Sonde de remplissage"),
    DeviceKind.TRAFFIC: Kind(
        ("intensity",), PrivacyClass.COUNTS_ONLY, 900, "Compteur par caméra (comptages seuls)"
    ),
}

# A gateway relaying individual meters: one datastream fed by many meters, pseudonymised.
METER_GATEWAY = Kind(
    ("waterConsumption",), PrivacyClass.PERSONAL_METER, 3600, "Passerelle de télérelève"
)
