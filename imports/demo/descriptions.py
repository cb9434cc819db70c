"""Descriptions of varied length, as producers write them: a few words, a paragraph, a page.

Shares for services: 7 % under 50 characters, 10 % one or two sentences, most between 200 and
2 000 characters, 3 % long pages with sections and bullet lists.
"""

from imports.demo import vocabulary
from imports.demo.text import a, de, lcfirst


def _intro(rng, nom: str, structure_nom: str, commune: str | None) -> str:
    template = rng.choice(vocabulary.INTROS)
    if commune is None and "commune" in template:
        template = vocabulary.INTROS[1]
    place = commune or ""
    return template.format(
        structure=structure_nom,
        nom=nom,
        nom_lc=lcfirst(nom),
        de_commune=de(place) if place else "",
        a_commune=a(place) if place else "",
        a_commune_cap=(a(place)[0].upper() + a(place)[1:]) if place else "",
    )


def service_description(
    rng, *, nom: str, categorie: str, type_: str | None, structure_nom: str, commune: str | None
) -> str:
    category_sentences = vocabulary.CATEGORY_SENTENCES[categorie]
    type_sentences = vocabulary.TYPE_SENTENCES.get(type_, ())
    draw = rng.random()
    if draw < 0.07:
        return nom if len(nom) < 50 and rng.random() < 0.3 else rng.choice(vocabulary.SHORT_DESCRIPTIONS)
    if draw < 0.17:
        sentences = [rng.choice(category_sentences)]
        if type_sentences and rng.random() < 0.5:
            sentences.append(rng.choice(type_sentences))
        return " ".join(sentences)
    if draw < 0.97:
        first = [_intro(rng, nom, structure_nom, commune), *rng.sample(category_sentences, rng.randint(1, 3))]
        second = rng.sample(type_sentences, min(len(type_sentences), rng.randint(0, 3)))
        second += rng.sample(vocabulary.PRACTICAL_SENTENCES, rng.randint(0, 2))
        if rng.random() < 0.3:
            second += rng.sample(vocabulary.EXTRA_SENTENCES, rng.randint(1, 2))
        if rng.random() < 0.5:
            return " ".join(first + second)
        paragraphs = [" ".join(first)]
        if rng.random() < 0.3:
            bullets = rng.sample(vocabulary.BULLETS, rng.randint(2, 4))
            paragraphs.append(rng.choice(vocabulary.BULLET_INTROS) + "\n" + "\n".join(f"- {b}" for b in bullets))
        if second:
            paragraphs.append(" ".join(second))
        return "\n\n".join(paragraphs)
    # A long page with sections, as some producers paste their whole leaflet: 1 500 to 3 500
    # characters, enough to exercise truncation in lists.
    titles = rng.sample(vocabulary.SECTION_TITLES, 4)
    paragraphs = [
        _intro(rng, nom, structure_nom, commune) + " " + " ".join(rng.sample(category_sentences, 4)),
        titles[0] + "\n" + " ".join(rng.sample(vocabulary.EXTRA_SENTENCES, rng.randint(3, 8))),
        rng.choice(vocabulary.BULLET_INTROS)
        + "\n"
        + "\n".join(f"- {bullet}" for bullet in rng.sample(vocabulary.BULLETS, rng.randint(4, 8))),
        titles[1] + "\n" + " ".join(type_sentences or vocabulary.EXTRA_SENTENCES[:3]),
        titles[2] + "\n" + " ".join(rng.sample(vocabulary.PRACTICAL_SENTENCES, rng.randint(4, 10))),
        titles[3] + "\n" + " ".join(rng.sample(category_sentences, len(category_sentences))),
    ]
    return "\n\n".join(paragraphs)


def structure_description(rng, *, kind_sentences: tuple[str, ...], commune: str | None) -> str | None:
    draw = rng.random()
    if draw < 0.25:
        return None
    if draw < 0.33:
        return rng.choice(vocabulary.SHORT_DESCRIPTIONS)
    sentences = [rng.choice(kind_sentences)] if kind_sentences else []
    sentences += rng.sample(vocabulary.EXTRA_SENTENCES, rng.randint(0 if sentences else 1, 3))
    if commune and rng.random() < 0.4:
        sentences.append(f"Nous intervenons {a(commune)} et dans les communes voisines.")
    return " ".join(sentences)
