//! The kernel's own interpreter/JIT suite (`lib/test_bpf.c`, Linux 6.12): reading the
//! exported corpus and building each subtest's context, for any engine.
//!
//! Reads `kernel-test_bpf/test_bpf_static.json` and `test_bpf_fill.jsonl.gz` from the shared
//! corpora. Each eBPF test runs once per subtest with the context `test_bpf.c` builds: `r1` =
//! NULL for `no_data`, a plain buffer of `data_size` bytes for `large_mem`, otherwise an skb
//! whose linear data is the first `data_size` bytes of `data` (MAC header at the start,
//! network header `min(size, 14)` in, plus a 128-byte page fragment for `skb_frag`) and whose
//! fields are those of `populate_skb` ([`Fixture`]). Classic tests are checked and converted
//! by [`hive_interp::classic`]; their ancillary loads call
//! [`hive_interp::classic::skb::ClassicHelpers`]. The low 32 bits of `r0` must equal
//! `result`; tests the kernel refuses to load (`expected_fail`) must be refused by the
//! decoder or the classic checks.
//!
//! An engine plugs in through [`run_suite`]: given a decoded program it returns a closure
//! that runs one subtest on a prepared [`Memory`] and context pointer.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::time::Instant;

use hive_interp::classic::{self, ClassicInsn, skb};
use hive_interp::{Memory, Packet, RegionKind};
use hive_isa::{Code, RawInsn};
use serde_json::Value;

/// Tests that cannot pass in user space, with the reason.
pub const NOT_APPLICABLE: &[(&str, &str)] = &[(
    "BPF_MAXINSNS: jump over MSH",
    "the kernel refuses it only because its own translation of each classic MSH into ~18 eBPF \
     instructions pushes a jump past a 16-bit offset (bpf_convert_filter's -EINVAL); Hive's \
     translation is shorter and uses gotol, so the valid classic program converts and runs",
)];

/// `MAX_DATA` in test_bpf.c: the skb data buffer size.
pub const MAX_DATA: usize = 128;
/// `ETH_HLEN`.
pub const ETH_HLEN: usize = 14;

/// The corpus folder, or `None` after printing why the caller skips.
pub fn corpus() -> Option<PathBuf> {
    crate::paths::corpus("kernel-test_bpf")
}

/// One test of the suite.
#[derive(Clone, Debug)]
pub struct Test {
    /// `descr`: the test's name.
    pub descr: String,
    /// A classic (cBPF) filter, converted before running.
    pub classic: bool,
    /// Instruction words (8-byte eBPF slots or classic `sock_filter`s).
    pub insns: Vec<u64>,
    /// Packet bytes.
    pub data: Vec<u8>,
    /// The page fragment (`skb_frag`), padded to [`MAX_DATA`].
    pub frag: Option<Vec<u8>>,
    /// `r1` is NULL.
    pub no_data: bool,
    /// The context is a plain buffer of `data_size` bytes.
    pub large_mem: bool,
    /// The kernel refuses to load it.
    pub expected_fail: bool,
    /// `(data_size, result)` pairs.
    pub subtests: Vec<(usize, u32)>,
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

impl Test {
    /// Reads one test from its JSON object.
    pub fn from_json(v: &Value) -> Test {
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

    /// The program as Hive loads it: classic filters checked and converted, eBPF decoded
    /// (with `BPF_ZEXT_REG` markers normalised, see [`normalize_zext`]).
    pub fn decode(&self) -> Result<Code, String> {
        if self.classic {
            let filter: Vec<ClassicInsn> = self.insns.iter().map(|&w| ClassicInsn::from_u64(w)).collect();
            classic::convert(&filter).map_err(|e| e.to_string())
        } else {
            let raw: Vec<RawInsn> = self.insns.iter().map(|&w| normalize_zext(RawInsn::from_u64(w))).collect();
            Code::decode(&raw).map_err(|e| e.to_string())
        }
    }
}

/// `BPF_ZEXT_REG(r)` is `mov32 r, r` with `imm = 1`: a marker the verifier inserts for JITs
/// that need explicit zero-extension. The kernel interpreter ignores the `imm` of a register
/// move; the verifier (and hive-isa's decoder) refuse it in loaded programs ("BPF_MOV uses
/// reserved fields"). test_bpf.c feeds it straight to the interpreter (the ATOMIC_W_CMPXCHG
/// fill tests), so the runner turns it back into the plain `mov32 r, r` it executes as.
pub fn normalize_zext(raw: RawInsn) -> RawInsn {
    if raw.code == 0xbc && raw.dst == raw.src && raw.off == 0 && raw.imm == 1 {
        RawInsn { imm: 0, ..raw }
    } else {
        raw
    }
}

/// The skb record of test_bpf.c's `populate_skb` in Hive's layout ([`skb`]).
pub fn fake_skb(len: usize) -> [u8; skb::SIZE] {
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

/// The buffers of one subtest's context, which a [`Memory`] then borrows.
#[derive(Debug)]
pub struct Fixture<'t> {
    test: &'t Test,
    size: usize,
    large: Vec<u8>,
    skb: [u8; skb::SIZE],
    data: Vec<u8>,
}

impl<'t> Fixture<'t> {
    /// The context of `test` for a subtest of `size` data bytes.
    pub fn new(test: &'t Test, size: usize) -> Self {
        let frags = test.frag.as_deref().map_or(0, <[u8]>::len);
        let mut data = vec![0u8; size.min(MAX_DATA)];
        let n = size.min(test.data.len()).min(data.len());
        data[..n].copy_from_slice(&test.data[..n]);
        Fixture {
            test,
            size,
            large: vec![0u8; if test.large_mem { size } else { 0 }],
            skb: fake_skb(size + frags),
            data,
        }
    }

