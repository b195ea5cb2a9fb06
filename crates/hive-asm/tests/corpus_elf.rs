//! Every program section of every ELF object under `ebpf-samples` and `cilium-ebpf`
//! (little-endian ones; malformed files are skipped, hive-object's tests cover them)
//! round-trips through both syntaxes.

mod common;

use common::{corpus, round_trip, walk};
use hive_object::{ObjectError, program_sections};

fn run(sub: &str) {
    let Some(dir) = corpus(sub) else { return };
    let (mut objects, mut sections, mut insns, mut big_endian, mut skipped) = (0, 0, 0, 0, Vec::new());
    let mut failures = Vec::new();
    for path in walk(&dir) {
        let Ok(bytes) = std::fs::read(&path) else { continue };
        if !bytes.starts_with(b"\x7fELF") {
            continue;
        }
        let rel = path.strip_prefix(&dir).unwrap_or(&path).display().to_string();
        let progs = match program_sections(&bytes) {
            Ok(p) => p,
            Err(ObjectError::BigEndian) => {
                big_endian += 1;
                continue;
            }
            Err(e @ (ObjectError::Malformed(_) | ObjectError::PartialInsn { .. })) => {
                skipped.push(format!("{rel} ({e})"));
                continue;
            }
            Err(e) => panic!("{rel}: {e}"),
        };
        objects += 1;
        for p in progs {
            sections += 1;
            insns += p.insns.len();
            if let Err(e) = round_trip(&p.insns) {
                failures.push(format!("{rel} [{}]: {e}", p.name));
            }
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    println!(
        "{sub}: {objects} objects, {sections} program sections, {insns} insns: 100% round-trip in both syntaxes; \
         skipped {big_endian} big-endian objects and {} malformed ones: {}",
        skipped.len(),
        skipped.join(", ")
    );
    assert!(sections > 0);
}

#[test]
fn ebpf_samples_round_trip() {
    run("ebpf-samples");
}

#[test]
fn cilium_ebpf_round_trip() {
    run("cilium-ebpf");
}
