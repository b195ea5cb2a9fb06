//! hive-object against the ELF corpora: every little-endian object reads into an
//! [`ObjectSpec`], big-endian ones are refused clearly, and malformed or mutated files give
//! errors, never panics.

mod common;

use std::path::Path;

use common::{corpus, elf_files};
use hive_object::{LoadOptions, ObjectError, ObjectSpec, ProgramSelection, TargetBtf, program_sections};

/// Nothing required: every program that can be built is, the others are listed with their
/// error (what a tool listing an object wants).
fn lenient() -> LoadOptions {
    LoadOptions { programs: ProgramSelection::Only(vec![]), target_btf: TargetBtf::Own, ..Default::default() }
}

#[test]
fn ebpf_samples_parse() {
    let Some(dir) = corpus("ebpf-samples") else { return };
    let (mut objects, mut programs, mut skipped, mut maps, mut invalid) = (0, 0, 0, 0, 0);
    let mut skipped_why: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for path in elf_files(&dir).into_iter().chain(invalid_files(&dir)) {
        let rel = path.strip_prefix(&dir).unwrap_or(&path).display().to_string();
        let bytes = std::fs::read(&path).expect("read");
        match ObjectSpec::parse(&bytes, &lenient()) {
            Ok(spec) => {
                objects += 1;
                programs += spec.programs.len();
                skipped += spec.skipped.len();
                maps += spec.maps.len();
                for p in &spec.programs {
                    assert!(!p.insns.is_empty(), "{rel}: {} is empty", p.name);
                    assert_eq!(p.subprograms[0].name, p.name);
                }
                for s in &spec.skipped {
                    skipped_why.entry(format!("{rel}: {}", s.error)).or_default().push(s.name.clone());
                }
            }
            Err(e) => {
                assert!(rel.starts_with("invalid/"), "{rel}: {e}");
                println!("{rel}: refused: {e}");
                invalid += 1;
            }
        }
    }
    println!(
        "ebpf-samples: {objects} objects -> {programs} programs, {maps} maps; {skipped} programs cannot be built; {invalid} invalid files refused"
    );
    for (why, names) in &skipped_why {
        println!(
            "  {why} ({} programs: {}{})",
            names.len(),
            names[..names.len().min(3)].join(", "),
            if names.len() > 3 { ", ..." } else { "" }
        );
    }
    assert!(objects >= 120, "{objects}");
    assert!(invalid >= 6, "{invalid}");
    // Only the deliberately broken relocation test cannot be built: falco's memset calls link
    // Hive's built-in memset, externfunction's `bpf_map_lookup_elem` extern is the helper.
    let unbuildable: Vec<&String> = skipped_why.keys().collect();
    assert!(unbuildable.len() == 1 && unbuildable[0].starts_with("build/badrelo.o: "), "{unbuildable:?}");
}

#[test]
fn falco_memset_calls_link_the_builtin() {
    let Some(dir) = corpus("ebpf-samples") else { return };
    let bytes = std::fs::read(dir.join("falco/probe.o")).expect("read");
    let spec = ObjectSpec::parse(&bytes, &lenient()).expect("parse");
    let p = spec.program("bpf_sys_open_x").expect("program");
    let memset = p.subprograms.iter().find(|s| s.name == "memset").expect("memset linked in");
    // Its first instruction is `r0 = r1`; every call to it is a pseudo call landing there.
    assert_eq!((p.insns[memset.start].code, p.insns[memset.start].dst, p.insns[memset.start].src), (0xbf, 0, 1));
    let calls = (0..p.insns.len())
        .filter(|&i| p.insns[i].code == 0x85 && p.insns[i].src == 1)
        .filter(|&i| (i as i64 + 1 + i64::from(p.insns[i].imm)) as usize == memset.start)
        .count();
    assert!(calls >= 1);
}

