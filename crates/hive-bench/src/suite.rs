//! The suite: every program of `bench/progs`, its packet and what it exercises.
//!
//! The objects are the committed `.bpf.o` files (rebuilt with `make bench-progs`), embedded
//! in the binary so that `hive bench` runs from anywhere and on machines without clang.

use crate::packets::PacketKind;

/// One program of the suite.
#[derive(Clone, Copy, Debug)]
pub struct Workload {
    /// Name (the file stem in `bench/progs`).
    pub name: &'static str,
    /// What it exercises: compute, branches, parsing, maps, helpers, calls, bswap/sext.
    pub group: &'static str,
    /// One line of description.
    pub what: &'static str,
    /// Its input.
    pub packet: PacketKind,
    /// The ELF object.
    pub object: &'static [u8],
}

/// The baseline program (`empty`: returns `XDP_PASS`): each engine's per-run overhead,
/// reported apart and left out of the geometric means.
pub const BASELINE: &str = "empty";

macro_rules! workload {
    ($name:literal, $packet:ident, $group:literal, $what:literal) => {
        Workload {
            name: $name,
            group: $group,
            what: $what,
            packet: PacketKind::$packet,
            object: include_bytes!(concat!("../../../bench/progs/", $name, ".bpf.o")),
        }
    };
}

/// Every program, in report order.
pub const SUITE: &[Workload] = &[
    workload!("empty", Standard, "baseline", "returns XDP_PASS: each engine's per-run overhead"),
    workload!("primes", Standard, "compute", "primes in [n, n+400) by trial division; nested can_loop, 32-bit modulo"),
    workload!("log2", Standard, "compute", "branchy integer log2 of rotated payload words, 1,024 calls; bpf_for"),
    workload!("popcount", Standard, "compute", "SWAR popcount of xorshift-mixed payload words; can_loop"),
    workload!("fibonacci", Standard, "compute", "Fibonacci-like recurrences, 8 steps per bpf_for iteration"),
    workload!("checksum", Standard, "compute", "RFC 1071 checksum of the payload, 8 passes; bounded + can_loop"),
    workload!("crc32", Standard, "compute", "bitwise CRC-32 of 512 payload bytes, 64 bit steps per bpf_for iteration"),
    workload!("memcpy", Standard, "compute", "packet-to-packet and packet-to-stack copies, then a hash; packet writes"),
    workload!("strcmp", Strings, "compute", "strcmp of two 470-byte strings in the packet, 4 times"),
    workload!(
        "http_parse",
        Http,
        "branches",
        "HTTP/1.1 request: line splitting, header-name hashing, switch; nested bpf_for"
    ),
    workload!("switch", Standard, "branches", "32-way switch bytecode machine over the payload, 2 passes; bpf_for"),
    workload!("parse_ipv4", Standard, "parsing", "Ethernet/VLAN/IPv4 options/TCP + MSS, flow hash, x64; can_loop"),
    workload!("parse_ipv6", Ipv6, "parsing", "Ethernet/IPv6/4 extension headers/TCP, flow hash, x64"),
    workload!("tcp_options", TcpOptions, "parsing", "40 bytes of TCP options incl. SACK blocks, x128; bpf_for walk"),
    workload!("nat", Standard, "parsing", "IPv4/TCP address and port rewrite with incremental checksums, x128"),
    workload!("array_map", Standard, "maps", "byte histogram in an array map: ~1,500 lookups"),
    workload!("hash_map", Standard, "maps", "128 hash updates and 256 lookups (hits and misses)"),
    workload!(
        "helpers",
        Standard,
        "helpers",
        "csum_diff, ktime_get_ns, get_prandom_u32, get_smp_processor_id, xdp_get_buff_len, x64"
    ),
    workload!("bpf_loop", Standard, "helpers", "bpf_loop with a 2,048-iteration callback"),
    workload!("call_chain", Standard, "calls", "chains of five bpf-to-bpf calls, 512 chains"),
    workload!("matrix", Standard, "compute", "6x6 integer matrix products on the stack, 16 rounds"),
    workload!("sort", Standard, "compute", "odd-even transposition network, 32 values on the stack, branch-free"),
    workload!("jhash", Standard, "compute", "jhash (lookup3) of the payload, 4 seeds"),
    workload!("siphash", Standard, "compute", "SipHash-2-4 of the payload, 2 keys"),
    workload!("bswap", Standard, "bswap/sext", "be16/be32/be64 conversions of every payload field, 8 rounds"),
    workload!("bswap_v4", Standard, "bswap/sext", "bswap with -mcpu=v4 (bswap16/32/64)"),
    workload!("sext", Standard, "bswap/sext", "sign extensions of 8/16/32-bit fields (v3 shift pairs)"),
    workload!("sext_v4", Standard, "bswap/sext", "sext with -mcpu=v4 (movsx, ldsx)"),
    workload!("sdiv_v4", Standard, "bswap/sext", "v4 signed division and modulo, 64- and 32-bit"),
];
