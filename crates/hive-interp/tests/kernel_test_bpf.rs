//! The kernel's own interpreter/JIT suite (`lib/test_bpf.c`, Linux 6.12) run on hive-interp.
//!
//! Reads `kernel-test_bpf/test_bpf_static.json` and `test_bpf_fill.jsonl.gz` from the shared
//! corpora (skipping with a note when they are absent). Each eBPF test runs once per subtest
//! with the context `test_bpf.c` builds: `r1` = NULL for `no_data`, a plain buffer of
//! `data_size` bytes for `large_mem`, otherwise an skb whose linear data is the first
//! `data_size` bytes of `data` (MAC header at the start, network header `min(size, 14)` in,
//! plus a 128-byte page fragment for `skb_frag`) and whose fields are those of
//! `populate_skb`. Classic tests are checked and converted by `hive_interp::classic`. The low
//! 32 bits of `r0` must equal `result`; tests the kernel refuses to load (`expected_fail`)
//! must be refused by the decoder or the classic checks.
//!
//! The fill file holds 14.5 M instruction slots (8.7 M instructions executed); the whole file
//! decodes and runs in about 2 s under `cargo test` (opt-level 1), so it always runs in full.

use std::io::BufRead;
use std::path::PathBuf;
use std::time::Instant;

use hive_interp::classic::{self, ClassicInsn, skb};
use hive_interp::{Memory, NoHelpers, Options, Packet, RegionKind, Vm};
use hive_isa::{Code, RawInsn};
use serde_json::Value;

/// Tests that cannot pass in user space, with the reason.
const NOT_APPLICABLE: &[(&str, &str)] = &[(
    "BPF_MAXINSNS: jump over MSH",
    "the kernel refuses it only because its own translation of each classic MSH into ~18 eBPF \
     instructions pushes a jump past a 16-bit offset (bpf_convert_filter's -EINVAL); Hive's \
     translation is shorter and uses gotol, so the valid classic program converts and runs",
)];

/// `MAX_DATA` in test_bpf.c: the skb data buffer size.
const MAX_DATA: usize = 128;
/// `ETH_HLEN`.
const ETH_HLEN: usize = 14;

fn corpus() -> Option<PathBuf> {
    let root = match std::env::var_os("HIVE_CORPORA") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora"),
    };
    let dir = root.join("kernel-test_bpf");
    if dir.exists() {
        Some(dir)
    } else {
        println!("note: skipping, corpus {} is absent", dir.display());
        None
    }
}

#[derive(Debug)]
struct Test {
    descr: String,
    classic: bool,
    insns: Vec<u64>,
    data: Vec<u8>,
    frag: Option<Vec<u8>>,
    no_data: bool,
    large_mem: bool,
    expected_fail: bool,
    subtests: Vec<(usize, u32)>,
}

fn hex_bytes(s: &str) -> Vec<u8> {
    (0..s.len() / 2).map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex data")).collect()
}

