"""Names of the French régions (INSEE codes, since 2016), as people write them."""

# Code -> (name, the name after « de », with its article and elision).
REGIONS = {
    "01": ("Guadeloupe", "de la Guadeloupe"),
    "02": ("Martinique", "de la Martinique"),
    "03": ("Guyane", "de la Guyane"),
    "04": ("La Réunion", "de La Réunion"),
    "06": ("Mayotte", "de Mayotte"),
    "11": ("Île-de-France", "d'Île-de-France"),
    "24": ("Centre-Val de Loire", "du Centre-Val de Loire"),
    "27": ("Bourgogne-Franche-Comté", "de Bourgogne-Franche-Comté"),
    "28": ("Normandie", "de Normandie"),
    "32": ("Hauts-de-France", "des Hauts-de-France"),
    "44": ("Grand Est", "du Grand Est"),
    "52": ("Pays de la Loire", "des Pays de la Loire"),
    "53": ("Bretagne", "de Bretagne"),
    "75": ("Nouvelle-Aquitaine", "de Nouvelle-Aquitaine"),
    "76": ("Occitanie", "d'Occitanie"),
    "84": ("Auvergne-Rhône-Alpes", "d'Auvergne-Rhône-Alpes"),
    "93": ("Provence-Alpes-Côte d'Azur", "de Provence-Alpes-Côte d'Azur"),
    "94": ("Corse", "de Corse"),
}