/// `invalid/` holds fuzzer finds, some of which are not ELF at all.
fn invalid_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> =
        std::fs::read_dir(dir.join("invalid")).into_iter().flatten().flatten().map(|e| e.path()).collect();
    v.retain(|p| !std::fs::read(p).is_ok_and(|b| b.starts_with(b"\x7fELF")));
    v.sort();
    v
}

#[test]
fn cilium_objects_parse() {
    let Some(dir) = corpus("cilium-ebpf") else { return };
    let (mut ok, mut be, mut programs, mut maps) = (0, 0, 0, 0);
    for path in elf_files(&dir) {
        let rel = path.strip_prefix(&dir).unwrap_or(&path).display().to_string();
        let bytes = std::fs::read(&path).expect("read");
        match ObjectSpec::parse(&bytes, &lenient()) {
            Ok(spec) => {
                ok += 1;
                programs += spec.programs.len();
                maps += spec.maps.len();
                for s in &spec.skipped {
                    println!("{rel}: {} cannot be built: {}", s.name, s.error);
                }
            }
            Err(ObjectError::BigEndian) => {
                assert!(rel.contains("-eb."), "{rel}: refused as big-endian");
                be += 1;
            }
            // Objects the loader must refuse (cilium's own tests expect these to fail).
            Err(e) if rel.contains("invalid_map-") || rel.contains("invalid_btf_map_init-") => {
                println!("{rel}: refused: {e}")
            }
            // kconfig.c needs CONFIG_* values (tests/cilium.rs supplies them).
            Err(e @ ObjectError::Extern { .. }) if rel.contains("kconfig-") => println!("{rel}: refused: {e}"),
            Err(e) => panic!("{rel}: {e}"),
        }
    }
    println!("cilium-ebpf: {ok} objects -> {programs} programs, {maps} maps; {be} big-endian refused");
    assert!(ok > 25);
}

#[test]
fn raw_program_sections() {
    for sub in ["ebpf-samples", "cilium-ebpf"] {
        let Some(dir) = corpus(sub) else { continue };
        let (mut ok, mut sections, mut functions) = (0, 0, 0);
        for path in elf_files(&dir) {
            let rel = path.strip_prefix(&dir).unwrap_or(&path).display().to_string();
            match program_sections(&std::fs::read(&path).expect("read")) {
                Ok(progs) => {
                    ok += 1;
                    sections += progs.len();
                    for p in &progs {
                        functions += p.functions.len();
                        assert!(p.functions.iter().all(|f| f.offset <= p.insns.len()), "{rel}: {}", p.name);
                    }
                }
                Err(ObjectError::BigEndian) => assert!(rel.contains("-eb."), "{rel}"),
                Err(e) => assert!(rel.starts_with("invalid/"), "{rel}: {e}"),
            }
        }
        println!("{sub}: {ok} objects read ({sections} program sections, {functions} functions)");
    }
}

#[test]
fn cilium_loader_functions() {
    let Some(dir) = corpus("cilium-ebpf") else { return };
    let bytes = std::fs::read(dir.join("testdata/loader-el.elf")).expect("read loader-el.elf");
    let progs = program_sections(&bytes).expect("parse");
    let text = progs.iter().find(|p| p.name == ".text").expect(".text");
    let names: Vec<_> = text.functions.iter().map(|f| (f.name.as_str(), f.offset, f.global)).collect();
    assert_eq!(names, [("global_fn2", 0, true), ("global_fn", 3, true)]);
    let xdp = progs.iter().find(|p| p.name == "xdp").expect("xdp");
    assert_eq!(xdp.functions[0].name, "xdp_prog");
    assert_eq!(xdp.functions[0].len, xdp.insns.len());
}

