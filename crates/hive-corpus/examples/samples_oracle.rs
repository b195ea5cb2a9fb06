//! The host kernel's verdict on every program of the ebpf-samples objects that
//! `hive corpus samples` expects to load (root only): each object's maps are created in the
//! kernel (a `max_entries` of 0, left for user space to set, becomes 1), each program is
//! loaded with them as its own loader would (program type and licence as in
//! `hive_corpus::samples::LOADERS`), and the refusals are printed as TSV
//! (`object<TAB>section<TAB>errno<TAB>the kernel's reason`). With `--write FILE` they are
//! written there too: `crates/hive-corpus/data/samples-kernel-refusals.tsv` is this file,
//! which the samples runner reads (the host kernel rules where it refuses a sample).
//!
//! One adjustment: Hive links its built-in `memset`/`memcpy`/`memmove`, which return their
//! destination like C's; 6.18 refuses a subprogram returning its caller's stack pointer, so
//! here the built-ins return 0 instead (falco's callers ignore the result).
//!
//! ```text
//! cargo run -p hive-corpus --example samples_oracle -- ../shared/corpora/ebpf-samples [--write FILE]
//! ```

use std::os::fd::AsRawFd;
use std::path::Path;

use hive_corpus::object_verify::{VerifyObjectOptions, effective_prog_type, open_object};
use hive_corpus::paths::files_with_suffix;
use hive_corpus::samples::{ACCEPT_DIRS, LOADERS};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = Path::new(args.first().map_or("../shared/corpora/ebpf-samples", String::as_str)).to_path_buf();
    let write = args.iter().position(|a| a == "--write").and_then(|i| args.get(i + 1));
    if let Err(why) = hive_kernel::available() {
        eprintln!("needs the host kernel: {why}");
        std::process::exit(2);
    }
    let mut out = String::from("# object\tsection\terrno\tkernel reason (samples_oracle on the host kernel)\n");
    let (mut loaded, mut refused) = (0, 0);
    for file in files_with_suffix(&dir, ".o") {
        let rel = file.strip_prefix(&dir).unwrap_or(&file).to_string_lossy().into_owned();
        if !ACCEPT_DIRS.contains(&rel.split('/').next().unwrap_or("")) {
            continue;
        }
        let Ok(spec) = open_object(&file) else { continue };
        let mut opts = VerifyObjectOptions::default();
        let mut gpl = false;
        if let Some(&(_, untyped, assume_gpl)) = LOADERS.iter().find(|(o, _, _)| *o == rel) {
            (opts.untyped, gpl) = (untyped, assume_gpl);
        }
        let maps: Result<Vec<hive_kernel::MapFd>, _> = spec
            .maps
            .iter()
            .map(|d| {
                hive_kernel::MapFd::create(&hive_kernel::MapSpec {
                    map_type: hive_kernel::MapType(d.map_type as u32),
                    key_size: d.key_size,
                    value_size: d.value_size,
                    max_entries: d.max_entries.max(1),
                    map_flags: d.flags,
                    name: String::new(),
                })
            })
            .collect();
        let Ok(maps) = maps else {
            eprintln!("{rel}: a map cannot be created in the host kernel; skipped");
            continue;
        };
        let fds: Vec<i32> = maps.iter().map(|m| m.as_raw_fd()).collect();
        for p in &spec.programs {
            let mut insns = p.insns.clone();
            for i in insns.iter_mut().filter(|i| i.code == 0x18) {
                match i.src {
                    5 => (i.src, i.imm) = (1, fds[i.imm as usize]),
                    6 => (i.src, i.imm) = (2, fds[i.imm as usize]),
                    _ => {}
                }
            }
            for s in p.subprograms.iter().filter(|s| matches!(s.name.as_str(), "memset" | "memcpy" | "memmove")) {
                if s.section == ".hive.builtins" {
                    insns[s.start] = hive_isa::RawInsn::new(0xb7, 0, 0, 0, 0);
                }
            }
            let (t, _) = effective_prog_type(p, &opts);
            let license = if gpl || p.gpl_compatible() { "GPL" } else { "" };
            let kopts = hive_kernel::LoadOptions {
                license,
                log_level: 1,
                log_size: 16 << 20,
                ..hive_kernel::LoadOptions::new(hive_kernel::ProgType::Other(t as u32))
            };
            match hive_kernel::load(&kopts, &insns) {
                Ok(_) => loaded += 1,
                Err(e) => {
                    refused += 1;
                    let line = format!("{rel}\t{}\t{}\t{}\n", p.section, e.errno, e.reason());
                    print!("{line}");
                    out += &line;
                }
            }
        }
    }
    eprintln!("host kernel: {loaded} programs load, {refused} refused");
    if let Some(path) = write {
        std::fs::write(path, out).expect("write");
    }
}
