"""The private-address guard: every trick of the contract's Security section, and redirects."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from aksio.integrations.blobs import FileBlobStore
from aksio.integrations.fetcher import FetchFailed, UrlFetcher, UrlRefused, is_public, literal_ip
from tests.documents.conftest import Site

PUBLIC_IP = "93.184.216.34"
NAMES = {
    "public.example": [PUBLIC_IP],
    "other.example": ["2606:4700:4700::1111"],
    "internal.example": ["10.0.0.7"],
    "mixed.example": [PUBLIC_IP, "192.168.1.20"],
    "localhost": ["127.0.0.1", "::1"],
    "metadata.example": ["169.254.169.254"],
}


def fake_resolver(host: str, _port: int) -> list[str]:
    """DNS as the test wants it; unknown names do not resolve."""
    if host not in NAMES:
        raise OSError(f"unknown host {host}")
    return NAMES[host]


class PublicToLoopback(httpx.HTTPTransport):
    """Delivers connections meant for the public test address to the loopback site."""

    def __init__(self, port: int) -> None:
        super().__init__()
        self.port = port

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == PUBLIC_IP:
            request.url = request.url.copy_with(host="127.0.0.1", port=self.port)
        return super().handle_request(request)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://127.1/",
        "http://2130706433/",
        "http://0x7f000001/",
        "http://0177.0.0.1/",
        "http://0.0.0.0/",
        "http://10.1.2.3/",
        "http://172.16.0.1/",
        "http://192.168.0.1/",
        "http://100.64.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
        "http://[::127.0.0.1]/",
        "http://[64:ff9b::a00:1]/",
        "http://[2002:c0a8:1::]/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://[ff02::1]/",
        "http://localhost:8000/",
        "http://internal.example/",
        "http://mixed.example/",
        "http://metadata.example/",
    ],
)
def test_non_public_addresses_are_refused(url: str) -> None:
    with pytest.raises(UrlRefused) as refused:
        UrlFetcher(resolver=fake_resolver).check(url)
    assert refused.value.error_code == "VALIDATION_ERROR" and "url" in refused.value.details


@pytest.mark.parametrize(
    "url",
    [
        "ftp://public.example/",
        "file:///etc/passwd",
        "http://",
        "not a url",
        "http://nowhere.example/",
    ],
)
def test_other_schemes_and_unknown_hosts_are_refused(url: str) -> None:
    with pytest.raises(UrlRefused):
        UrlFetcher(resolver=fake_resolver).check(url)


def test_public_addresses_pass_and_private_ones_pass_when_allowed() -> None:
    fetcher = UrlFetcher(resolver=fake_resolver)
    assert [str(a) for a in fetcher.check("https://public.example/a")] == [PUBLIC_IP]
    assert fetcher.check("http://other.example/")
    assert UrlFetcher(resolver=fake_resolver, allow_private=True).check("http://10.0.0.1/")


def test_literal_forms() -> None:
    assert str(literal_ip("2130706433")) == "127.0.0.1"
    assert str(literal_ip("[::1]")) == "::1"
    assert literal_ip("example.org") is None
    assert not is_public(literal_ip("0x7f.1"))  # type: ignore[arg-type]


def fetcher_for(site: Site, **options: object) -> UrlFetcher:
    return UrlFetcher(resolver=fake_resolver, transport=PublicToLoopback(site.port), **options)  # type: ignore[arg-type]


def test_redirects_are_followed_between_public_addresses(site: Site, tmp_path: Path) -> None:
    site.add("/start", status=302, headers={"Location": "/article"})
    site.add(
        "/article", b"<html><body><p>Hello</p></body></html>", headers={"Content-Type": "text/html"}
    )
    fetched = fetcher_for(site).fetch("http://public.example/start", FileBlobStore(tmp_path))
    assert fetched.content_type == "text/html" and fetched.final_url.endswith("/article")
    assert site.seen_hosts == ["public.example", "public.example"]


@pytest.mark.parametrize(
    "target",
    [
        "http://internal.example/secret",
        "http://127.0.0.1/secret",
        "http://[::1]/",
        "http://2130706433/",
    ],
)
def test_a_redirect_to_a_private_address_is_refused(
    site: Site, tmp_path: Path, target: str
) -> None:
    site.add("/start", status=302, headers={"Location": target})
    with pytest.raises(FetchFailed) as failed:
        fetcher_for(site).fetch("http://public.example/start", FileBlobStore(tmp_path))
    assert "private or local network" in failed.value.message
    assert len(site.seen_hosts) == 1  # the private address was never asked


def test_redirect_loops_end(site: Site, tmp_path: Path) -> None:
    site.add("/loop", status=301, headers={"Location": "/loop"})
    with pytest.raises(FetchFailed, match="redirected too many times"):
        fetcher_for(site).fetch("http://public.example/loop", FileBlobStore(tmp_path))
