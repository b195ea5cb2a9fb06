//! Calls that no section defines but Hive can still resolve: the C library's memory
//! functions that clang emits on its own, and helpers declared as plain externs.
//!
//! - **`memset`, `memcpy`, `memmove`, `memcmp`.** clang turns a struct initialisation or copy
//!   into a library call when it decides not to expand it inline (falco's `probe.o` has 81
//!   programs calling an undefined `memset`). The kernel has no such functions and libbpf
//!   refuses the object; Hive links a small bytecode implementation in as an ordinary
//!   subprogram, which the verifier checks in the caller's context like any static function
//!   (so the size and pointers must be provably in bounds at each call site).
//! - **`bpf_<helper>` externs.** An object may declare a helper as `extern void
//!   *bpf_map_lookup_elem(...)` instead of the usual `(void *) 1` pointer; the call then
//!   carries a relocation against an undefined symbol. A name that is a kernel helper's
//!   becomes a plain helper call (`call <id>`), as PREVAIL's loader does.
//!
//! Both apply only to names the object's BTF does not declare as `__ksym` (kfuncs win).

use hive_isa::RawInsn;
use hive_platform::helper::HelperId;

use crate::sections::{CodeSection, Func};

/// Name of the synthetic code section holding the built-in functions.
pub(crate) const SECTION: &str = ".hive.builtins";

/// ELF section index given to the synthetic section (no ELF section has it).
pub(crate) const SECTION_INDEX: usize = usize::MAX;

const fn insn(code: u8, dst: u8, src: u8, off: i16, imm: i32) -> RawInsn {
    RawInsn::new(code, dst, src, off, imm)
}

// Opcodes used below.
const MOV64_IMM: u8 = 0xb7;
const MOV64_REG: u8 = 0xbf;
const ADD64_IMM: u8 = 0x07;
const ADD64_REG: u8 = 0x0f;
const SUB64_REG: u8 = 0x1f;
const JEQ_IMM: u8 = 0x15;
const JNE_IMM: u8 = 0x55;
const JGT_REG: u8 = 0x2d;
const JA: u8 = 0x05;
const LDX_B: u8 = 0x71;
const STX_B: u8 = 0x73;
const EXIT: u8 = 0x95;

/// `void *memset(void *r1, int r2, size_t r3)`: byte stores, returns `r1`.
const MEMSET: &[RawInsn] = &[
    insn(MOV64_REG, 0, 1, 0, 0),
    insn(JEQ_IMM, 3, 0, 4, 0), // done
    insn(STX_B, 1, 2, 0, 0),
    insn(ADD64_IMM, 1, 0, 0, 1),
    insn(ADD64_IMM, 3, 0, 0, -1),
    insn(JA, 0, 0, -5, 0),
    insn(EXIT, 0, 0, 0, 0),
];

/// `void *memcpy(void *r1, const void *r2, size_t r3)`: forward byte copy, returns `r1`.
const MEMCPY: &[RawInsn] = &[
    insn(MOV64_REG, 0, 1, 0, 0),
    insn(JEQ_IMM, 3, 0, 6, 0),
    insn(LDX_B, 4, 2, 0, 0),
    insn(STX_B, 1, 4, 0, 0),
    insn(ADD64_IMM, 1, 0, 0, 1),
    insn(ADD64_IMM, 2, 0, 0, 1),
    insn(ADD64_IMM, 3, 0, 0, -1),
    insn(JA, 0, 0, -7, 0),
    insn(EXIT, 0, 0, 0, 0),
];

/// `void *memmove(void *r1, const void *r2, size_t r3)`: copies forward when the
/// destination is below the source, backward otherwise; returns `r1`.
const MEMMOVE: &[RawInsn] = &[
    insn(MOV64_REG, 0, 1, 0, 0),
    insn(JGT_REG, 1, 2, 7, 0), // backward
    // forward
    insn(JEQ_IMM, 3, 0, 15, 0),
    insn(LDX_B, 4, 2, 0, 0),
    insn(STX_B, 1, 4, 0, 0),
    insn(ADD64_IMM, 1, 0, 0, 1),
    insn(ADD64_IMM, 2, 0, 0, 1),
    insn(ADD64_IMM, 3, 0, 0, -1),
    insn(JA, 0, 0, -7, 0),
    // backward: from one past the end
    insn(ADD64_REG, 1, 3, 0, 0),
    insn(ADD64_REG, 2, 3, 0, 0),
    insn(JEQ_IMM, 3, 0, 6, 0),
    insn(ADD64_IMM, 1, 0, 0, -1),
    insn(ADD64_IMM, 2, 0, 0, -1),
    insn(LDX_B, 4, 2, 0, 0),
    insn(STX_B, 1, 4, 0, 0),
    insn(ADD64_IMM, 3, 0, 0, -1),
    insn(JA, 0, 0, -7, 0),
    insn(EXIT, 0, 0, 0, 0),
];

/// `int memcmp(const void *r1, const void *r2, size_t r3)`: the difference of the first
/// differing bytes as unsigned chars, 0 when equal.
const MEMCMP: &[RawInsn] = &[
    insn(MOV64_IMM, 0, 0, 0, 0),
    insn(JEQ_IMM, 3, 0, 9, 0),
    insn(LDX_B, 4, 1, 0, 0),
    insn(LDX_B, 5, 2, 0, 0),
    insn(MOV64_REG, 0, 4, 0, 0),
    insn(SUB64_REG, 0, 5, 0, 0),
    insn(JNE_IMM, 0, 0, 4, 0),
    insn(ADD64_IMM, 1, 0, 0, 1),
    insn(ADD64_IMM, 2, 0, 0, 1),
    insn(ADD64_IMM, 3, 0, 0, -1),
    insn(JA, 0, 0, -10, 0),
    insn(EXIT, 0, 0, 0, 0),
];

