"""The catalog's lookup keys (``norm_name``, ``norm_url``) are built without regular expressions where a name or URL
cannot need them (start-up, issue 18): the keys are the same as the plain regex definitions give."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from openaudit.licenses.catalog import load_catalog, norm_name, norm_url


def _name_by_regex(value: str) -> str:
    return re.sub(r"[^a-z0-9.+]+", "", value.lower())


def _url_by_regex(value: str) -> str:
    u = value.strip().lower()
    u = re.sub(r"^[a-z]+://", "", u)
    u = re.sub(r"^www\.", "", u)
    u = re.sub(r"/(blob|resolve|raw)/[^/]+/", "/blob/main/", u)
    u = u.split("#", 1)[0].split("?", 1)[0]
    return u.rstrip("/")


# URL-ish text: the characters and pieces the patterns look for, and any others
PIECES = st.sampled_from(["https://", "http://", "www.", "/blob/", "/resolve/", "/raw/", "main", "/", "#", "?", ".",
                          "+", "-", " ", "\u0130", "\u212a", "\u00e9", "HF.co", "Apache-2.0", "LICENSE"])
TEXT = st.lists(st.one_of(PIECES, st.text(max_size=4)), max_size=12).map("".join)


@given(TEXT)
def test_norm_name_is_the_regex_definition(value):
    assert norm_name(value) == _name_by_regex(value)


@given(TEXT)
def test_norm_url_is_the_regex_definition(value):
    assert norm_url(value) == _url_by_regex(value)


def test_the_catalog_keys_of_every_entry_are_the_regex_definitions():
    for e in load_catalog().entries:
        for n in [e.id, e.name, *e.names, *e.hub_ids]:
            assert norm_name(n) == _name_by_regex(n)
        for u in e.urls:
            assert norm_url(u) == _url_by_regex(u)
    assert norm_url("HTTPS://www.Example.com/org/m/blob/v1.2/LICENSE?x=1#top") == "example.com/org/m/blob/main/license"
    assert norm_name("Llama 3.1 Community License+") == "llama3.1communitylicense+"
