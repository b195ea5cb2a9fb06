//! Direct helper calls, inlined array lookups and direct map lookups ([`hive_jit::Natives`])
//! against the interpreter running the same helpers through [`Helpers`]: same result, same
//! map contents, same helper state.

mod common;
use common::*;
use hive_interp::{Fault, FaultKind, Flow, HelperError, Helpers, Memory, RegionKind, Vm};
use hive_jit::{ArrayLayout, CallSiteFacts, JitOptions, MapFacts, Natives, compile, compile_with};

const ARRAY: u64 = 0xa1;
const HASH: u64 = 0xb1;
const HASH_OBJECT: u64 = 0xb1b1_0000;
const MAX: u32 = 16;
/// 12-byte values, rounded up to 16 like a map's slots.
const STRIDE: u32 = 16;
const HASH_KEYS: [u32; 6] = [0, 3, 9, 21, 30, 57];

/// A two-map helper set: an array of `MAX` values and a "hash" of `HASH_KEYS`, both in
/// `storage`; helper 7 counts its calls; helper 9 mixes its five arguments.
struct TestHelpers {
    array: u64,
    hash: u64,
    calls: u64,
}

impl TestHelpers {
    fn array_lookup(&self, index: u32) -> u64 {
        if index < MAX { self.array + u64::from(index * STRIDE) } else { 0 }
    }

    fn hash_lookup(&self, key: u32) -> u64 {
        HASH_KEYS.iter().position(|&k| k == key).map_or(0, |p| self.hash + 8 * p as u64)
    }

    fn lookup(&self, map: u64, key: u32) -> u64 {
        match map {
            ARRAY => self.array_lookup(key),
            HASH => self.hash_lookup(key),
            _ => 0,
        }
    }

    fn count(&mut self, r1: u64) -> u64 {
        self.calls += 1;
        self.calls * 1000 + r1
    }
}

fn mix(a: [u64; 5]) -> u64 {
    a[0].wrapping_mul(31) ^ a[1] ^ (a[2] << 1) ^ (a[3] << 2) ^ (a[4] << 3)
}

impl Helpers for TestHelpers {
    fn call_helper(&mut self, id: i32, a: [u64; 5], mem: &mut Memory<'_>) -> Result<Flow, HelperError> {
        Ok(Flow::Return(match id {
            1 => self.lookup(a[0], mem.load(a[1], Size::W)? as u32),
            7 => self.count(a[0]),
            9 => mix(a),
            _ => return Err(HelperError::Unknown),
        }))
    }
}

/// Reads the `u32` key a verified program passed.
fn key(addr: u64) -> u32 {
    // SAFETY: test programs pass a pointer to 4 bytes of their stack.
    #[allow(unsafe_code)]
    unsafe {
        (addr as *const u32).read_unaligned()
    }
}

extern "sysv64" fn n_lookup(map: u64, k: u64, _: u64, _: u64, _: u64, h: &mut TestHelpers) -> u64 {
    h.lookup(map, key(k))
}

extern "sysv64" fn n_hash(object: u64, k: u64, _: u64, _: u64, _: u64, h: &mut TestHelpers) -> u64 {
    if object != HASH_OBJECT {
        return 0xdead;
    }
    h.hash_lookup(key(k))
}

extern "sysv64" fn n_count(r1: u64, _: u64, _: u64, _: u64, _: u64, h: &mut TestHelpers) -> u64 {
    h.count(r1)
}

extern "sysv64" fn n_mix(a: u64, b: u64, c: u64, d: u64, e: u64, _: &mut TestHelpers) -> u64 {
    mix([a, b, c, d, e])
}

/// The maps' storage: the array's values, then the hash's.
fn storage() -> Vec<u64> {
    vec![0; (MAX * STRIDE / 8) as usize + HASH_KEYS.len()]
}

fn natives(storage: &mut [u64], facts: &[(usize, CallSiteFacts)]) -> Natives<TestHelpers> {
    let base = storage.as_mut_ptr() as u64;
    let mut n = Natives::new();
    n.helper(1, n_lookup).helper(7, n_count).helper(9, n_mix);
    n.map(ARRAY, MapFacts { array: Some(ArrayLayout { base, stride: STRIDE, max_entries: MAX }), lookup: None });
    n.map(HASH, MapFacts { array: None, lookup: Some((n_hash, HASH_OBJECT)) });
    for &(pc, f) in facts {
        n.call_site(pc, f);
    }
    n
}

