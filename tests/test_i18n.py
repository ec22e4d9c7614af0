"""nsra's own words live in gettext catalogues (``nsra/locale``): every catalogue carries exactly
the labels of the template, with the same English source and the same ``{placeholders}``, so a
translator's slip (a dropped ``{n}``, a stale entry, a key missing) fails here and not in a
minister's report."""

from __future__ import annotations

import string
from importlib import resources

import pytest
from babel.messages.pofile import read_po

from nsra import i18n


def _catalogue(path: str) -> dict[str, tuple[str, str, bool]]:
    with (resources.files("nsra") / "locale" / path).open("rb") as f:
        catalogue = read_po(f, abort_invalid=True)  # a broken entry fails, not just warns
    return {str(m.context): (str(m.id), str(m.string or ""), m.fuzzy) for m in catalogue if m.id}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


TRANSLATED = [lang for lang in i18n.LANGS if lang != "en"]


def test_the_languages_are_english_and_one_per_catalogue() -> None:
    assert i18n.LANGS[0] == "en"
    assert "nl" in i18n.LANGS and "fr" in i18n.LANGS
    assert len(set(i18n.LANGS)) == len(i18n.LANGS)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_a_catalogue_has_the_templates_labels_with_their_placeholders(lang: str) -> None:
    template = _catalogue("nsra.pot")
    catalogue = _catalogue(f"{lang}/LC_MESSAGES/nsra.po")
    assert set(catalogue) == set(template), "keys differ from nsra.pot"
    with (resources.files("nsra") / "locale" / f"{lang}/LC_MESSAGES/nsra.po").open("rb") as f:
        contexts = [m.context for m in read_po(f) if m.id]
    assert len(contexts) == len(set(contexts)), "a key twice"
    for key, (english, text, fuzzy) in catalogue.items():
        assert english == template[key][0], f"{lang}:{key}: English source is stale"
        assert text and not fuzzy, f"{lang}:{key}: not translated"
        assert _fields(text) == _fields(english), f"{lang}:{key}: placeholders differ"


def test_every_key_the_template_has_is_a_label_in_every_language() -> None:
    for lang in i18n.LANGS:
        words = i18n.labels(lang)
        assert set(words) == set(i18n.english())
        assert all(words.values()), lang


def test_a_translation_of_an_older_english_text_is_not_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """When the English of a label changes, its old translation must not be shown as if it
    said the same: it reads in English until the translator has looked at it again."""
    english = dict(i18n.english())
    english["kpi_scenarios"] = "scenarios assessed"
    monkeypatch.setattr(i18n, "english", lambda: english)
    i18n.translated.cache_clear()
    i18n.labels.cache_clear()
    try:
        assert "kpi_scenarios" not in i18n.translated("nl")
        assert i18n.t("kpi_scenarios", "nl") == "scenarios assessed"
        assert i18n.t("kpi_internal", "nl") == "intern"
    finally:
        i18n.translated.cache_clear()
        i18n.labels.cache_clear()


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "1,234,567.5"), ("nl", "1.234.567,5"), ("fr", "1\u202f234\u202f567,5")],
)
def test_numbers_follow_the_languages_conventions(lang: str, expected: str) -> None:
    assert i18n.number(1234567.5, lang, 1) == expected


def test_an_unknown_label_is_a_bug_not_an_empty_word() -> None:
    with pytest.raises(KeyError):
        i18n.t("no_such_label", "en")
