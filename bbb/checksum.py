"""Query-string building and checksums, exactly as bbb-web verifies them (contract §2)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from urllib.parse import quote_plus

# Hex length of the checksum tells the server which digest we used (GetChecksumValidator).
ALGORITHMS: dict[str, int] = {"sha1": 40, "sha256": 64, "sha384": 96, "sha512": 128}
_BY_LENGTH: dict[int, str] = {length: name for name, length in ALGORITHMS.items()}

ParamValue = str | int | bool
_UNRESERVED = re.compile(r"[A-Za-z0-9.\-*_]*")


def java_urlencode(value: str) -> str:
    """Encode like Java's ``URLEncoder.encode(v, "UTF-8")``.

    This is the one encoding every bbb-web version accepts, including variants that re-encode the
    query before hashing: keep ``A-Z a-z 0-9 . - * _``, space -> ``+``, everything else ``%XX``.
    """
    if _UNRESERVED.fullmatch(value):
        return value  # parameter names, ids, numbers, booleans: most of every query, and nothing to encode
    return quote_plus(value, safe="*").replace("~", "%7E")


def format_value(value: ParamValue) -> str:
    # BBB wants literal lower-case booleans ("True" would be parsed as false by Boolean.parseBoolean).
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def build_query(params: Mapping[str, ParamValue] | Iterable[tuple[str, ParamValue]]) -> str:
    """Build the query string once; it is hashed and sent byte for byte."""
    pairs = params.items() if isinstance(params, Mapping) else params
    return "&".join(f"{java_urlencode(key)}={java_urlencode(format_value(value))}" for key, value in pairs)


def checksum(call: str, query: str, secret: str, algorithm: str = "sha256") -> str:
    """``hex(H(callName + queryString + secret))`` in lower case."""
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unsupported checksum algorithm {algorithm!r}; use one of {sorted(ALGORITHMS)}")
    return hashlib.new(algorithm, f"{call}{query}{secret}".encode()).hexdigest()


def algorithm_for_checksum(value: str) -> str | None:
    """Which algorithm a checksum of this length was made with (None: no algorithm has that length)."""
    return _BY_LENGTH.get(len(value))


def remove_checksum(query: str, value: str) -> str:
    """Strip the checksum pair the way bbb-web does (plain string replacement, any position)."""
    return query.replace(f"&checksum={value}", "").replace(f"checksum={value}&", "").replace(f"checksum={value}", "")


def signed_query(call: str, params: Mapping[str, ParamValue], secret: str, algorithm: str = "sha256") -> str:
    query = build_query(params)
    digest = checksum(call, query, secret, algorithm)
    return f"{query}&checksum={digest}" if query else f"checksum={digest}"
