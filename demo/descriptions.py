"""Descriptions of varied length, as producers write them: a few words, a paragraph, a page.

Shares for services: 7 % under 50 characters, 10 % one or two sentences, most between 200 and 2 000
characters, 3 % long pages with sections and bullet lists.
"""

from demo.text import a, de, lcfirst


def service(rng, texts: dict, vocabulary: dict, nom: str, categorie: str, type_: str | None, structure: dict) -> str:
    about, how = vocabulary["categories"][categorie]["sentences"], vocabulary["types"].get(type_, [])
    commune, draw = structure["commune"], rng.random()

    def intro() -> str:
        return rng.choice(texts["intros"]).format(
            structure=structure["nom"], nom=nom, nom_lc=lcfirst(nom), de_commune=de(commune), a_commune=a(commune)
        )

    def some(sentences: list[str], fewest: int, most: int) -> list[str]:
        return rng.sample(sentences, min(len(sentences), rng.randint(fewest, most)))

    def bullets(fewest: int, most: int) -> str:
        return "\n- ".join([rng.choice(texts["bullet_intros"]), *some(texts["bullets"], fewest, most)])

    if draw < 0.07:
        return nom if len(nom) < 50 and rng.random() < 0.3 else rng.choice(texts["short_descriptions"])
    if draw < 0.17:
        return " ".join([rng.choice(about), *some(how, 0, 1)])
    if draw < 0.97:
        first = [intro(), *some(about, 1, 3)]
        second = some(how, 0, 3) + some(texts["practical_sentences"], 0, 2)
        second += some(texts["extra_sentences"], 1, 2) if rng.random() < 0.3 else []
        if rng.random() < 0.5:
            return " ".join(first + second)
        paragraphs = [" ".join(first), bullets(2, 4) if rng.random() < 0.3 else "", " ".join(second)]
        return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)
    # A long page with sections, as some producers paste their whole leaflet: 1 500 to 3 500 characters,
    # enough to exercise truncation in lists.
    titles = rng.sample(texts["section_titles"], 4)
    sections = (
        (titles[0], some(texts["extra_sentences"], 3, 8)),
        (titles[1], how or texts["extra_sentences"][:3]),
        (titles[2], some(texts["practical_sentences"], 4, 10)),
        (titles[3], some(about, len(about), len(about))),
    )
    first = " ".join([intro(), *some(about, 4, 4)])
    return "\n\n".join([first, bullets(4, 8), *(f"{title}\n{' '.join(text)}" for title, text in sections)])


def structure(rng, texts: dict, kind_sentences: list[str], commune: str) -> str | None:
    if (draw := rng.random()) < 0.33:
        return None if draw < 0.25 else rng.choice(texts["short_descriptions"])
    sentences = [rng.choice(kind_sentences)] if kind_sentences else []
    sentences += rng.sample(texts["extra_sentences"], rng.randint(0 if sentences else 1, 3))
    if rng.random() < 0.4:
        sentences.append(f"Nous intervenons {a(commune)} et dans les communes voisines.")
    return " ".join(sentences)
