//! A rejection explained for a person: the failing instruction, its C source line (from the
//! object's BTF line info), the register states that led there and a hint of the usual fix.
//!
//! The kernel's log is complete but terse (`R2 offset is outside of the packet` after a list
//! of instructions); what a developer asks first is "which line of my C, what did the
//! verifier know, and what do I change". The hints cover the common rejections, each worded
//! as the fix clang users apply; an unknown message gets no hint rather than a guess.

use hive_object::ProgramSpec;

/// The usual fix for a rejection message, when it is a common one.
pub fn hint(message: &str) -> Option<&'static str> {
    const HINTS: &[(&str, &str)] = &[
        (
            "_or_null'",
            "the pointer may be NULL (a map lookup, a reserve): test it (`if (!p) return ...;`) before using it",
        ),
        (
            "outside of the packet",
            "compare the end of the access with data_end first: `if (data + off + size > data_end) return ...;`",
        ),
        ("invalid access to packet", "check `data + N <= data_end` before reading or writing N bytes of the packet"),
        ("!read_ok", "a register is read before anything was written to it: initialise the variable on every path"),
        (
            "invalid read from stack",
            "a stack variable is read before it is written on some path: initialise it (e.g. `= {}`)",
        ),
        (
            "invalid indirect read from stack",
            "a helper reads stack memory that is not initialised on some path: initialise the buffer (e.g. `= {}`)",
        ),
        (
            "min value is negative",
            "the index or size may be negative: use an unsigned type, or check `if (x < 0)` / mask it (`x &= MAX - 1`)",
        ),
        (
            "unbounded memory access",
            "the index or size has no upper bound the verifier can see: check `if (i >= N) return ...;` or mask `i &= N - 1` right before the access",
        ),
        (
            "max value is outside of the allowed memory range",
            "the offset's upper bound exceeds the object: bound it (`if (i >= N)`) against the real size",
        ),
        (
            "unbounded min value",
            "pointer arithmetic with a value that may be negative: make the offset unsigned and bounded first",
        ),
        ("invalid access to map value", "the access goes past the map's value size: check the offset against sizeof(value)"),
        ("invalid bpf_context access", "this context field does not exist or cannot be accessed this way for the program type: check the struct (e.g. struct xdp_md) and the access size"),
        ("dereference of modified ctx ptr", "read context fields through the original context pointer, with a constant offset"),
        ("Unreleased reference", "an acquired object (ringbuf reserve, socket lookup, kfunc) is not released on every path: submit/discard/release it before each return"),
        ("cannot call GPL-restricted function", "declare a GPL-compatible licence: `char LICENSE[] SEC(\"license\") = \"GPL\";`"),
        ("back-edge from insn", "loops need a bounded form the verifier accepts: `bpf_for`, `bpf_loop`, `can_loop`, or a constant trip count"),
        ("infinite loop detected", "the loop's state repeats without progress: make the exit condition depend on a counter"),
        ("BPF program is too large", "too many paths: reduce branches inside loops, use bpf_loop/bpf_for, or split the program with tail calls"),
        ("leaks addr", "a pointer value would become visible (returned, stored to a map, compared): store data, not addresses"),
        ("pointer arithmetic", "this kind of pointer cannot be offset: compute on the value it points to, or on a copy of the offset"),
        ("cannot use helper", "this helper is not available to the program type: pick a section/program type that allows it"),
        ("type=", "an argument has the wrong kind of pointer for the helper: pass what its prototype expects (e.g. a stack buffer)"),
        ("div by zero", "division by the constant 0: remove it (a register holding 0 is allowed and gives 0)"),
        ("invalid shift", "shift amounts must be below the operand width (32 or 64)"),
        ("misaligned", "align the access: stack slots are 8-byte aligned, and an access must be aligned to its size"),
        ("R0 has", "the return value is outside what this program type may return (e.g. XDP_* actions for xdp)"),
        ("At program exit the register R0", "the return value is outside what this program type may return (e.g. XDP_* actions for xdp)"),
    ];
    HINTS.iter().find(|(pat, _)| message.contains(pat)).map(|&(_, h)| h)
}

/// The register states on the path that failed, just before instruction `pc`: the last
/// `N: R0=...` state line of a level-2 log before its error.
pub fn states_before(level2_log: &str) -> Option<&str> {
    level2_log.lines().rev().find_map(|l| {
        let (idx, rest) = l.split_once(": ")?;
        (idx.trim().parse::<usize>().is_ok() && rest.starts_with('R') && rest.contains('=')).then_some(rest)
    })
}

/// The explanation of a rejection of `program`: `message` at instruction `insn`, with the
/// level-2 log of the same verification (for the register states).
pub fn explain(program: &ProgramSpec, insn: Option<usize>, message: &str, level2_log: &str) -> String {
    let mut out = format!("error: {message}\n");
    if let Some(pc) = insn {
        let text = hive_isa::Code::decode(&program.insns)
            .ok()
            .and_then(|c| hive_verifier::log::insn_line(&c, pc))
            .unwrap_or_else(|| format!("{pc}: ?"));
        out += &format!("  at insn {text}\n");
        if let Some(l) = program.source_line(pc) {
            let file = l.file.rsplit('/').next().unwrap_or(&l.file);
            out += &format!("  in {file}:{}: {}\n", l.line, l.text.trim());
        }
    }
    if let Some(states) = states_before(level2_log) {
        out += &format!("  registers before it: {states}\n");
    }
    if let Some(h) = hint(message) {
        out += &format!("  hint: {h}\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_and_states() {
        assert!(hint("R0 invalid mem access 'map_value_or_null'").unwrap().contains("NULL"));
        assert!(hint("R2 offset is outside of the packet").unwrap().contains("data_end"));
        assert_eq!(hint("something new"), None);
        let log = "0: (b7) r0 = 1\n0: R0=1 R1=ctx() R10=fp0\n1: (61) r1 = *(u32 *)(r2 + 0)\nR2 !read_ok\n";
        assert_eq!(states_before(log), Some("R0=1 R1=ctx() R10=fp0"));
    }
}