/// A small deterministic generator, so the mutations are the same on every run.
fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn malformed_and_mutated_files_never_panic() {
    let Some(dir) = corpus("ebpf-samples") else { return };
    let mut files = elf_files(&dir);
    files.extend(invalid_files(&dir));
    if let Some(c) = corpus("cilium-ebpf") {
        files.extend(elf_files(&c).into_iter().filter(|p| p.to_string_lossy().contains("-el.")));
    }
    // Large objects are mutated less often: the point is variety, not volume.
    let opts = LoadOptions { programs: ProgramSelection::All, target_btf: TargetBtf::Own, ..Default::default() };
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let (mut tried, mut parsed) = (0, 0);
    for path in files {
        let bytes = std::fs::read(&path).expect("read");
        let rounds = if bytes.len() > 200_000 { 2 } else { 12 };
        let mut attempt = |b: &[u8]| {
            let _ = program_sections(b);
            parsed += usize::from(ObjectSpec::parse(b, &opts).is_ok());
            parsed += usize::from(ObjectSpec::parse(b, &lenient()).is_ok());
            tried += 1;
        };
        attempt(&bytes);
        for k in 0..rounds {
            attempt(&bytes[..bytes.len() * k / rounds]);
            let mut m = bytes.clone();
            for _ in 0..4 {
                let at = (xorshift(&mut state) as usize) % m.len().max(1);
                if let Some(b) = m.get_mut(at) {
                    *b ^= (xorshift(&mut state) as u8) | 1;
                }
            }
            attempt(&m);
        }
    }
    println!("{tried} original, truncated or mutated objects read without panicking ({parsed} parses succeeded)");
}

/// Random byte flips rarely land in `.BTF` or `.BTF.ext`, where map definitions, externs and
/// CO-RE records live; these mutations aim there.
#[test]
fn btf_mutations_never_panic() {
    let Some(dir) = corpus("cilium-ebpf") else { return };
    let files = [
        "btf/testdata/relocs-el.elf",
        "btf/testdata/relocs_read-el.elf",
        "testdata/loader-el.elf",
        "testdata/errors-el.elf",
        "testdata/kfunc-el.elf",
        "testdata/ksym-el.elf",
        "testdata/kconfig-el.elf",
        "testdata/btf_map_init-el.elf",
        "testdata/struct_ops-el.elf",
    ];
    let mut kconfig = hive_object::KconfigValues::new();
    kconfig.extend_from_config("CONFIG_HZ=100\nCONFIG_BPF_SYSCALL=y\nCONFIG_DEFAULT_HOSTNAME=\"x\"\n");
    let opts = LoadOptions { programs: ProgramSelection::All, target_btf: TargetBtf::Own, kconfig };
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let (mut tried, mut parsed) = (0, 0);
    for file in files {
        let bytes = std::fs::read(dir.join(file)).expect("read");
        let secs = hive_btf::elf_sections(&bytes).expect("sections");
        for sec in [secs.btf, secs.btf_ext].into_iter().flatten() {
            let start = sec.as_ptr() as usize - bytes.as_ptr() as usize;
            for _ in 0..400 {
                let mut m = bytes.clone();
                for _ in 0..1 + xorshift(&mut state) % 3 {
                    let at = start + (xorshift(&mut state) as usize) % sec.len();
                    m[at] ^= (xorshift(&mut state) as u8) | 1;
                }
                parsed += usize::from(ObjectSpec::parse(&m, &opts).is_ok());
                tried += 1;
            }
        }
    }
    println!("{tried} objects with mutated BTF read without panicking ({parsed} still parse)");
}

