#!/usr/bin/env python3
"""Writes the example packets next to this script: raw Ethernet frames, one per .bin file, and
packets.pcap, a capture of 40 mixed frames (classic pcap, Ethernet link type)."""
import os
import struct

SRC_MAC = bytes.fromhex("020000000001")
DST_MAC = bytes.fromhex("020000000002")


def csum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth(ethertype: int, vlans=()) -> bytes:
    hdr = DST_MAC + SRC_MAC
    for tpid, vid in vlans:
        hdr += struct.pack("!HH", tpid, vid)
    return hdr + struct.pack("!H", ethertype)


def ipv4(proto: int, payload: bytes, src="10.0.0.1", dst="10.0.0.2") -> bytes:
    addr = lambda a: bytes(int(x) for x in a.split("."))
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0x4000, 64, proto, 0, addr(src), addr(dst))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def ipv6(nexthdr: int, payload: bytes) -> bytes:
    src = bytes.fromhex("fd000000000000000000000000000001")
    dst = bytes.fromhex("fd000000000000000000000000000002")
    return struct.pack("!IHBB", 6 << 28, len(payload), nexthdr, 64) + src + dst + payload


def tcp(sport: int, dport: int, flags=0x02, payload=b"") -> bytes:
    return struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 5 << 4, flags, 65535, 0, 0) + payload


def udp(sport: int, dport: int, payload: bytes) -> bytes:
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def icmp_echo(payload=b"hive") -> bytes:
    body = struct.pack("!BBHHH", 8, 0, 0, 0x1234, 1) + payload
    return body[:2] + struct.pack("!H", csum(body)) + body[4:]


def arp() -> bytes:
    return struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + SRC_MAC + bytes([10, 0, 0, 1]) + bytes(6) + bytes([10, 0, 0, 2])


DNS_QUERY = bytes.fromhex("123401000001000000000000076578616d706c6503636f6d0000010001")

PACKETS = {
    "arp.bin": eth(0x0806) + arp(),
    "ipv4_tcp_http.bin": eth(0x0800) + ipv4(6, tcp(40000, 80, payload=b"GET / HTTP/1.1\r\n\r\n")),
    "ipv4_tcp_telnet.bin": eth(0x0800) + ipv4(6, tcp(40001, 23)),
    "ipv4_udp_dns.bin": eth(0x0800) + ipv4(17, udp(53000, 53, DNS_QUERY)),
    "ipv6_tcp_https.bin": eth(0x86DD) + ipv6(6, tcp(40002, 443)),
    "vlan_ipv4_icmp.bin": eth(0x0800, [(0x8100, 100)]) + ipv4(1, icmp_echo()),
}


def capture() -> list:
    """40 frames: web, DNS, ICMP, ARP, IPv6 and telnet traffic from a few hosts."""
    frames = []
    for i in range(40):
        src = f"10.0.0.{10 + i % 5}"
        kind = i % 8
        if kind in (0, 1):
            frames.append(eth(0x0800) + ipv4(6, tcp(41000 + i, 80 if kind == 0 else 443, payload=b"x" * i), src=src))
        elif kind == 2:
            frames.append(eth(0x0800) + ipv4(17, udp(53000 + i, 53, DNS_QUERY), src=src))
        elif kind == 3:
            frames.append(eth(0x86DD) + ipv6(6, tcp(42000 + i, 443)))
        elif kind == 4:
            frames.append(eth(0x0800, [(0x8100, 100)]) + ipv4(1, icmp_echo(), src=src))
        elif kind == 5:
            frames.append(eth(0x0800) + ipv4(6, tcp(43000 + i, 23), src=src))
        elif kind == 6:
            frames.append(eth(0x0806) + arp())
        else:
            frames.append(eth(0x86DD) + ipv6(17, udp(54000 + i, 53, DNS_QUERY)))
    return frames


def pcap(frames: list) -> bytes:
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)
    for i, frame in enumerate(frames):
        out += struct.pack("<IIII", 1700000000 + i // 10, (i % 10) * 100000, len(frame), len(frame)) + frame
    return out


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    for name, frame in PACKETS.items():
        with open(os.path.join(here, name), "wb") as f:
            f.write(frame)
        print(f"{name}: {len(frame)} bytes")
    frames = capture()
    with open(os.path.join(here, "packets.pcap"), "wb") as f:
        f.write(pcap(frames))
    print(f"packets.pcap: {len(frames)} frames")