const FUNCTIONS: &[(&str, &[RawInsn])] =
    &[("memset", MEMSET), ("memcpy", MEMCPY), ("memmove", MEMMOVE), ("memcmp", MEMCMP)];

/// The synthetic code section with every built-in function (subprograms, never entries).
pub(crate) fn section() -> CodeSection {
    let mut insns = Vec::new();
    let mut funcs = Vec::new();
    for (name, body) in FUNCTIONS {
        let start = insns.len();
        insns.extend_from_slice(body);
        funcs.push(Func { name: (*name).to_string(), start, end: insns.len(), global: true, entry: false });
    }
    CodeSection { index: SECTION_INDEX, name: SECTION.to_string(), insns, funcs }
}

/// The slot of built-in function `name` in [`section`], if Hive has one.
pub(crate) fn function_start(name: &str) -> Option<usize> {
    let mut start = 0;
    for (n, body) in FUNCTIONS {
        if *n == name {
            return Some(start);
        }
        start += body.len();
    }
    None
}

/// The helper an extern function named `name` stands for (`bpf_` prefix required).
pub(crate) fn helper(name: &str) -> Option<HelperId> {
    name.starts_with("bpf_").then(|| HelperId::from_name(name)).flatten()
}

#[cfg(test)]
mod tests {
    use hive_interp::{Memory, NoHelpers, Options, RegionKind, Vm};
    use hive_isa::Code;

    use super::*;

    /// Calls built-in `name` with `r1` = the buffer + `dst`, `r2` = `r2` (plus the buffer's
    /// address when `r2_is_ptr`) and `r3` = `n`, through a caller that passes them on.
    fn call(name: &str, buf: &mut [u8; 32], dst: i32, r2: i32, r2_is_ptr: bool, n: i32) -> u64 {
        let sec = section();
        let f = &sec.funcs[sec.funcs.iter().position(|f| f.name == name).unwrap()];
        let mut code = vec![insn(MOV64_REG, 6, 1, 0, 0), insn(ADD64_IMM, 1, 0, 0, dst), insn(MOV64_IMM, 2, 0, 0, r2)];
        if r2_is_ptr {
            code.push(insn(ADD64_REG, 2, 6, 0, 0));
        }
        code.push(insn(MOV64_IMM, 3, 0, 0, n));
        code.push(insn(0x85, 0, 1, 0, 1)); // the function follows the caller's exit
        code.push(insn(EXIT, 0, 0, 0, 0));
        code.extend_from_slice(&sec.insns[f.start..f.end]);
        let code = Code::decode(&code).unwrap();
        let mut mem = Memory::new();
        let addr = mem.add_region(RegionKind::Input, buf);
        Vm::new(&code, Options::default()).run(&mut mem, &mut NoHelpers, [addr, 0, 0, 0, 0]).unwrap()
    }

    fn counting() -> [u8; 32] {
        std::array::from_fn(|i| i as u8)
    }

    #[test]
    fn memory_functions_behave_like_libc() {
        let mut b = counting();
        call("memset", &mut b, 4, 0xab, false, 8);
        assert_eq!(&b[3..13], &[3, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 12]);

        let mut b = counting();
        call("memcpy", &mut b, 20, 0, true, 5);
        assert_eq!(&b[19..26], &[19, 0, 1, 2, 3, 4, 25]);

        let mut b = counting();
        call("memmove", &mut b, 2, 0, true, 6); // overlapping, destination above the source
        assert_eq!(&b[0..9], &[0, 1, 0, 1, 2, 3, 4, 5, 8]);
        let mut b = counting();
        call("memmove", &mut b, 0, 2, true, 6); // overlapping, destination below the source
        assert_eq!(&b[0..9], &[2, 3, 4, 5, 6, 7, 6, 7, 8]);

        let mut b = [7; 32];
        assert_eq!(call("memcmp", &mut b, 0, 8, true, 8), 0);
        b[10] = 9;
        assert_eq!(call("memcmp", &mut b, 0, 8, true, 8) as i64, -2);
        assert_eq!(call("memcmp", &mut b, 8, 0, true, 8) as i64, 2);
        assert_eq!(call("memcmp", &mut b, 0, 8, true, 0), 0);
    }

    #[test]
    fn memset_and_memcpy_return_their_destination() {
        let mut b = counting();
        let at = b.as_ptr() as u64 + 3;
        assert_eq!(call("memset", &mut b, 3, 0, false, 2), at);
        assert_eq!(call("memcpy", &mut b, 3, 0, true, 2), at);
        assert_eq!(call("memmove", &mut b, 3, 0, true, 2), at);
    }

    #[test]
    fn helper_externs_need_the_bpf_prefix() {
        assert_eq!(helper("bpf_map_lookup_elem"), Some(HelperId(1)));
        assert_eq!(helper("map_lookup_elem"), None);
        assert_eq!(helper("bpf_no_such_helper"), None);
        assert_eq!(function_start("memcpy"), Some(MEMSET.len()));
        assert_eq!(function_start("strlen"), None);
    }
}