fn bytes(words: &mut [u64]) -> &mut [u8] {
    // SAFETY: u64s are 8 initialised bytes each.
    #[allow(unsafe_code)]
    unsafe {
        std::slice::from_raw_parts_mut(words.as_mut_ptr() as *mut u8, words.len() * 8)
    }
}

/// What a run left: result, map storage, helper calls.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    result: Result<u64, Fault>,
    storage: Vec<u64>,
    calls: u64,
}

enum Engine<'a> {
    Interp,
    /// The JIT without natives.
    Plain,
    /// The JIT with natives and these call-site facts.
    Native(&'a [(usize, CallSiteFacts)]),
}

#[allow(unsafe_code)]
fn run(code: &Code, engine: Engine<'_>) -> Outcome {
    let mut words = storage();
    let jit = match engine {
        Engine::Interp => None,
        Engine::Plain => Some(compile(code, &JitOptions::default()).unwrap()),
        Engine::Native(facts) => Some(compile_with(code, &JitOptions::default(), &natives(&mut words, facts)).unwrap()),
    };
    let base = words.as_mut_ptr() as u64;
    let mut h = TestHelpers { array: base, hash: base + u64::from(MAX * STRIDE), calls: 0 };
    let mut input = [0u8; 64];
    let mut mem = Memory::new();
    let addr = mem.add_region(RegionKind::Input, &mut input);
    mem.add_region(RegionKind::MapValue, bytes(&mut words));
    let result = match &jit {
        None => Vm::new(code, hive_interp::Options::default()).run(&mut mem, &mut h, [addr, 64, 0, 0, 0]),
        // SAFETY: the test programs touch their stack and map values only.
        Some(p) => unsafe { p.run(&mut mem, &mut h, [addr, 64, 0, 0, 0]) },
    };
    drop(mem);
    Outcome { result, storage: words, calls: h.calls }
}

/// Runs on the interpreter, the plain JIT and the native JIT (with `facts`); all agree.
fn agree_natives(code: &Code, facts: &[(usize, CallSiteFacts)]) -> Outcome {
    let reference = run(code, Engine::Interp);
    assert_eq!(run(code, Engine::Plain), reference, "plain JIT");
    assert_eq!(run(code, Engine::Native(facts)), reference, "native JIT");
    reference
}

/// Loops over keys 0..20 (the array has 16): array lookup and update, hash lookup of 3i and
/// update, a counting helper; then a five-argument helper.
const LOOP: &str = "r8 = 0\nr7 = 0\n\
    loop:\n*(u32 *)(r10 - 4) = r7\nr2 = r10\nr2 += -4\nr1 = 0xa1 ll\ncall 1\nif r0 == 0 goto skip\n\
    r1 = *(u64 *)(r0 + 8)\nr1 += r7\nr1 += 1\n*(u64 *)(r0 + 8) = r1\nr8 += r1\n\
    skip:\nr1 = r7\nr1 *= 3\n*(u32 *)(r10 - 8) = r1\nr2 = r10\nr2 += -8\nr1 = 0xb1 ll\ncall 1\n\
    if r0 == 0 goto skip2\nr1 = *(u64 *)(r0 + 0)\nr1 += 7\n*(u64 *)(r0 + 0) = r1\nr8 += r1\n\
    skip2:\nr1 = r7\ncall 7\nr8 += r0\nr7 += 1\nif r7 < 20 goto loop\n\
    r1 = 1\nr2 = 2\nr3 = 3\nr4 = 4\nr5 = 5\ncall 9\nr0 += r8\nexit";

#[test]
fn inlined_and_direct_lookups_and_helpers_agree_with_the_interpreter() {
    let out = agree_natives(&asm(LOOP), &[]);
    assert_eq!(out.calls, 20);
    // array values 0..16 got i + 1 at byte 8; the hash's keys that are multiples of 3 below 60, 7
    assert_eq!(out.storage[1], 1);
    assert_eq!(out.storage[(15 * STRIDE / 8) as usize + 1], 16);
    let hash = &out.storage[(MAX * STRIDE / 8) as usize..];
    assert_eq!(hash, &[7, 7, 7, 7, 7, 7]);
}

