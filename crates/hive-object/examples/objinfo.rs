//! Prints what hive-object makes of BPF objects: `objinfo FILE... [--all] [--own]`.

use hive_object::{LoadOptions, ObjectSpec, ProgramSelection, TargetBtf};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut opts = LoadOptions::default();
    if args.iter().any(|a| a == "--all") {
        opts.programs = ProgramSelection::All;
    }
    if args.iter().any(|a| a == "--own") {
        opts.target_btf = TargetBtf::Own;
    }
    let verbose = args.iter().any(|a| a == "-v");
    for path in args.iter().filter(|a| !a.starts_with("--") && *a != "-v") {
        let bytes = std::fs::read(path).expect("read");
        match ObjectSpec::parse(&bytes, &opts) {
            Ok(spec) => {
                println!(
                    "{path}: {} programs, {} maps, {} skipped",
                    spec.programs.len(),
                    spec.maps.len(),
                    spec.skipped.len()
                );
                if verbose {
                    for p in &spec.programs {
                        println!(
                            "  prog {} [{}] {} {:?} insns={} funcs={} lines={} externs={} poisoned={} subprogs={:?}",
                            p.name,
                            p.section,
                            p.prog_type,
                            p.expected_attach_type,
                            p.insns.len(),
                            p.func_info.len(),
                            p.line_info.len(),
                            p.externs.len(),
                            p.poisoned.len(),
                            p.subprograms.iter().map(|s| &s.name).collect::<Vec<_>>()
                        );
                    }
                    for m in &spec.maps {
                        println!(
                            "  map {} {:?} {} k={} v={} n={} flags={:#x} pin={:?} inner={} init={:?}",
                            m.name,
                            m.kind,
                            m.map_type,
                            m.key_size,
                            m.value_size,
                            m.max_entries,
                            m.flags,
                            m.pinning,
                            m.inner.is_some(),
                            m.initial_values
                        );
                    }
                    for s in &spec.skipped {
                        println!("  skipped {}: {}", s.name, s.error);
                    }
                }
            }
            Err(e) => println!("{path}: ERROR {e}"),
        }
    }
}
