//! The register map: each BPF register lives in one fixed x86-64 register for the whole run.
//!
//! | BPF | x86-64 | why |
//! |---|---|---|
//! | `r0` | `rax` | return value in both conventions; `div`/`cmpxchg` use it implicitly |
//! | `r1`-`r5` | `rdi`, `rsi`, `rdx`, `rcx`, `r8` | the System V argument registers 1-5, so a helper call needs no moves |
//! | `r6` | `rbx` | callee-saved in System V, as `r6`-`r9` are in BPF |
//! | `r7`-`r9` | `r13`, `r14`, `r15` | callee-saved; `r12` is skipped because as a base it needs a SIB byte |
//! | `r10` | `rbp` | callee-saved; the frame pointer (`[rbp + off]` always carries a displacement anyway) |
//!
//! The rest: [`AUX`] (`r9`, the sixth System V argument) carries the run environment into
//! calls and is free scratch elsewhere; [`TMP`] (`r11`) and [`TMP2`] (`r10`) are scratch,
//! both caller-saved so helpers may clobber them; [`LOOPS`] (`r12`, callee-saved) holds the
//! current frame's `may_goto` budget. The kernel's map (`reg2hex` in
//! `arch/x86/net/bpf_jit_comp.c`) is the same for `r0`-`r10`.

use hive_isa::Reg;

/// x86-64 register numbers, as they appear in ModRM/REX encodings.
pub(crate) mod x86 {
    pub const RAX: u8 = 0;
    pub const RCX: u8 = 1;
    pub const RDX: u8 = 2;
    pub const RBX: u8 = 3;
    pub const RBP: u8 = 5;
    pub const RSI: u8 = 6;
    pub const RDI: u8 = 7;
    pub const R8: u8 = 8;
    pub const R13: u8 = 13;
    pub const R14: u8 = 14;
    pub const R15: u8 = 15;
}

/// The x86-64 register of each BPF register, indexed by register number.
const MAP: [u8; 11] =
    [x86::RAX, x86::RDI, x86::RSI, x86::RDX, x86::RCX, x86::R8, x86::RBX, x86::R13, x86::R14, x86::R15, x86::RBP];

/// The x86-64 register number holding BPF register `r`.
#[inline]
pub(crate) fn host(r: Reg) -> u8 {
    MAP[r.idx()]
}

/// `r9`: environment pointer at call sites, scratch elsewhere.
pub(crate) const AUX: u8 = 9;
/// `r10`: scratch.
pub(crate) const TMP2: u8 = 10;
/// `r11`: scratch.
pub(crate) const TMP: u8 = 11;
/// `r12`: the `may_goto` budget of the current frame.
pub(crate) const LOOPS: u8 = 12;

/// BPF registers a subprogram must save and restore if it writes them (`r6`-`r9`).
pub(crate) const CALLEE_SAVED: [Reg; 4] = [Reg::R6, Reg::R7, Reg::R8, Reg::R9];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_is_injective_and_avoids_scratch() {
        let mut seen = [false; 16];
        for r in Reg::all() {
            let h = host(r) as usize;
            assert!(!seen[h], "{r} shares {h}");
            seen[h] = true;
        }
        for scratch in [AUX, TMP, TMP2, LOOPS, 4] {
            assert!(!seen[scratch as usize], "scratch {scratch} is mapped");
        }
        assert_eq!([host(Reg::R1), host(Reg::R2), host(Reg::R3), host(Reg::R4), host(Reg::R5)], [7, 6, 2, 1, 8]);
    }
}
