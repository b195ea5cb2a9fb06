//! The input packets, built byte by byte: each program of the suite runs on one of them.
//!
//! - [`PacketKind::Standard`]: Ethernet, one 802.1Q tag (VLAN 100), IPv4 with a 4-byte
//!   Router Alert option, TCP with 20 bytes of options (MSS, SACK-permitted, timestamps,
//!   NOP, window scale) and a 1,024-byte payload of xorshift bytes: 1,106 bytes. The
//!   payload starts at byte 82 (`PAYLOAD_OFF` in `bench/progs/bench.h`).
//! - [`PacketKind::Strings`]: the standard headers with a payload holding two 470-byte
//!   strings that differ in their last character (for `strcmp`).
//! - [`PacketKind::Http`]: the standard headers with an HTTP/1.1 request as payload.
//! - [`PacketKind::Ipv6`]: Ethernet, IPv6 with hop-by-hop, routing, destination-options
//!   and fragment extension headers, TCP, 256 bytes of payload.
//! - [`PacketKind::TcpOptions`]: Ethernet, IPv4, TCP with the full 40 bytes of options
//!   (MSS, SACK-permitted, timestamps, NOP, window scale, NOP, NOP, two SACK blocks).
//!
//! IPv4 header and TCP checksums are correct, so programs that update them incrementally
//! work on realistic values.

/// Bytes from the start of the standard packet to its payload.
pub const PAYLOAD_OFF: usize = 82;
/// Payload bytes of the standard packet.
pub const PAYLOAD_LEN: usize = 1024;

/// Which packet a program gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PacketKind {
    /// Ethernet + VLAN + IPv4 (options) + TCP (options) + 1,024 random bytes.
    Standard,
    /// The standard headers + two long strings.
    Strings,
    /// The standard headers + an HTTP request.
    Http,
    /// Ethernet + IPv6 + four extension headers + TCP + 256 bytes.
    Ipv6,
    /// Ethernet + IPv4 + TCP with 40 bytes of options.
    TcpOptions,
}

impl PacketKind {
    /// The packet's bytes.
    pub fn build(self) -> Vec<u8> {
        match self {
            PacketKind::Standard => standard(&random_payload(PAYLOAD_LEN)),
            PacketKind::Strings => standard(&strings_payload()),
            PacketKind::Http => standard(&http_payload()),
            PacketKind::Ipv6 => ipv6(),
            PacketKind::TcpOptions => tcp_options(),
        }
    }
}

fn random_payload(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn strings_payload() -> Vec<u8> {
    let mut p = vec![0u8; PAYLOAD_LEN];
    let s: Vec<u8> = (0..470).map(|i| b'a' + (i * 7 % 26) as u8).collect();
    p[..470].copy_from_slice(&s);
    p[512..982].copy_from_slice(&s);
    p[981] = b'Z';
    p
}

fn http_payload() -> Vec<u8> {
    let mut text = String::from("GET /static/app/index.html?lang=en&v=42 HTTP/1.1\r\nHost: www.example.com\r\n");
    let headers = [
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "Accept-Language: en-US,en;q=0.5",
        "Accept-Encoding: gzip, deflate, br, zstd",
        "Referer: https://www.example.com/static/app/login.html",
        "Connection: keep-alive",
        "Cookie: session=8f2a9c0e4b7d1f3a6c5e8b0d2f4a6c8e; theme=dark; tz=Europe/Paris",
        "Upgrade-Insecure-Requests: 1",
        "Sec-Fetch-Dest: document",
        "Sec-Fetch-Mode: navigate",
        "Sec-Fetch-Site: same-origin",
        "Priority: u=0, i",
        "Cache-Control: max-age=0",
        "X-Request-Id: 5d0c7e2a-91b4-4f3e-8a6d-2c9b1e7f4a30",
        "Content-Length: 0",
    ];
    for h in headers {
        text.push_str(h);
        text.push_str("\r\n");
    }
    text.push_str("\r\n");
    let mut p = text.into_bytes();
    p.resize(PAYLOAD_LEN, 0);
    p
}

/// The ones'-complement sum of `bytes` (big-endian 16-bit words) added to `sum`.
fn ones_sum(bytes: &[u8], mut sum: u32) -> u32 {
    for c in bytes.chunks(2) {
        sum += u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]));
    }
    sum
}

