"""The client's address behind reverse proxies, believed only from the proxies named in settings.

Behind a proxy every request arrives from the proxy's address, so one customer flooding a
form would exhaust the limit of everyone. ``X-Forwarded-For`` names the real client, but
anyone can send that header: it is read only when the TCP peer is a trusted proxy
(``forwarded_allow_ips``), walking the list from the right past further trusted proxies, as
uvicorn's own ``--forwarded-allow-ips`` does. Only a well-formed IP address is taken, so a
forged value can never reach the logs or the rate-limit buckets.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class TrustedProxies:
    """The proxies whose ``X-Forwarded-For`` is believed; ``everyone`` for ``*``."""

    networks: tuple[Network, ...] = ()
    everyone: bool = False

    @classmethod
    def parse(cls, value: str) -> TrustedProxies:
        """From the setting's text (validated by Settings): ``127.0.0.1,10.0.0.0/8`` or ``*``."""
        parts = [part.strip() for part in value.split(",") if part.strip()]
        if "*" in parts:
            return cls(everyone=True)
        return cls(networks=tuple(ipaddress.ip_network(p, strict=False) for p in parts))

    def trusts(self, host: str) -> bool:
        """Whether ``host`` (an address as the server saw it) is a trusted proxy."""
        if self.everyone:
            return True
        address = _address(host)
        return address is not None and any(address in net for net in self.networks)

    def client_of(self, peer: str, forwarded_for: str | None) -> str:
        """The client's address: the peer's, unless a trusted peer forwarded another."""
        if not forwarded_for or not self.trusts(peer):
            return peer
        hops = [hop.strip() for hop in forwarded_for.split(",")]
        chosen = None
        for hop in reversed(hops):
            if _address(hop) is None:
                # A malformed hop: nothing left of it can be believed.
                break
            chosen = hop
            if not self.trusts(hop):
                break
        if chosen is None:
            return peer
        return str(_address(chosen))


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None
