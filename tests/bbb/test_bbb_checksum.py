from __future__ import annotations

from urllib.parse import quote_plus

import pytest

from bbb import BBBClient
from bbb.checksum import algorithm_for_checksum, build_query, checksum, java_urlencode, remove_checksum

SECRET = "639259d4-9dd8-4b25-bf01-95f9567eaf4b"
CREATE_QUERY = "name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444"


@pytest.mark.parametrize(
    ("algorithm", "expected"),
    [
        ("sha1", "1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17"),
        ("sha256", "da9185f7f333cfdfcd6eeac32dca3777510c4c436020d8b887ba5515bd1d189e"),
        (
            "sha384",
            "891ac633df39d0a1b4f8d597f3e190833216c4b29c4fb51ea3ca72757eeb958d6e7b49a845cf29f5c6019c7d29d029d1",
        ),
        (
            "sha512",
            (
                "de73ad61d11a5c801b68d4bd6ec5248546085cefb0b25c85f3c46249ea93a3a4"
                "b120f92c0a8a58d7512cb77821884951a3b01245f3435dbbef49fff3cc3988b4"
            ),
        ),
    ],
)
def test_contract_vectors_for_create(algorithm: str, expected: str) -> None:
    assert checksum("create", CREATE_QUERY, SECRET, algorithm) == expected
    assert algorithm_for_checksum(expected) == algorithm


def test_contract_vector_for_join() -> None:
    query = build_query({"fullName": "User", "meetingID": "My Meeting", "password": "password", "redirect": True})
    assert query == "fullName=User&meetingID=My+Meeting&password=password&redirect=true"
    assert checksum("join", query, SECRET, "sha1") == "d7fdddda59b530a5acb56e77d5683c4324ceac4f"


def test_query_is_built_in_order_with_java_urlencoder_rules() -> None:
    query = build_query(
        {"name": "Test Meeting", "meetingID": "abc123", "attendeePW": "111222", "moderatorPW": "333444"}
    )
    assert query == CREATE_QUERY
    assert java_urlencode("a b~c*d'e(f)!ä/") == "a+b%7Ec*d%27e%28f%29%21%C3%A4%2F"


@pytest.mark.parametrize(
    "value", [chr(code) for code in range(128)] + ["ä", "€", "", "abc-DEF_1.2*3", "Gast 1", "a~b", "x/y", "true"]
)
def test_the_fast_path_encodes_exactly_like_the_full_encoder(value: str) -> None:
    """Unreserved values skip quote_plus; every character must still come out as URLEncoder writes it."""
    assert java_urlencode(value) == quote_plus(value, safe="*").replace("~", "%7E")
    assert java_urlencode(f"{value}{value}a") == quote_plus(f"{value}{value}a", safe="*").replace("~", "%7E")


def test_client_signs_exactly_the_query_it_sends() -> None:
    client = BBBClient("https://bbb.example/bigbluebutton/api", SECRET, checksum_algorithm="sha1")
    url = client.url(
        "create",
        {"name": "Test Meeting", "meetingID": "abc123", "attendeePW": "111222", "moderatorPW": "333444"},
    )
    assert (
        url
        == f"https://bbb.example/bigbluebutton/api/create?{CREATE_QUERY}&checksum=1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17"
    )


def test_empty_query_is_hashed_as_empty_string() -> None:
    client = BBBClient("https://bbb.example/bigbluebutton/api/", SECRET, checksum_algorithm="sha1")
    assert client.url("getMeetings") == (
        f"https://bbb.example/bigbluebutton/api/getMeetings?checksum={checksum('getMeetings', '', SECRET, 'sha1')}"
    )


def test_checksum_may_sit_anywhere_in_the_query() -> None:
    assert remove_checksum("checksum=abc&a=1&b=2", "abc") == "a=1&b=2"
    assert remove_checksum("a=1&checksum=abc&b=2", "abc") == "a=1&b=2"
    assert remove_checksum("a=1&b=2&checksum=abc", "abc") == "a=1&b=2"


def test_unknown_algorithm_is_refused() -> None:
    with pytest.raises(ValueError):
        BBBClient("https://bbb.example/bigbluebutton/api/", SECRET, checksum_algorithm="md5")