#[test]
fn lookups_also_work_from_subprograms_and_with_the_map_in_a_callee_saved_register() {
    // The map reaches r1 from r6 (no lddw in the block): the generic direct helper.
    let src = "call f\nexit\nf:\nr6 = 0xa1 ll\n*(u32 *)(r10 - 4) = 3\nr2 = r10\nr2 += -4\nr1 = r6\ncall 1\n\
               if r0 == 0 goto out\n*(u64 *)(r0 + 0) = 77\nr2 = r10\nr2 += -4\nr1 = r6\ncall 1\n\
               r0 = *(u64 *)(r0 + 0)\nexit\nout:\nr0 = 1\nexit";
    let out = agree_natives(&asm(src), &[]);
    assert_eq!(out.result, Ok(77));
    assert_eq!(out.storage[(3 * STRIDE / 8) as usize], 77);
}

#[test]
fn a_jump_target_between_lddw_and_call_keeps_the_generic_path_and_facts_override_it() {
    // `r1 = 0xa1 ll; if r1 > 0 goto l; l: call 1`: another path may enter at the call.
    let src = "*(u32 *)(r10 - 4) = 20\nr2 = r10\nr2 += -4\nr1 = 0xa1 ll\nif r1 > 0 goto l\nr1 = 0xb1 ll\n\
               l:\ncall 1\nexit";
    let code = asm(src);
    let out = agree_natives(&code, &[]);
    assert_eq!(out.result, Ok(0));
    // The verifier would say r1 is the array at the call (slot 8): inlined, same result.
    let facts = [(8, CallSiteFacts { map: Some(ARRAY) })];
    assert!(matches!(code.get(8), Some(Insn::Call(_))));
    assert_eq!(run(&code, Engine::Native(&facts)), out);
    // Key 2 is in the array: the inlined lookup returns its address.
    let src2 = src.replace("= 20", "= 2").replace("exit", "r0 = *(u64 *)(r0 + 0)\nr0 += 5\nexit");
    let code2 = asm(&src2);
    let out2 = agree_natives(&code2, &facts);
    assert_eq!(out2.result, Ok(5));
}

#[test]
fn out_of_range_keys_give_null() {
    for key in [15u32, 16, 17, 0x8000_0000, u32::MAX] {
        let src = format!(
            "*(u32 *)(r10 - 4) = {}\nr2 = r10\nr2 += -4\nr1 = 0xa1 ll\ncall 1\nif r0 == 0 goto null\nr0 = 1\nexit\n\
             null:\nr0 = 2\nexit",
            key as i32
        );
        let out = agree_natives(&asm(&src), &[]);
        assert_eq!(out.result, Ok(if key < MAX { 1 } else { 2 }), "key {key}");
        // the other test, and r0 read on each path
        let src = format!(
            "*(u32 *)(r10 - 4) = {}\nr2 = r10\nr2 += -4\nr1 = 0xa1 ll\ncall 1\nif r0 != 0 goto hit\nr0 += 2\nexit\n\
             hit:\nr0 = *(u64 *)(r0 + 0)\nr0 += 1\nexit",
            key as i32
        );
        let out = agree_natives(&asm(&src), &[]);
        assert_eq!(out.result, Ok(if key < MAX { 1 } else { 2 }), "key {key}");
        let src = format!(
            "*(u32 *)(r10 - 4) = {}\nr2 = r10\nr2 += -4\nr1 = 0xa1 ll\ncall 1\nif r0 == 0 goto null\nr0 = 1\nexit\n\
             null:\nr0 += 2\nexit",
            key as i32
        );
        let out = agree_natives(&asm(&src), &[]);
        assert_eq!(out.result, Ok(if key < MAX { 1 } else { 2 }), "key {key}");
    }
}

#[test]
fn programs_with_direct_calls_refuse_other_helper_types() {
    let code = asm("r1 = 1\ncall 7\nexit");
    let mut words = storage();
    let prog = compile_with(&code, &JitOptions::default(), &natives(&mut words, &[])).unwrap();
    let mut mem = Memory::new();
    // SAFETY: the program is refused before it runs.
    #[allow(unsafe_code)]
    let r = unsafe { prog.run(&mut mem, &mut hive_interp::HelperTable::new(), [0; 5]) };
    assert!(matches!(r, Err(Fault { kind: FaultKind::Unsupported(_), .. })), "{r:?}");
}

#[test]
fn disassembly_interleaves_bpf_instructions() {
    let mut words = storage();
    let prog = compile_with(&asm(LOOP), &JitOptions::default(), &natives(&mut words, &[])).unwrap();
    let text = prog.disassemble();
    assert!(text.contains("call bpf_map_lookup_elem"), "{text}");
    assert!(text.contains("cmp     eax,10h"), "{text}");
}