fn base64(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("bad base64 byte {c}"),
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes().filter(|&c| c != b'=') {
        acc = (acc << 6) | val(c) as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

fn parse(v: &Value) -> Test {
    let flag = |k: &str| v["flags"][k].as_bool().unwrap_or(false);
    let insns = if let Some(b64) = v["insns_b64"].as_str() {
        base64(b64).chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().unwrap())).collect()
    } else {
        v["insns"].as_array().unwrap().iter().map(|h| u64::from_str_radix(h.as_str().unwrap(), 16).unwrap()).collect()
    };
    Test {
        descr: v["descr"].as_str().unwrap().to_string(),
        classic: v["type"] == "classic",
        insns,
        data: hex_bytes(v["data"].as_str().unwrap_or("")),
        frag: flag("skb_frag").then(|| {
            let mut f = hex_bytes(v["frag_data"].as_str().unwrap_or(""));
            f.resize(MAX_DATA, 0);
            f
        }),
        no_data: flag("no_data"),
        large_mem: flag("large_mem"),
        expected_fail: flag("expected_fail"),
        subtests: v["subtests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["data_size"].as_u64().unwrap() as usize, s["result"].as_u64().unwrap() as u32))
            .collect(),
    }
}

#[derive(Default)]
struct Tally {
    passed: usize,
    failed: Vec<String>,
    not_applicable: Vec<String>,
    insns: u64,
}

impl Tally {
    fn summary(&self, what: &str) -> String {
        format!(
            "test_bpf ({what}): {} passed, {} failed, {} not applicable",
            self.passed,
            self.failed.len(),
            self.not_applicable.len()
        )
    }
}

/// The skb record of test_bpf.c's `populate_skb` in Hive's layout ([`skb`]).
fn fake_skb(len: usize) -> [u8; skb::SIZE] {
    let mut b = [0u8; skb::SIZE];
    let mut put = |off: i16, bytes: &[u8]| b[off as usize..off as usize + bytes.len()].copy_from_slice(bytes);
    put(skb::LEN, &(len as u32).to_le_bytes());
    put(skb::PROTOCOL, &0x0800u16.to_be_bytes()); // htons(ETH_P_IP)
    put(skb::VLAN_PROTO, &0x0800u16.to_be_bytes());
    put(skb::PKT_TYPE, &[3]); // SKB_TYPE
    put(skb::VLAN_PRESENT, &[1]);
    put(skb::QUEUE_MAPPING, &123u16.to_le_bytes());
    put(skb::MARK, &0x1234_aaaau32.to_le_bytes());
    put(skb::HASH, &0x1234_aaabu32.to_le_bytes());
    put(skb::VLAN_TCI, &0xffffu16.to_le_bytes());
    put(skb::DEV_PRESENT, &[1]);
    put(skb::IFINDEX, &577u32.to_le_bytes());
    put(skb::HATYPE, &588u16.to_le_bytes());
    b
}

/// Runs one subtest; `Err` explains a mismatch.
fn run_subtest(vm: &mut Vm, t: &Test, size: usize, want: u32) -> Result<u64, String> {
    let mut mem = Memory::new();
    let mut large = vec![0u8; if t.large_mem { size } else { 0 }];
    let frags: &[u8] = t.frag.as_deref().unwrap_or(&[]);
    let mut skb = fake_skb(size + frags.len());
    let mut data = vec![0u8; size.min(MAX_DATA)];
    let ctx = if t.no_data {
        0
    } else if t.large_mem {
        mem.add_region(RegionKind::Context, &mut large)
    } else {
        let n = size.min(t.data.len()).min(data.len());
        data[..n].copy_from_slice(&t.data[..n]);
        let ctx = mem.add_region(RegionKind::Context, &mut skb);
        let addr = mem.add_region(RegionKind::Packet, &mut data);
        let linear = Packet::linear(addr, size.min(MAX_DATA), size.min(ETH_HLEN));
        mem.set_packet(Packet { ctx: Some(ctx), frags, ..linear });
        ctx
    };
    let mut helpers = skb::ClassicHelpers::new(NoHelpers);
    let got = vm.run(&mut mem, &mut helpers, [ctx, 0, 0, 0, 0]).map_err(|f| f.to_string())?;
    if got as u32 == want { Ok(vm.stats().insns) } else { Err(format!("returned {got:#x}, expected {want:#x}")) }
}

/// `BPF_ZEXT_REG(r)` is `mov32 r, r` with `imm = 1`: a marker the verifier inserts for JITs
/// that need explicit zero-extension. The kernel interpreter ignores the `imm` of a register
/// move; the verifier (and hive-isa's decoder) refuse it in loaded programs ("BPF_MOV uses
/// reserved fields"). test_bpf.c feeds it straight to the interpreter (the ATOMIC_W_CMPXCHG
/// fill tests), so the runner turns it back into the plain `mov32 r, r` it executes as.
fn normalize_zext(raw: RawInsn) -> RawInsn {
    if raw.code == 0xbc && raw.dst == raw.src && raw.off == 0 && raw.imm == 1 {
        RawInsn { imm: 0, ..raw }
    } else {
        raw
    }
}

fn run_test(t: &Test, tally: &mut Tally) {
    if let Some((_, why)) = NOT_APPLICABLE.iter().find(|(d, _)| *d == t.descr) {
        tally.not_applicable.push(format!("{}: {why}", t.descr));
        return;
    }
    let decoded = if t.classic {
        let filter: Vec<ClassicInsn> = t.insns.iter().map(|&w| ClassicInsn::from_u64(w)).collect();
        classic::convert(&filter).map_err(|e| e.to_string())
    } else {
        let raw: Vec<RawInsn> = t.insns.iter().map(|&w| normalize_zext(RawInsn::from_u64(w))).collect();
        Code::decode(&raw).map_err(|e| e.to_string())
    };
    let code = match decoded {
        Ok(_) if t.expected_fail => {
            tally.failed.push(format!("{}: loaded, but the kernel refuses it", t.descr));
            return;
        }
        Ok(code) => code,
        Err(_) if t.expected_fail => {
            tally.passed += 1;
            return;
        }
        Err(e) => {
            tally.failed.push(format!("{}: refused: {e}", t.descr));
            return;
        }
    };
    let mut vm = Vm::new(&code, Options::default());
    for (i, &(size, want)) in t.subtests.iter().enumerate() {
        match run_subtest(&mut vm, t, size, want) {
            Ok(n) => tally.insns += n,
            Err(why) => {
                tally.failed.push(format!("{} [subtest {i}, data_size {size}]: {why}", t.descr));
                return;
            }
        }
    }
    tally.passed += 1;
}

fn report(tally: &Tally, what: &str, started: Instant) {
    for f in &tally.failed {
        println!("FAILED {f}");
    }
    for n in &tally.not_applicable {
        println!("n/a    {n}");
    }
    println!(
        "{} ({} instructions executed in {:.2?})",
        tally.summary(what),
        tally.insns,
        started.elapsed()
    );
}

/// Both files in one test, so that one summary line covers the whole suite.
#[test]
fn test_bpf() {
    let Some(dir) = corpus() else { return };
    let started = Instant::now();
    let text = std::fs::read_to_string(dir.join("test_bpf_static.json")).unwrap();
    let tests: Vec<Value> = serde_json::from_str(&text).unwrap();
    let mut fixed = Tally::default();
    for v in &tests {
        run_test(&parse(v), &mut fixed);
    }
    report(&fixed, "static", started);

    let started = Instant::now();
    let file = std::fs::File::open(dir.join("test_bpf_fill.jsonl.gz")).unwrap();
    let reader = std::io::BufReader::new(flate2::read::GzDecoder::new(file));
    let mut fill = Tally::default();
    for line in reader.lines() {
        let v: Value = serde_json::from_str(&line.unwrap()).unwrap();
        run_test(&parse(&v), &mut fill);
    }
    report(&fill, "fill", started);

    let (passed, failed, na) = (
        fixed.passed + fill.passed,
        fixed.failed.len() + fill.failed.len(),
        fixed.not_applicable.len() + fill.not_applicable.len(),
    );
    let summary = format!("test_bpf: {passed} passed, {failed} failed, {na} not applicable");
    println!("{summary}");
    assert_eq!(failed, 0, "{summary}");
}
