"""Opening hours in the OpenStreetMap format, by kind of place, and a few malformed ones.

Producers mostly send valid OSM strings; a small share is free text or broken syntax, which
the site must show as is.
"""

OFFICE = (
    ("Mo-Fr 09:00-12:00,14:00-17:00", 10),
    ("Mo-Fr 08:30-12:30,13:30-17:00", 6),
    ("Mo-Fr 09:00-17:00", 4),
    ("Mo-Fr 08:30-12:30; PH off", 4),
    ("Mo-Th 08:30-12:00,13:30-17:30; Fr 08:30-12:00,13:30-16:30", 3),
    ("Mo 14:00-17:00; Tu-Fr 09:00-12:00,14:00-17:00", 3),
    ("Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00; PH off", 2),
    ("Mo-Fr 08:30-12:00,13:30-17:00; Aug off", 1),
    ('Mo-Fr 14:00-17:00 "sur rendez-vous"', 1),
    ("Mo,We 08:30-12:30; PH off", 1),
)
ASSOCIATION = (
    ("Mo,We 08:30-12:30; PH off", 4),
    ("Tu,Th 14:00-17:00", 4),
    ("We 14:00-18:00; Sa 09:00-12:00", 3),
    ("Tu 09:00-12:00; Th 14:00-17:00; PH off", 3),
    ("Mo-Fr 09:00-12:00,14:00-17:00", 3),
    ("Mo-Fr 09:30-12:30,13:30-17:30", 2),
    ("Th 09:00-11:30", 1),
    ("Mo,Tu,Th,Fr 09:00-12:00,13:30-17:00", 1),
)
FOOD = (
    ("Tu,Fr 09:30-11:30", 4),
    ("We 14:00-17:00", 3),
    ("Fr 14:00-16:00", 3),
    ("Mo,Th 09:00-12:00", 2),
    ("Tu-Sa 10:00-18:00; Su off", 2),
    ("Mo-Fr 11:30-13:30", 2),
    ("Mo-Su 08:00-10:00,12:00-13:30", 1),
)
SHOP = (
    ("Tu-Sa 10:00-18:00; Su off", 5),
    ("We,Sa 14:00-18:00", 3),
    ("Tu-Fr 14:00-18:00; Sa 10:00-12:30,14:00-18:00", 2),
    ("Mo-Sa 09:30-12:30,14:00-19:00", 2),
)
CONTINUOUS = (
    ("24/7", 5),
    ("Mo-Su 08:00-20:00", 2),
    ("Mo-Su 18:00-09:00", 1),
    ("Mo-Fr 08:00-18:00; Sa 08:00-12:00", 2),
)
CHILDCARE = (
    ("Mo-Fr 07:30-18:30; PH off", 6),
    ("Mo-Fr 07:00-19:00", 2),
    ("Mo-Fr 06:00-21:00", 1),
    ("Mo-Fr 08:00-18:00; Aug off", 2),
)
PROFILES = {
    "office": OFFICE,
    "association": ASSOCIATION,
    "food": FOOD,
    "shop": SHOP,
    "continuous": CONTINUOUS,
    "childcare": CHILDCARE,
}

# Free text and broken syntax, as some producers send them.
MALFORMED = (
    "Du lundi au vendredi de 9h à 12h et de 14h à 17h",
    "Mo-Fr 9h-12h",
    "lundi : 9h-12h / 14h-17h",
    "Mo-Fr 09:00-12:00;;",
    "Mo-Fr 25:00-26:00",
    "sur rendez-vous",
    "Mo-Fr 09:00-",
    "Ouvert tous les jours sauf le dimanche",
    "Lu-Ve 09:00-17:00",
)
