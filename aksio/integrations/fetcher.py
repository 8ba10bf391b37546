"""Fetching user-given URLs safely: the private-address guard, size and time caps.

Every hop (the URL and each redirect) is resolved, every resolved address must
be public unless private URLs are allowed, and the connection goes to the
address that was checked (so a second DNS answer cannot point it elsewhere).
With a scraper service configured, that service fetches instead.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import httpx

from aksio.core.errors import PayloadTooLarge, ValidationFailed
from aksio.integrations.blobs import BlobStore, Staged
from aksio.integrations.extraction.formats import guess_fetched_type

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]
MAX_BYTES = 50 * 1024 * 1024
MAX_REDIRECTS = 5
USER_AGENT = "Aksio/1.0 (+document import)"
GOOGLE_DOC = re.compile(r"^https?://docs\.google\.com/document/d/([A-Za-z0-9_-]+)")
ARXIV_ABS = re.compile(r"^https?://(?:www\.)?arxiv\.org/abs/([^?#]+)")
ACADEMIC_HOSTS = ("arxiv.org", "doi.org", "ncbi.nlm.nih.gov", "semanticscholar.org", "jstor.org")
EMBEDDED_V4 = (ipaddress.ip_network("::/96"), ipaddress.ip_network("64:ff9b::/96"))


class FetchFailed(Exception):
    """The URL could not be fetched; the message tells the user why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UrlRefused(ValidationFailed):
    def __init__(self, problem: str) -> None:
        super().__init__("Validation failed", {"url": [problem]})