    /// A memory with the context's regions (and the packet) registered, and `r1`.
    pub fn memory(&mut self) -> (Memory<'_>, u64) {
        let mut mem = Memory::new();
        let t = self.test;
        let ctx = if t.no_data {
            0
        } else if t.large_mem {
            mem.add_region(RegionKind::Context, &mut self.large)
        } else {
            let ctx = mem.add_region(RegionKind::Context, &mut self.skb);
            let addr = mem.add_region(RegionKind::Packet, &mut self.data);
            let linear = Packet::linear(addr, self.size.min(MAX_DATA), self.size.min(ETH_HLEN));
            mem.set_packet(Packet { ctx: Some(ctx), frags: t.frag.as_deref().unwrap_or(&[]), ..linear });
            ctx
        };
        (mem, ctx)
    }
}

/// Runs one subtest: `(memory, r1)` in, `(r0, instructions executed)` out (0 when the engine
/// does not count), or why it could not run.
pub type Subtest = Box<dyn FnMut(&mut Memory<'_>, u64) -> Result<(u64, u64), String>>;

/// Counts of one part of the suite.
#[derive(Debug, Default)]
pub struct Tally {
    /// Tests whose every subtest returned the expected value (or that were refused as the
    /// kernel refuses them).
    pub passed: usize,
    /// Descriptions of the tests that did not, with why.
    pub failed: Vec<String>,
    /// Tests that cannot pass in user space ([`NOT_APPLICABLE`]).
    pub not_applicable: Vec<String>,
    /// Instructions executed, as counted by the engine.
    pub insns: u64,
}

impl Tally {
    /// `test_bpf (what): N passed, M failed, K not applicable`.
    pub fn summary(&self, what: &str) -> String {
        format!(
            "test_bpf ({what}): {} passed, {} failed, {} not applicable",
            self.passed,
            self.failed.len(),
            self.not_applicable.len()
        )
    }

    fn report(&self, what: &str, started: Instant) {
        for f in &self.failed {
            println!("FAILED {f}");
        }
        for n in &self.not_applicable {
            println!("n/a    {n}");
        }
        println!("{} ({} instructions executed in {:.2?})", self.summary(what), self.insns, started.elapsed());
    }
}

/// Runs one test: decode, prepare with `engine`, then every subtest.
pub fn run_test(t: &Test, tally: &mut Tally, engine: &mut dyn FnMut(&Code) -> Result<Subtest, String>) {
    if let Some((_, why)) = NOT_APPLICABLE.iter().find(|(d, _)| *d == t.descr) {
        tally.not_applicable.push(format!("{}: {why}", t.descr));
        return;
    }
    let code = match t.decode() {
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
    let mut run = match engine(&code) {
        Ok(run) => run,
        Err(e) => {
            tally.failed.push(format!("{}: refused: {e}", t.descr));
            return;
        }
    };
    for (i, &(size, want)) in t.subtests.iter().enumerate() {
        let mut fixture = Fixture::new(t, size);
        let (mut mem, ctx) = fixture.memory();
        match run(&mut mem, ctx) {
            Ok((got, _)) if got as u32 != want => {
                tally.failed.push(format!("{} [subtest {i}, data_size {size}]: returned {got:#x}, expected {want:#x}", t.descr));
                return;
            }
            Ok((_, insns)) => tally.insns += insns,
            Err(why) => {
                tally.failed.push(format!("{} [subtest {i}, data_size {size}]: {why}", t.descr));
                return;
            }
        }
    }
    tally.passed += 1;
}

/// Both files' results.
#[derive(Debug, Default)]
pub struct Suite {
    /// `test_bpf_static.json`.
    pub fixed: Tally,
    /// `test_bpf_fill.jsonl.gz` (the generated tests).
    pub fill: Tally,
}

impl Suite {
    /// Failed tests over both files.
    pub fn failed(&self) -> usize {
        self.fixed.failed.len() + self.fill.failed.len()
    }

    /// `test_bpf: N passed, M failed, K not applicable` over both files.
    pub fn line(&self) -> String {
        format!(
            "test_bpf: {} passed, {} failed, {} not applicable",
            self.fixed.passed + self.fill.passed,
            self.failed(),
            self.fixed.not_applicable.len() + self.fill.not_applicable.len()
        )
    }
}

/// Runs the static and fill files from `dir` on `engine`, printing each file's failures and
/// summary and then the overall line.
pub fn run_suite(dir: &Path, engine: &mut dyn FnMut(&Code) -> Result<Subtest, String>) -> Suite {
    let mut suite = Suite::default();
    let started = Instant::now();
    let text = std::fs::read_to_string(dir.join("test_bpf_static.json")).expect("test_bpf_static.json");
    let tests: Vec<Value> = serde_json::from_str(&text).expect("test_bpf_static.json is JSON");
    for v in &tests {
        run_test(&Test::from_json(v), &mut suite.fixed, engine);
    }
    suite.fixed.report("static", started);

    let started = Instant::now();
    let file = std::fs::File::open(dir.join("test_bpf_fill.jsonl.gz")).expect("test_bpf_fill.jsonl.gz");
    let reader = std::io::BufReader::new(flate2::read::GzDecoder::new(file));
    for line in reader.lines() {
        let v: Value = serde_json::from_str(&line.expect("readable fill file")).expect("a JSON line");
        run_test(&Test::from_json(&v), &mut suite.fill, engine);
    }
    suite.fill.report("fill", started);
    println!("{}", suite.line());
    suite
}
