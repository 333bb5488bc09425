"""The demo territory's sensors: air, noise, parking, water, lighting, waste, traffic.

Demo devices get tokens derived from their key (`demo_device_token`), so `parvis simulate`
can publish for them without a secrets file. Only in demo mode: real devices get random tokens.
"""

from __future__ import annotations

import hashlib

from parvis.sensors.choices import DeviceKind
from parvis.sensors.models import Thing
from parvis.sensors.services import thing_register

AIR_OPERATOR = "Atmo Bourgogne-Franche-Comté (association agréée, fictive)"
CITY = "Ville de {name}"
INTERCO = "Communauté de communes du Val de Brune"

# (commune slug, key, kind, name, latitude, longitude, operator, purpose, meter gateway)
DEVICES = [
    (
        "brune-les-moulins",
        "air-centre",
        DeviceKind.AIR_QUALITY,
        "Station air Centre-ville",
        47.0955,
        4.8850,
        AIR_OPERATOR,
        "Informer du niveau de pollution et déclencher les alertes.",
        False,
    ),
    (
        "brune-les-moulins",
        "air-gare",
        DeviceKind.AIR_QUALITY,
        "Station air La Gare",
        47.0890,
        4.8990,
        AIR_OPERATOR,
        "Mesurer la pollution liée au trafic près de la gare.",
        False,
    ),
    (
        "brune-les-moulins",
        "bruit-tanneries",
        DeviceKind.NOISE,
        "Sonomètre Les Tanneries",
        47.0850,
        4.8720,
        CITY,
        "Suivre le bruit nocturne d'un quartier animé.",
        False,
    ),
    (
        "brune-les-moulins",
        "parking-halles",
        DeviceKind.PARKING,
        "Parking des Halles (120 places)",
        47.0962,
        4.8870,
        CITY,
        "Indiquer les places libres ; aucune plaque n'est lue.",
        False,
    ),
    (
        "brune-les-moulins",
        "parking-gare",
        DeviceKind.PARKING,
        "Parking de la Gare (80 places)",
        47.0885,
        4.9010,
        CITY,
        "Indiquer les places libres ; aucune plaque n'est lue.",
        False,
    ),
    (
        "brune-les-moulins",
        "eau-secteur-nord",
        DeviceKind.WATER,
        "Débitmètre secteur Nord",
        47.1040,
        4.8800,
        INTERCO,
        "Détecter les fuites du réseau d'eau potable (débit de nuit).",
        False,
    ),
    (
        "brune-les-moulins",
        "eau-compteurs-plateau",
        DeviceKind.WATER,
        "Télérelève des compteurs du Plateau",
        47.1020,
        4.9000,
        INTERCO,
        "Détecter les fuites chez les abonnés ; relevés pseudonymisés, publiés par 10 au moins.",
        True,
    ),
    (
        "brune-les-moulins",
        "eclairage-centre",
        DeviceKind.STREETLIGHT,
        "Armoire d'éclairage Centre",
        47.0950,
        4.8830,
        CITY,
        "Suivre la consommation de l'éclairage public.",
        False,
    ),
    (
        "brune-les-moulins",
        "energie-mairie",
        DeviceKind.ENERGY,
        "Compteur électrique de la mairie",
        47.0950,
        4.8850,
        CITY,
        "Suivre la consommation d'énergie des bâtiments publics.",
        False,
    ),
    (
        "brune-les-moulins",
        "dechets-place-marche",
        DeviceKind.WASTE,
        "Colonne à verre place du Marché",
        47.0958,
        4.8862,
        INTERCO,
        "Vider les colonnes quand elles sont pleines, pas avant.",
        False,
    ),
    (
        "brune-les-moulins",
        "trafic-avenue-gare",
        DeviceKind.TRAFFIC,
        "Comptage avenue de la Gare",
        47.0900,
        4.8960,
        CITY,
        "Compter les véhicules ; la caméra n'envoie que des comptages.",
        False,
    ),
    (
        "saint-eloi-sur-brune",
        "air-saint-eloi",
        DeviceKind.AIR_QUALITY,
        "Station air Saint-Éloi",
        47.0700,
        4.9300,
        AIR_OPERATOR,
        "Informer du niveau de pollution.",
        False,
    ),
    (
        "saint-eloi-sur-brune",
        "eau-saint-eloi",
        DeviceKind.WATER,
        "Débitmètre Saint-Éloi",
        47.0710,
        4.9280,
        INTERCO,
        "Détecter les fuites du réseau d'eau potable.",
        False,
    ),
]


def demo_device_token(key: str) -> str:
    """The demo token of a demo device (public knowledge, like the demo passwords)."""
    return f"{key}.demo-{hashlib.sha256(f'parvis-demo-device:{key}'.encode()).hexdigest()[:32]}"


def seed_sensors(*, territories) -> list[Thing]:
    things = []
    for slug, key, kind, name, lat, lon, operator, purpose, gateway in DEVICES:
        territory = territories[slug]
        thing, _token = thing_register(
            territory=territory,
            key=key,
            kind=kind,
            name=name,
            latitude=lat,
            longitude=lon,
            operator=operator.format(name=territory.name),
            purpose=purpose,
            meter_gateway=gateway,
        )
        token = demo_device_token(key)
        thing.credential_hash = hashlib.sha256(token.partition(".")[2].encode()).hexdigest()
        thing.save(update_fields=["credential_hash"])
        things.append(thing)
    return things
