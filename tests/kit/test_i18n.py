"""Accept-Language picks Polish or English by preference and q-value; anything else is English."""

from shared.i18n import preferred


def test_the_preferred_language():
    assert preferred("pl") == "pl"
    assert preferred("pl-PL,pl;q=0.9,en;q=0.5") == "pl"
    assert preferred("en-GB,en;q=0.9,pl;q=0.8") == "en"
    assert preferred("en;q=0.3, pl;q=0.7") == "pl"
    assert preferred("de-DE, fr;q=0.5") == "en"
    assert preferred("pl;q=0") == "en"
    assert preferred("pl;q=abc, en") == "en"
