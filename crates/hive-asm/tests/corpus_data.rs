//! Every `-- asm` and `-- raw` program of the bpf_conformance and uBPF `.data` corpora:
//! the uBPF-syntax source assembles (to the `-- raw` words when a file has both), and every
//! program survives disassembly and re-assembly in both syntaxes.

mod common;

use common::{corpus, data_sections, parse_raw, round_trip, walk};
use hive_asm::{Syntax, assemble};

/// `-- asm` programs the assembler refuses on purpose, with the reason it must give. The
/// bpf_conformance negatives are assembler errors by design; the two uBPF files name `%r11`,
/// which uBPF expects its loader to refuse but which Hive already refuses when assembling.
///
/// The other negative cases are not the assembler's business and assemble (or, for `-- raw`,
/// round-trip) normally: `negative/error.data` (`or %r0, %r10` reads an uninitialised `r0`:
/// a verifier refusal), `negative/incorrect_return_value_high_bits.data` (a wrong expected
/// result: the runner's check), the 45 `negative/unused-*.data` raw programs (reserved fields:
/// decode/load refusals, printed as `.insn` lines), `negative/empty*.data` (no program at all),
/// and uBPF's `errors/*.data` (jumps out of range or into an `lddw`, infinite loops, unknown
/// helpers, bad `lddw` tails, memory faults: load-time or run-time checks).
const REFUSED: &[(&str, &str)] = &[
    ("negative/invalid_imm32_dec_range.data", "out of range"),
    ("negative/invalid_imm32_hex_range.data", "out of range"),
    ("negative/invalid_label.data", "undefined label"),
    ("negative/invalid_lock.data", "invalid number of operands for lock"),
    ("negative/invalid_lock2.data", "invalid number of operands for lock"),
    ("negative/invalid_mnemonic.data", "unknown mnemonic"),
    ("negative/invalid_offset.data", "expected a memory operand"),
    ("negative/invalid_offset_range.data", "offset 0x10000 out of range"),
    ("negative/invalid_operand_count.data", "invalid number of operands for lddw"),
    ("negative/invalid_register.data", "invalid register %r50"),
    ("negative/invalid_unknown_directive.data", "unknown directive"),
    ("errors/err-invalid-reg-dst.data", "invalid register %r11"),
    ("errors/err-invalid-reg-src.data", "invalid register %r11"),
];

#[derive(Default)]
struct Count {
    files: usize,
    programs: usize,
    insns: usize,
    asm_checked_against_raw: usize,
    refused: usize,
    no_program: usize,
}

fn run(sub: &str) -> Option<Count> {
    let dir = corpus(sub)?;
    let mut n = Count::default();
    let mut failures = Vec::new();
    for path in walk(&dir).into_iter().filter(|p| p.extension().is_some_and(|e| e == "data")) {
        n.files += 1;
        let rel = path.strip_prefix(&dir).unwrap_or(&path).to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let sections = data_sections(&text, path.parent().unwrap_or(&dir));
        let asm = sections.iter().find(|(n, _)| n == "asm").map(|(_, b)| b.as_str());
        let raw = sections.iter().find(|(n, _)| n == "raw").map(|(_, b)| parse_raw(b));
        let refused = REFUSED.iter().find(|(f, _)| rel.ends_with(f));
        let mut programs = Vec::new();
        if let Some(src) = asm {
            match (assemble(src, Syntax::Ubpf), refused) {
                (Err(e), Some((_, why))) => {
                    assert!(e.to_string().contains(why), "{rel}: expected `{why}`, got `{e}`");
                    n.refused += 1;
                }
                (Ok(_), Some(_)) => failures.push(format!("{rel}: assembled but must be refused")),
                (Err(e), None) => failures.push(format!("{rel}: {e}")),
                (Ok(words), None) => {
                    if let Some(expected) = &raw {
                        if &words != expected {
                            failures.push(format!("{rel}: -- asm assembles differently from -- raw"));
                        }
                        n.asm_checked_against_raw += 1;
                    }
                    programs.push(words);
                }
            }
        }
        if let Some(r) = raw.filter(|r| !r.is_empty()) {
            programs.push(r);
        }
        if asm.is_none() && programs.is_empty() {
            n.no_program += 1;
        }
        for p in programs {
            n.programs += 1;
            n.insns += p.len();
            if let Err(e) = round_trip(&p) {
                failures.push(format!("{rel}: {e}"));
            }
        }
    }
    assert!(failures.is_empty(), "{sub}: {} failures:\n{}", failures.len(), failures.join("\n"));
    println!(
        "{sub}: {} files, {} programs ({} insns) round-trip 100% in both syntaxes; {} -- asm checked \
         against -- raw; {} refused as expected; {} files without a program",
        n.files, n.programs, n.insns, n.asm_checked_against_raw, n.refused, n.no_program
    );
    Some(n)
}

#[test]
fn bpf_conformance_programs_round_trip() {
    if let Some(n) = run("bpf_conformance") {
        assert!(n.programs > 300, "only {} programs", n.programs);
    }
}

#[test]
fn ubpf_programs_round_trip() {
    if let Some(n) = run("ubpf/tests") {
        assert!(n.programs > 40, "only {} programs", n.programs);
    }
}