@dataclass(frozen=True)
class Fetched:
    blob_key: str
    size: int
    content_type: str
    final_url: str


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def literal_ip(host: str) -> IPAddress | None:
    """The address a numeric host means, including forms like `2130706433` or `0x7f.1`."""
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def is_public(ip: IPAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and any(ip in net for net in EMBEDDED_V4) and int(ip) > 1:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public(embedded)
        if ip.teredo:
            return False
    return ip.is_global and not ip.is_multicast


def url_type(url: str) -> str:
    """The kind of URL, as `upload_limits/` lists them."""
    parsed = httpx.URL(url)
    host = parsed.host.lower()
    if GOOGLE_DOC.match(url):
        return "google_docs"
    if host.endswith(("youtube.com", "youtu.be")):
        return "youtube_video"
    if any(host == h or host.endswith("." + h) for h in ACADEMIC_HOSTS):
        return "academic_paper"
    return "pdf_url" if parsed.path.lower().endswith(".pdf") else "web_page"


def fetch_url_for(url: str) -> str:
    """The URL that yields the document's content: Google Docs as plain text, arXiv as PDF."""
    if match := GOOGLE_DOC.match(url):
        return f"https://docs.google.com/document/d/{match.group(1)}/export?format=txt"
    if match := ARXIV_ABS.match(url):
        return f"https://arxiv.org/pdf/{match.group(1)}"
    return url


class UrlFetcher:
    def __init__(
        self,
        *,
        allow_private: bool = False,
        resolver: Resolver = system_resolver,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 15.0,
        total_timeout: float = 60.0,
        max_bytes: int = MAX_BYTES,
        scraper_url: str | None = None,
    ) -> None:
        self.allow_private = allow_private
        self.resolver = resolver
        self.transport = transport
        self.timeout = timeout
        self.total_timeout = total_timeout
        self.max_bytes = max_bytes
        self.scraper_url = scraper_url.rstrip("/") if scraper_url else None

    # -- the guard -------------------------------------------------------------------
    def check(self, url: str, *, resolve: bool = True) -> list[IPAddress]:
        """The addresses `url` may be fetched from; UrlRefused (422) when it must not be."""
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL:
            raise UrlRefused("Enter a valid URL.") from None
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise UrlRefused("Only http and https URLs can be imported.")
        literal = literal_ip(parsed.host)
        if literal is not None:
            addresses = [literal]
        elif not resolve:
            return []
        else:
            try:
                found = self.resolver(parsed.host, parsed.port or _default_port(parsed))
                addresses = [ipaddress.ip_address(a.split("%", 1)[0]) for a in found]
            except (OSError, ValueError):
                raise UrlRefused("The host of this URL could not be found.") from None
            if not addresses:
                raise UrlRefused("The host of this URL could not be found.")
        if not self.allow_private and not all(is_public(a) for a in addresses):
            raise UrlRefused("URLs that lead to private or local network addresses are refused.")
        return addresses

    def validate(self, url: str) -> None:
        """The check a request makes before it accepts a URL for import."""
        self.check(url, resolve=not self.allow_private)

    # -- fetching --------------------------------------------------------------------
    def fetch(self, url: str, blobs: BlobStore) -> Fetched:
        """Fetches the URL into the blob store, or FetchFailed with a reason."""
        if self.scraper_url:
            return self._scrape(url, blobs)
        deadline = time.monotonic() + self.total_timeout
        with httpx.Client(
            transport=self.transport, timeout=self.timeout, trust_env=False
        ) as client:
            for _hop in range(MAX_REDIRECTS + 1):
                response = self._send(client, url)
                try:
                    if response.is_redirect and "location" in response.headers:
                        url = urljoin(url, response.headers["location"])
                        continue
                    return self._store(url, response, blobs, deadline)
                finally:
                    response.close()
        raise FetchFailed("The URL redirected too many times.")

    def _send(self, client: httpx.Client, url: str) -> httpx.Response:
        """One hop: the guard on its host, then the request to the checked address."""
        try:
            addresses = self.check(url)
        except UrlRefused as refused:
            raise FetchFailed(f"{refused.details['url'][0]} ({url})") from None
        try:
            return client.send(_pinned(client, url, addresses[0]), stream=True)
        except httpx.TimeoutException:
            raise FetchFailed("The URL did not answer in time.") from None
        except httpx.HTTPError as error:
            raise FetchFailed(f"The URL could not be reached ({type(error).__name__}).") from None

    def _store(
        self, url: str, response: httpx.Response, blobs: BlobStore, deadline: float
    ) -> Fetched:
        if response.status_code >= 400:
            reason = response.reason_phrase or "error"
            raise FetchFailed(f"The URL answered {response.status_code} {reason}.")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchFailed(self._too_large())
        staged = self._stage(response.iter_bytes(), blobs, deadline)
        content_type = guess_fetched_type(
            response.headers.get("content-type"), staged.head, httpx.URL(url).path
        )
        return _commit(blobs, staged, content_type, url, response.headers.get("content-type"))

    def _stage(self, chunks: Iterator[bytes], blobs: BlobStore, deadline: float) -> Staged:
        def timed() -> Iterator[bytes]:
            for chunk in chunks:
                if time.monotonic() > deadline:
                    raise FetchFailed("The URL took too long to download.")
                yield chunk

        try:
            staged = blobs.stage(timed(), self.max_bytes)
        except PayloadTooLarge:
            raise FetchFailed(self._too_large()) from None
        except httpx.TimeoutException:
            raise FetchFailed("The URL did not answer in time.") from None
        except httpx.HTTPError:
            raise FetchFailed("The download from the URL broke off.") from None
        if staged.size == 0:
            staged.discard()
            raise FetchFailed("The URL returned an empty document.")
        return staged

    def _too_large(self) -> str:
        return f"The document at this URL is larger than {self.max_bytes // (1024 * 1024)} MB."

    def _scrape(self, url: str, blobs: BlobStore) -> Fetched:
        """Asks the scraper service: POST {url} to /api/scrape, the page's text comes back."""
        assert self.scraper_url
        try:
            response = httpx.post(
                f"{self.scraper_url}/api/scrape", json={"url": url}, timeout=self.total_timeout
            )
        except httpx.HTTPError:
            raise FetchFailed("The scraper service is unavailable; try again later.") from None
        if response.status_code >= 400:
            raise FetchFailed(
                f"The scraper service could not fetch the URL ({response.status_code})."
            )
        body, header = _scraped_body(response)
        staged = self._stage(iter([body]), blobs, time.monotonic() + self.total_timeout)
        content_type = guess_fetched_type(header, staged.head, httpx.URL(url).path)
        return _commit(blobs, staged, content_type, url, header)


def _default_port(url: httpx.URL) -> int:
    return 443 if url.scheme == "https" else 80


def _pinned(client: httpx.Client, url: str, address: IPAddress) -> httpx.Request:
    """A GET of `url` sent to the checked address, with the original Host and TLS name."""
    target = httpx.URL(url)
    host = target.host
    netloc = host if target.port is None else f"{host}:{target.port}"
    headers = {"Host": netloc, "User-Agent": USER_AGENT, "Accept": "*/*"}
    extensions: dict[str, Any] = {"sni_hostname": host} if target.scheme == "https" else {}
    return client.build_request(
        "GET", target.copy_with(host=str(address)), headers=headers, extensions=extensions
    )


def _scraped_body(response: httpx.Response) -> tuple[bytes, str | None]:
    """The scraper's JSON `{"text"|"content", "format"?}`, or its raw body otherwise."""
    header = response.headers.get("content-type")
    if "json" not in (header or ""):
        return response.content, header
    try:
        data = response.json()
        text = str(data.get("text") or data.get("content") or "")
    except (ValueError, AttributeError):
        raise FetchFailed("The scraper service gave an answer that could not be read.") from None
    markdown = str(data.get("format", "")).lower() == "markdown"
    return text.encode(), "text/markdown" if markdown else "text/plain"


def _commit(
    blobs: BlobStore, staged: Staged, content_type: str | None, url: str, header: str | None
) -> Fetched:
    if content_type is None:
        staged.discard()
        shown = (header or "unknown").split(";")[0]
        raise FetchFailed(f"The URL returned a file of type {shown}, which cannot be processed.")
    return Fetched(blobs.commit(staged), staged.size, content_type, url)
