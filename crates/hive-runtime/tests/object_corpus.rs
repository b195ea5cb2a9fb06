//! Every object of the ebpf-samples corpus (linux, new_linux, ovs, suricata, falco,
//! prototype-kernel, and the PREVAIL build folder) and every little-endian cilium/ebpf test
//! object goes through `Client::load_object`: it loads, or each refusal has one of the
//! documented reasons below. Programs that refuse are switched off one at a time (libbpf's
//! `bpf_program__set_autoload(false)`) so the rest of the object still loads; the ones that
//! load and have a test run are run once on the default input.
//!
//! Skips with a note when the corpora are absent.

mod object_support;

use std::collections::BTreeMap;
use std::path::Path;

use hive::object::{ObjectLoadError, ObjectLoadOptions, ObjectPart, default_test_input};
use hive_object::{LoadOptions, ObjectSpec, ProgramSelection, TargetBtf};
use object_support::{corpus, elf_files, runtime};

/// Why an object, map or program may be refused, each with the reason in a few words.
const DOCUMENTED: &[(&str, &str)] = &[
    ("is not implemented by Hive", "a map type, helper or kfunc Hive does not implement yet"),
    ("is not loaded", "an initial prog-array slot names a program that was refused"),
    ("max_entries 0", "a map size left for user space to set before load (the kernel refuses 0 too)"),
    ("struct_ops maps are not implemented", "struct_ops maps"),
    ("names no program type", "section name outside libbpf's table (libbpf refuses it too)"),
    ("not found in the runtime", "a kernel variable or kfunc the runtime does not have (.ksyms)"),
    ("BPF_PSEUDO_BTF_ID", "a typed ksym load (needs kernel BTF)"),
    ("cannot use helper", "a helper the program type does not offer (the kernel refuses it too)"),
    ("invalid func unknown#", "a helper id outside the kernel's enum: CO-RE poison or a libbpf-poisoned kfunc"),
    ("GPL-restricted", "a GPL-only helper from a non-GPL program (the kernel refuses it too)"),
    ("can only be sleepable", "sleepable program types"),
    ("can be sleepable", "sleepable programs of a type that cannot sleep"),
    ("kernel btf_id", "a kfunc call without a resolved id"),
    ("fd array:", "an fd array definition the kernel refuses (sizes)"),
    ("BTF key/value types do not match", "BTF map types that disagree with the sizes"),
    ("unknown opcode", "an instruction the kernel does not accept (callx)"),
    ("invalid bpf_ld_imm64", "a malformed lddw"),
    ("does not decode", "instructions that do not decode"),
];

fn documented(e: &ObjectLoadError) -> Option<&'static str> {
    let text = e.to_string();
    DOCUMENTED.iter().find(|(pat, _)| text.contains(pat)).map(|&(_, why)| why)
}

#[derive(Default)]
struct Tally {
    objects: usize,
    loaded: usize,
    maps: usize,
    programs: usize,
    refused_programs: usize,
    ran: usize,
    run_errors: usize,
    parse_refused: usize,
    undocumented: usize,
    why: BTreeMap<String, Vec<String>>,
}

impl Tally {
    fn refuse(&mut self, why: &str, what: String) {
        self.why.entry(why.to_string()).or_default().push(what);
    }

    fn print(&self, name: &str) {
        println!(
            "{name}: {} objects: {} loaded ({} maps, {} programs loaded, {} programs refused), {} not loadable; \
             {} parse refusals; {} programs test-ran, {} run errors",
            self.objects,
            self.loaded,
            self.maps,
            self.programs,
            self.refused_programs,
            self.objects - self.loaded - self.parse_refused,
            self.parse_refused,
            self.ran,
            self.run_errors
        );
        for (why, what) in &self.why {
            let more = if what.len() > 3 { ", ..." } else { "" };
            println!("  {} x {why}: {}{more}", what.len(), what[..what.len().min(3)].join(", "));
        }
    }
}

fn parse(bytes: &[u8]) -> Result<ObjectSpec, hive_object::ObjectError> {
    let opts = LoadOptions { target_btf: TargetBtf::Own, ..Default::default() };
    match ObjectSpec::parse(bytes, &opts) {
        Ok(spec) => Ok(spec),
        // Some program cannot be built: load the others, as with autoload switched off.
        Err(_) => ObjectSpec::parse(bytes, &LoadOptions { programs: ProgramSelection::Only(vec![]), ..opts }).map(|mut s| {
            for p in &mut s.programs {
                p.autoload = !p.section.starts_with('?');
            }
            s
        }),
    }
}

