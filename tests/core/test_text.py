import pytest

from core.text import normalize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Saint-Étienne", "saint etienne"),
        ("ŒUVRE du Cœur", "oeuvre du coeur"),
        ("L'Haÿ-les-Roses", "l hay les roses"),
        ("12, rue Jean-Jaurès", "12 rue jean jaures"),
        ("Çà  et   là !", "ca et la"),
        ("ﬁnance Øresund Łódź", "finance oresund lodz"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalize(text, expected):
    assert normalize(text) == expected