fn fold(mut sum: u32) -> u16 {
    while sum >> 16 != 0 {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

const MAC_DST: [u8; 6] = [0x02, 0, 0, 0, 0, 0x02];
const MAC_SRC: [u8; 6] = [0x02, 0, 0, 0, 0, 0x01];

/// An IPv4 header with `options`, checksummed.
fn ipv4(options: &[u8], payload_len: usize) -> Vec<u8> {
    let ihl = (20 + options.len()) / 4;
    let total = (ihl * 4 + payload_len) as u16;
    let mut h = vec![0x40 | ihl as u8, 0];
    h.extend_from_slice(&total.to_be_bytes());
    h.extend_from_slice(&[0x12, 0x34, 0x40, 0x00, 64, 6, 0, 0]);
    h.extend_from_slice(&[10, 0, 0, 1, 10, 0, 0, 2]);
    h.extend_from_slice(options);
    let check = fold(ones_sum(&h, 0));
    h[10..12].copy_from_slice(&check.to_be_bytes());
    h
}

/// A TCP segment (header with `options`, then `payload`) checksummed with `pseudo`'s sum.
fn tcp(options: &[u8], payload: &[u8], pseudo: u32) -> Vec<u8> {
    let doff = (20 + options.len()) / 4;
    let mut t = Vec::new();
    t.extend_from_slice(&43210u16.to_be_bytes());
    t.extend_from_slice(&80u16.to_be_bytes());
    t.extend_from_slice(&0x0102_0304u32.to_be_bytes());
    t.extend_from_slice(&0x0a0b_0c0du32.to_be_bytes());
    t.extend_from_slice(&[(doff as u8) << 4, 0x18, 0xff, 0xff, 0, 0, 0, 0]);
    t.extend_from_slice(options);
    t.extend_from_slice(payload);
    let check = fold(ones_sum(&t, pseudo));
    t[16..18].copy_from_slice(&check.to_be_bytes());
    t
}

fn ipv4_pseudo(len: usize) -> u32 {
    ones_sum(&[10, 0, 0, 1, 10, 0, 0, 2, 0, 6], 0) + len as u32
}

const STANDARD_TCP_OPTIONS: [u8; 20] = [
    2, 4, 0x05, 0xb4, // MSS 1460
    4, 2, // SACK permitted
    8, 10, 0x00, 0x12, 0x34, 0x56, 0x00, 0x00, 0x00, 0x2a, // timestamps
    1,    // NOP
    3, 3, 7, // window scale 7
];

fn standard(payload: &[u8]) -> Vec<u8> {
    let segment = tcp(&STANDARD_TCP_OPTIONS, payload, ipv4_pseudo(40 + payload.len()));
    let mut p = Vec::new();
    p.extend_from_slice(&MAC_DST);
    p.extend_from_slice(&MAC_SRC);
    p.extend_from_slice(&[0x81, 0x00, 0x00, 100, 0x08, 0x00]);
    p.extend_from_slice(&ipv4(&[0x94, 0x04, 0x00, 0x00], segment.len()));
    p.extend_from_slice(&segment);
    debug_assert_eq!(p.len(), PAYLOAD_OFF + payload.len());
    p
}

fn tcp_options() -> Vec<u8> {
    let options: [u8; 40] = [
        2, 4, 0x05, 0xb4, // MSS
        4, 2, // SACK permitted
        8, 10, 0x00, 0x12, 0x34, 0x56, 0x00, 0x00, 0x00, 0x2a, // timestamps
        1,    // NOP
        3, 3, 7, // window scale
        1, 1, // NOP NOP
        5, 18, 0, 0, 0x10, 0, 0, 0, 0x20, 0, 0, 0, 0x30, 0, 0, 0, 0x48, 0, // two SACK blocks
    ];
    let payload = random_payload(64);
    let segment = tcp(&options, &payload, ipv4_pseudo(60 + payload.len()));
    let mut p = Vec::new();
    p.extend_from_slice(&MAC_DST);
    p.extend_from_slice(&MAC_SRC);
    p.extend_from_slice(&[0x08, 0x00]);
    p.extend_from_slice(&ipv4(&[], segment.len()));
    p.extend_from_slice(&segment);
    p
}

fn ipv6() -> Vec<u8> {
    let src: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    let dst: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
    // Extension headers: hop-by-hop (8, PadN), routing (24), destination options (8),
    // fragment (8, offset 0, last), then TCP.
    let mut ext = Vec::new();
    ext.extend_from_slice(&[43, 0, 1, 4, 0, 0, 0, 0]);
    ext.extend_from_slice(&[60, 2, 4, 1, 0, 0, 0, 0]);
    ext.extend_from_slice(&dst);
    ext.extend_from_slice(&[44, 0, 1, 4, 0, 0, 0, 0]);
    ext.extend_from_slice(&[6, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef]);
    let payload = random_payload(256);
    let len = 20 + payload.len();
    let mut pseudo = ones_sum(&src, 0);
    pseudo = ones_sum(&dst, pseudo) + len as u32 + 6;
    let segment = tcp(&[], &payload, pseudo);
    let mut p = Vec::new();
    p.extend_from_slice(&MAC_DST);
    p.extend_from_slice(&MAC_SRC);
    p.extend_from_slice(&[0x86, 0xdd]);
    p.extend_from_slice(&[0x60, 0x0a, 0xbc, 0xde]);
    p.extend_from_slice(&((ext.len() + segment.len()) as u16).to_be_bytes());
    p.extend_from_slice(&[0, 64]);
    p.extend_from_slice(&src);
    p.extend_from_slice(&dst);
    p.extend_from_slice(&ext);
    p.extend_from_slice(&segment);
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_layout() {
        let p = PacketKind::Standard.build();
        assert_eq!(p.len(), PAYLOAD_OFF + PAYLOAD_LEN);
        assert_eq!(&p[12..14], &[0x81, 0x00]);
        assert_eq!(p[18], 0x46, "IPv4 with 4 bytes of options");
        assert_eq!(p[42 + 12] >> 4, 10, "TCP header of 40 bytes");
        // The IPv4 checksum verifies.
        assert_eq!(fold(ones_sum(&p[18..42], 0)), 0);
    }

    #[test]
    fn strings_differ_at_the_end() {
        let p = PacketKind::Strings.build();
        let pl = &p[PAYLOAD_OFF..];
        assert_eq!(pl[..469], pl[512..981]);
        assert_ne!(pl[469], pl[981]);
    }
}