/// After libbpf's fix-ups (DATASEC sizes and offsets, extern linkage), the object's BTF
/// passes every check of the kernel's `BPF_BTF_LOAD` (as `hive-btf` implements them).
#[test]
fn fixed_up_btf_passes_kernel_checks() {
    let (mut ok, mut before, mut failed) = (0, 0, Vec::new());
    for sub in ["ebpf-samples", "cilium-ebpf"] {
        let Some(dir) = corpus(sub) else { continue };
        for path in elf_files(&dir) {
            let rel = path.strip_prefix(&dir).unwrap_or(&path).display().to_string();
            let bytes = std::fs::read(&path).expect("read");
            let Ok(spec) = ObjectSpec::parse(&bytes, &lenient()) else { continue };
            let Some(btf) = &spec.btf else { continue };
            let raw = hive_btf::elf_sections(&bytes).ok().and_then(|s| s.btf);
            before += usize::from(raw.is_some_and(|r| hive_btf::Btf::parse_strict(r).is_ok()));
            match hive_btf::Btf::parse_strict(btf.as_bytes()) {
                Ok(_) => ok += 1,
                // Objects whose functions call undefined non-kfunc externs cannot load at all.
                Err(e) => failed.push(format!("{sub}/{rel}: {e}")),
            }
        }
    }
    println!("{ok} object BTFs pass the kernel's checks after fix-ups ({before} did before); {} do not:", failed.len());
    for f in &failed {
        println!("  {f}");
        // An undefined extern function (not a __ksym kfunc): such objects cannot load.
        assert!(f.contains("Invalid func linkage"), "{f}");
    }
    if corpus("cilium-ebpf").is_some() && corpus("ebpf-samples").is_some() {
        assert!(ok >= 80 && failed.len() <= 6, "{ok} pass, {} fail", failed.len());
    }
}

/// Every program's own BTF (`ProgramSpec::btf`) passes the kernel's checks, holds its
/// func info's `FUNC`s under the same names, and its line info's strings under the new
/// offsets; programs of an object with BTF and func info always have one.
#[test]
fn program_btfs_pass_kernel_checks() {
    let (mut programs, mut objects, mut types, mut object_types) = (0, 0, 0, 0);
    for sub in ["ebpf-samples", "cilium-ebpf"] {
        let Some(dir) = corpus(sub) else { continue };
        for path in elf_files(&dir) {
            let rel = path.strip_prefix(&dir).unwrap_or(&path).display().to_string();
            let bytes = std::fs::read(&path).expect("read");
            let Ok(spec) = ObjectSpec::parse(&bytes, &lenient()) else { continue };
            let Some(obj) = &spec.btf else {
                assert!(spec.programs.iter().all(|p| p.btf.is_none()), "{rel}");
                continue;
            };
            objects += 1;
            for p in &spec.programs {
                let Some(own) = &p.btf else {
                    assert!(p.func_info.is_empty(), "{rel}: {}: func info but no program BTF", p.name);
                    continue;
                };
                let btf = hive_btf::Btf::parse_strict(&own.bytes).unwrap_or_else(|e| panic!("{rel}: {}: {e}", p.name));
                assert_eq!(own.func_info.len(), p.func_info.len());
                for (o, f) in p.func_info.iter().zip(&own.func_info) {
                    assert_eq!(o.insn, f.insn);
                    assert_eq!(own.type_id(o.type_id), Some(f.type_id));
                    assert_eq!(btf.type_by_id(f.type_id).map(|t| t.name()), obj.type_by_id(o.type_id).map(|t| t.name()));
                }
                assert_eq!(own.line_info.len(), p.line_info.len());
                for (o, l) in p.line_info.iter().zip(&own.line_info) {
                    assert_eq!((o.insn, o.line, o.col), (l.insn, l.line, l.col));
                    assert_eq!(btf.str_at(l.file_name_off), obj.str_at(o.file_name_off), "{rel}: {}", p.name);
                    assert_eq!(btf.str_at(l.line_off), obj.str_at(o.line_off), "{rel}: {}", p.name);
                }
                programs += 1;
                types += btf.type_count() as usize - 1;
                object_types += obj.type_count() as usize - 1;
            }
        }
    }
    println!(
        "{programs} programs of {objects} objects with BTF: each one's own BTF passes the kernel's checks \
         ({types} types in all, against {object_types} if each had its object's)"
    );
}
