"""The two-way map between public origins and the local edge's (generator/local/edge/origins.py)."""

from __future__ import annotations

import pytest

from generator.local.edge.origins import OriginMap

PUBLIC, LOCAL = "https://apps.example.com", "http://127.0.0.1:9000"


def origin_map() -> OriginMap:
    origins = OriginMap()
    origins.add(PUBLIC, LOCAL)
    origins.add("https://acme-auth.auth.us-east-2.amazoncognito.com", "http://127.0.0.1:9002")
    return origins


@pytest.mark.parametrize(
    "public, local, stored",
    [
        ("https://apps.example.com/", "http://127.0.0.1:9000/", ("https://apps.example.com", "http://127.0.0.1:9000")),
        (
            "https://apps.example.com//",
            "http://127.0.0.1:9000//",
            ("https://apps.example.com", "http://127.0.0.1:9000"),
        ),
        # only "/" is stripped: any other last character stays (an upper-case X here)
        ("https://EXAMPLE.X/", "http://LOCAL.X/", ("https://EXAMPLE.X", "http://LOCAL.X")),
    ],
    ids=["slash", "slashes", "other-last-character"],
)
def test_add_drops_the_trailing_slashes_of_both_origins_and_maps_them_both_ways(public, local, stored):
    origins = OriginMap()
    origins.add(public, local)

    assert origins.pairs() == dict([stored])
    assert origins.local(stored[0] + "/a?b=1") == stored[1] + "/a?b=1"
    assert origins.public(stored[1] + "/a?b=1") == stored[0] + "/a?b=1"


@pytest.mark.parametrize(
    "url, swapped",
    [
        (PUBLIC, LOCAL),
        (PUBLIC + "/", LOCAL + "/"),
        (PUBLIC + "/auth/callback?code=1", LOCAL + "/auth/callback?code=1"),
        (PUBLIC + "?next=/x", LOCAL + "?next=/x"),
        ("https://apps.example.community/x", "https://apps.example.community/x"),
        ("https://apps.example.com.evil.example/", "https://apps.example.com.evil.example/"),
        ("https://other.example/?u=https://apps.example.com", "https://other.example/?u=https://apps.example.com"),
        ("", ""),
        (None, None),
    ],
)
def test_local_swaps_a_known_public_origin_only_when_the_url_starts_with_it_whole(url, swapped):
    assert origin_map().local(url) == swapped


@pytest.mark.parametrize(
    "url, swapped",
    [
        (LOCAL + "/john-inventory-dev/", PUBLIC + "/john-inventory-dev/"),
        (LOCAL + "?state=1", PUBLIC + "?state=1"),
        ("http://127.0.0.1:90001/", "http://127.0.0.1:90001/"),
    ],
)
def test_public_swaps_a_local_origin_back(url, swapped):
    assert origin_map().public(url) == swapped


@pytest.mark.parametrize(
    "public_origin, local",
    [
        (PUBLIC, LOCAL),
        (PUBLIC + "/", LOCAL),
        (PUBLIC + "//", LOCAL),
        ("https://apps.example.co", None),
        ("https://apps.example.comX", None),  # only "/" is stripped: another last character makes another origin
        ("http://apps.example.com", None),
    ],
)
def test_local_of_knows_an_origin_less_its_trailing_slashes_and_nothing_else(public_origin, local):
    assert origin_map().local_of(public_origin) == local