/// Loads one object, switching refused programs off until the rest loads.
fn load_one(path: &Path, rel: &str, t: &mut Tally) {
    t.objects += 1;
    let bytes = std::fs::read(path).expect("read");
    let mut spec = match parse(&bytes) {
        Ok(s) => s,
        Err(e) => {
            t.parse_refused += 1;
            t.refuse(&format!("hive-object: {e}"), rel.to_string());
            return;
        }
    };
    for s in &spec.skipped {
        t.refuse(&format!("hive-object cannot build the program: {}", s.error), format!("{rel}:{}", s.name));
    }
    let (rt, _) = runtime();
    let client = rt.client();
    let name = path.file_name().unwrap().to_string_lossy().split('.').next().unwrap_or("").to_string();
    let opts = ObjectLoadOptions { object_name: name, log_level: 0, legacy_sections: true };
    loop {
        match client.load_object(&spec, &opts) {
            Ok(obj) => {
                t.loaded += 1;
                t.maps += obj.maps.len();
                t.programs += obj.programs.len();
                for (pname, fd) in &obj.programs {
                    let ty = client.prog_info(*fd).unwrap().prog_type;
                    match client.prog_test_run(*fd, &default_test_input(ty)) {
                        Ok(_) => t.ran += 1,
                        // No test run for the type (ENOTSUPP), as in the kernel.
                        Err(e) if e.errno() == hive::ENOTSUPP => {}
                        Err(e) => {
                            t.run_errors += 1;
                            let kind = e.to_string().split(':').take(2).collect::<Vec<_>>().join(":");
                            t.refuse(&format!("run on the default input: {kind}"), format!("{rel}:{pname}"));
                        }
                    }
                }
                return;
            }
            Err(e) => {
                // PREVAIL's build/ cases include programs made to be refused; the verifier's
                // verdict on each is measured by `hive corpus samples`.
                let prevail_case = rel.starts_with("build/") && e.errno() == libc::EACCES;
                let why = if prevail_case { Some("refused by the verifier (a PREVAIL build/ case)") } else { documented(&e) };
                match why {
                    // Name what is missing: which map type, helper or kfunc.
                    Some(why) if why.contains("does not implement") => {
                        let msg = e.error.to_string();
                        let what = msg.rsplit(": ").next().unwrap_or(&msg).replace(" is not implemented by Hive", "");
                        t.refuse(&format!("{why}: {}", what.trim_end_matches(" yet")), format!("{rel}:{}", e.part))
                    }
                    Some(why) => t.refuse(why, format!("{rel}:{}", e.part)),
                    None => {
                        t.undocumented += 1;
                        t.refuse(&format!("UNDOCUMENTED {e}"), format!("{rel}:{}", e.part));
                    }
                }
                match &e.part {
                    ObjectPart::Program(p) => {
                        t.refused_programs += 1;
                        let p = spec.programs.iter_mut().find(|x| &x.name == p).unwrap();
                        p.autoload = false;
                    }
                    ObjectPart::Map(_) | ObjectPart::Btf => return,
                }
            }
        }
    }
}

#[test]
fn ebpf_samples_load() {
    let Some(dir) = corpus("ebpf-samples") else { return };
    let mut total = Tally::default();
    for sub in ["linux", "new_linux", "ovs", "suricata", "falco", "prototype-kernel", "build"] {
        let mut t = Tally::default();
        for path in elf_files(&dir.join(sub)) {
            let rel = path.strip_prefix(&dir).unwrap().display().to_string();
            load_one(&path, &rel, &mut t);
        }
        println!("{sub}: {} objects, {} loaded, {} programs loaded, {} ran", t.objects, t.loaded, t.programs, t.ran);
        total.objects += t.objects;
        total.loaded += t.loaded;
        total.maps += t.maps;
        total.programs += t.programs;
        total.refused_programs += t.refused_programs;
        total.ran += t.ran;
        total.run_errors += t.run_errors;
        total.parse_refused += t.parse_refused;
        total.undocumented += t.undocumented;
        for (k, v) in t.why {
            total.why.entry(k).or_default().extend(v);
        }
    }
    total.print("ebpf-samples");
    assert_eq!(total.undocumented, 0, "refusals without a documented reason");
    assert!(total.loaded * 10 >= total.objects * 6, "{} of {} objects loaded", total.loaded, total.objects);
}

#[test]
fn cilium_objects_load() {
    let Some(dir) = corpus("cilium-ebpf") else { return };
    let mut t = Tally::default();
    for path in elf_files(&dir).into_iter().filter(|p| p.to_string_lossy().contains("-el.")) {
        let rel = path.strip_prefix(&dir).unwrap().display().to_string();
        load_one(&path, &rel, &mut t);
    }
    t.print("cilium-ebpf");
    assert_eq!(t.undocumented, 0, "refusals without a documented reason");
    assert!(t.loaded * 10 >= t.objects * 6, "{} of {} objects loaded", t.loaded, t.objects);
}
