"""Who is asking, by IP address, for rate limits. Behind a proxy every request comes from
the proxy's address, so a limit keyed on REMOTE_ADDR would be one limit for the whole site.
The proxy adds the address it saw to X-Forwarded-For; anyone can send that header too, so
it is read from the right, through the hops listed in LEAP_TRUSTED_PROXIES only: the first
address that is not a trusted proxy is the client."""

import ipaddress
from functools import lru_cache

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def client_ip(request) -> str:
    """The client's address as a string (REMOTE_ADDR when no trusted proxy stands between)."""
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return request.META.get("REMOTE_ADDR", "") or "unknown"
    hops = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    client = remote
    while _trusted(client) and hops:
        forwarded = _address(hops.pop())
        if forwarded is None:  # a trusted proxy passed on something that is not an address
            break
        client = forwarded
    return str(client)


def _address(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address: Address) -> bool:
    return any(
        address in network for network in _trusted_networks(tuple(settings.LEAP_TRUSTED_PROXIES))
    )


@lru_cache(maxsize=4)
def _trusted_networks(networks: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(network, strict=False) for network in networks)
