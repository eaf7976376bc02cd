"""The sim room's network: `make run LAN=1` serves the tablets on the laptop's Wi-Fi.

Which of this machine's addresses a tablet can reach is read from its network interfaces
(psutil, on Linux, macOS and Windows alike); `LAN_ADDRESS` overrides the choice when the
machine has several (Wi-Fi and a VPN, say). Run as `python -m shiller.lan --port N` it prints
where the tablets should go.
"""

import ipaddress
import os
import re
import socket
from urllib.parse import urlsplit

LOCAL_NAMES = ("localhost", "127.0.0.1", "[::1]")


def machine_addresses() -> list[str]:
    """The IPv4 addresses of this machine's interfaces that are up, loopback and link-local
    left out, the one the default route leaves by first."""
    import psutil

    stats = psutil.net_if_stats()
    found = []
    for name, addresses in psutil.net_if_addrs().items():
        if name in stats and not stats[name].isup:
            continue
        for entry in addresses:
            if entry.family != socket.AF_INET:
                continue
            address = ipaddress.ip_address(entry.address)
            if not (address.is_loopback or address.is_link_local):
                found.append(entry.address)
    routed = _default_route_address()
    return sorted(set(found), key=lambda a: (a != routed, not ipaddress.ip_address(a).is_private))


def _default_route_address() -> str | None:
    # Connecting a UDP socket sends nothing: it only asks the kernel which interface would
    # carry the packet. Works with no internet, as long as the Wi-Fi gives a default route.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1 (RFC 5737): never a real host
            return probe.getsockname()[0]
        except OSError:
            return None


HOST_NAME = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*")


def url_host(value: str) -> str:
    """LAN_ADDRESS as a URL and Host header write it: an IPv4 address, an [IPv6] address or a
    host name, nothing else (no scheme, no port, no wildcard). ValueError otherwise."""
    value = value.strip().removeprefix("[").removesuffix("]")
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        if not HOST_NAME.fullmatch(value):
            raise
        return value.lower()
    return f"[{address}]" if address.version == 6 else str(address)


def site_origin(value: str) -> str:
    """SITE_URL as an origin, scheme://host[:port] in lower case. ValueError unless it is one."""
    parts = urlsplit(value.strip().rstrip("/"))
    port = parts.port  # ValueError when out of range or not a number
    if (
        parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or parts.username is not None
        or parts.path
        or parts.query
        or parts.fragment
    ):
        raise ValueError(value)
    suffix = f":{port}" if port is not None else ""
    return f"{parts.scheme.lower()}://{url_host(parts.hostname)}{suffix}"


def room_hosts(lan_address: str, addresses: list[str]) -> list[str]:
    """The host names tablets may use for this machine: its addresses and its names."""
    name = socket.gethostname()
    names = [name, f"{name}.local"] if name else []
    return [host for host in dict.fromkeys([lan_address, *addresses, *names]) if host]


def is_local_host(host: str) -> bool:
    """Whether a request's host (a name or an address, with or without a port) is this
    computer seen from itself, a link no other device can open."""
    hostname = urlsplit(f"//{host}").hostname or ""
    if hostname == "localhost" or hostname.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


# Why a join link is not the address the trainer's browser used (see join_origin).
CHOSE_LAN_ADDRESS = "lan"
LOCAL_ONLY = "local_only"
NO_NETWORK = "no_network"


def join_origin(request) -> tuple[str, str]:
    """The origin (scheme://host[:port]) of links another device opens, and why, when it is not
    simply the trainer's own: SITE_URL when set; the machine's LAN address when the trainer's
    browser is on this computer (127.0.0.1 would send a tablet to itself)."""
    from django.conf import settings

    if settings.SITE_URL:
        return settings.SITE_URL, ""
    host = request.get_host()
    own = f"{request.scheme}://{host}"
    if not is_local_host(host):
        return own, ""
    if not settings.LAN:
        return own, LOCAL_ONLY
    if not settings.LAN_ADDRESS:
        return own, NO_NETWORK
    # The port the trainer's browser reached this server on, so the tablets reach it there too.
    port = urlsplit(f"//{host}").port
    suffix = f":{port}" if port else ""
    return f"{request.scheme}://{settings.LAN_ADDRESS}{suffix}", CHOSE_LAN_ADDRESS


def main():
    import argparse  # here, not at the top: every process reads settings, which import this

    parser = argparse.ArgumentParser(description="Say where the tablets open Shiller.")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--interface", action="store_true", help="Print only the interface daphne listens on."
    )
    arguments = parser.parse_args()
    port = arguments.port

    import django
    from django.conf import settings

    if arguments.interface:
        print("0.0.0.0" if settings.LAN else "127.0.0.1")
        return
    django.setup()

    from trainers import demo

    scheme = "https" if settings.SERVES_TLS else "http"
    local = f"{scheme}://127.0.0.1:{port}/"
    print()
    if not settings.LAN:
        print(f"  Shiller is at {local}  (trainers log in at /accounts/login/)")
        print("  Only this computer can open it: for tablets on the same Wi-Fi, run make run LAN=1.")
    elif settings.SITE_URL or settings.LAN_ADDRESS:
        room = settings.SITE_URL or f"{scheme}://{settings.LAN_ADDRESS}:{port}"
        room += "/"
        print(f"  Shiller is at {local} on this computer (trainers log in at /accounts/login/).")
        print(f"  On the tablets, open {room} or scan the code on the control page.")
        others = [a for a in machine_addresses() if a != settings.LAN_ADDRESS]
        if others:
            print(f"  (This computer also has {', '.join(others)}: set LAN_ADDRESS to choose.)")
        if demo.has_public_password():
            email = demo.demo_credentials()[0]
            print("  Anyone on this network reaches the login page, and the demo password is public:")
            print(f"  .venv/bin/python manage.py changepassword {email} changes it.")
    else:
        print(f"  Shiller is at {local}, but this computer has no network address yet:")
        print("  join the room's Wi-Fi, then restart make run LAN=1.")
    print()


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shiller.settings")
    main()
