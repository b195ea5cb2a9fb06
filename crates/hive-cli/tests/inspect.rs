//! `hive inspect` against the ELF corpora, through the binary (each run under a timeout):
//!
//! - every little-endian cilium/ebpf `testdata/*-el.elf` is inspected; the objects listed in
//!   [`CILIUM_REFUSED`] are ones libbpf refuses as well: a readable one is listed with exit
//!   status 0 and a warning giving libbpf's reason (exit 1 with `--strict`), an unreadable
//!   one exits 2 with the reason; every big-endian `*-eb.elf` is refused with a message
//!   saying so;
//! - every `ebpf-samples` object outside `invalid/` is inspected likewise ([`SAMPLES_REFUSED`]
//!   are the ones libbpf refuses); every file in `invalid/` is refused with a message or
//!   loads, never crashing or hanging;
//! - whatever is listed agrees with the ELF's own symbol table, read here independently of
//!   hive-object: every function symbol of a program section is a program (built or not),
//!   every `.maps` and legacy `maps` variable is a map, and every non-empty `.data*`,
//!   `.rodata*` and `.bss*` section is a map of that name.
//!
//! Each test skips with a note when the corpora are absent.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hive_corpus::paths::{corpus, files_with_suffix};
use serde_json::Value;

/// cilium/ebpf objects that are not loadable on their own, with the reason `hive inspect`
/// must give. libbpf refuses each of them too: `bpf_object__open` fails on an undefined
/// symbol without BTF in `.kconfig`/`.ksyms` ("failed to find BTF for extern"), and on the
/// malformed map definitions; cilium's own tests expect these failures (fwd_decl:
/// `ErrUnsatisfiedProgramReference`; invalid_*: load errors; linked1/linked2 only load once
/// linked into linked-el.elf; loader*'s `asm_relocation` needs `MY_CONST`, which no one
/// defines).
const CILIUM_REFUSED: &[(&str, &str)] = &[
    ("fwd_decl-el.elf", "call to undefined function fwd"),
    ("invalid_btf_map_init-el.elf", "cannot be loaded: map hash_map: non-zero bytes"),
    ("invalid_map-el.elf", "cannot be loaded: map invalid_map: 24-byte definition"),
    ("linked1-el.elf", "call to undefined function l2"),
    ("linked2-el.elf", "call to undefined function l1"),
    ("loader-clang-14-el.elf", "asm_relocation (section socket/2): extern MY_CONST"),
    ("loader-clang-17-el.elf", "asm_relocation (section socket/2): extern MY_CONST"),
    ("loader-clang-22-el.elf", "asm_relocation (section socket/2): extern MY_CONST"),
    ("loader-el.elf", "asm_relocation (section socket/2): extern MY_CONST"),
    ("loader_nobtf-el.elf", "asm_relocation (section socket/2): extern MY_CONST"),
];

/// ebpf-samples objects (outside `invalid/`) whose default programs call a function nothing
/// defines; libbpf refuses them at open for the same reason. (`build/externalfunction.o`
/// declares `bpf_map_lookup_elem` as an extern function and `falco/probe.o` calls a `memset`
/// clang left as a libc call: Hive resolves both, see hive-object's `builtins`.)
const SAMPLES_REFUSED: &[(&str, &str)] = &[
    // PREVAIL's own negative case (expected FAIL_LOAD_ELF).
    ("build/badrelo.o", "call to undefined function ebpf_map_update_elem"),
];

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// `hive ARGS`, killed after 60 s (a hang is a failure).
fn hive(args: &[&str]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hive"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn hive");
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = r.read_to_end(&mut s);
            String::from_utf8_lossy(&s).into_owned()
        })
    };
    let out = drain(Box::new(child.stdout.take().expect("stdout")));
    let err = drain(Box::new(child.stderr.take().expect("stderr")));
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("hive {args:?} did not finish in 60 s");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Run { code: status.code(), stdout: out.join().expect("stdout"), stderr: err.join().expect("stderr") }
}

fn inspect_json(path: &Path) -> (Run, Value) {
    let run = hive(&["inspect", "--json", path.to_str().expect("utf-8 path")]);
    let json = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{}: bad JSON ({e}): {}", path.display(), run.stdout));
    (run, json)
}

fn names(v: &Value, key: &str) -> BTreeSet<String> {
    v[key].as_array().into_iter().flatten().filter_map(|p| p["name"].as_str().map(str::to_string)).collect()
}

/// What the symbol table says libbpf would create.
#[derive(Debug, Default)]
struct Expected {
    /// Function symbols of program sections.
    programs: BTreeSet<String>,
    /// Program sections without function symbols (old objects): one program each.
    bare_sections: BTreeSet<String>,
    /// `.maps` and legacy `maps` variables, non-empty global-data sections.
    maps: BTreeSet<String>,
}

/// A minimal ELF64 little-endian reader: section headers, names, symbols.
fn expected_from_elf(b: &[u8]) -> Expected {
    let u16_at = |o: usize| u16::from_le_bytes(b[o..o + 2].try_into().unwrap());
    let u32_at = |o: usize| u32::from_le_bytes(b[o..o + 4].try_into().unwrap());
    let u64_at = |o: usize| u64::from_le_bytes(b[o..o + 8].try_into().unwrap()) as usize;
    let cstr = |o: usize| {
        let end = b[o..].iter().position(|&c| c == 0).map_or(b.len(), |n| o + n);
        String::from_utf8_lossy(&b[o..end]).into_owned()
    };
    struct Sh {
        name: String,
        ty: u32,
        flags: usize,
        offset: usize,
        size: usize,
        link: usize,
    }
    let (shoff, shentsize, shnum, shstrndx) =
        (u64_at(0x28), u16_at(0x3a) as usize, u16_at(0x3c) as usize, u16_at(0x3e) as usize);
    let raw: Vec<(u32, u32, usize, usize, usize, usize)> = (0..shnum)
        .map(|i| {
            let h = shoff + i * shentsize;
            (u32_at(h), u32_at(h + 4), u64_at(h + 8), u64_at(h + 24), u64_at(h + 32), u32_at(h + 40) as usize)
        })
        .collect();
    let strtab = raw[shstrndx].3;
    let sh: Vec<Sh> = raw
        .iter()
        .map(|&(n, ty, flags, offset, size, link)| Sh {
            name: cstr(strtab + n as usize),
            ty,
            flags,
            offset,
            size,
            link,
        })
        .collect();
    const SHT_PROGBITS: u32 = 1;
    const SHT_SYMTAB: u32 = 2;
    const SHT_NOBITS: u32 = 8;
    const SHF_EXECINSTR: usize = 4;
    let exec = |i: usize| sh[i].flags & SHF_EXECINSTR != 0 && sh[i].size > 0 && sh[i].ty == SHT_PROGBITS;
    let only_text = (0..sh.len()).filter(|&i| exec(i)).all(|i| sh[i].name == ".text");

    struct Sym {
        name: String,
        ty: u8,
        global: bool,
        shndx: usize,
    }
    let mut syms = Vec::new();
    if let Some(st) = sh.iter().find(|s| s.ty == SHT_SYMTAB) {
        let names = sh[st.link].offset;
        for k in 1..st.size / 24 {
            let e = st.offset + k * 24;
            let info = b[e + 4];
            syms.push(Sym {
                name: cstr(names + u32_at(e) as usize),
                ty: info & 0xf,
                global: info >> 4 != 0,
                shndx: u16_at(e + 6) as usize,
            });
        }
    }
    const STT_OBJECT: u8 = 1;
    const STT_FUNC: u8 = 2;
    const STT_SECTION: u8 = 3;

    let mut x = Expected::default();
    for (i, s) in sh.iter().enumerate() {
        let in_sec = || syms.iter().filter(move |y| y.shndx == i && !y.name.is_empty());
        if exec(i) {
            let text = s.name == ".text";
            let funcs: Vec<&Sym> = in_sec().filter(|y| y.ty == STT_FUNC).collect();
            if text && !only_text {
                continue;
            }
            let any_global = funcs.iter().any(|f| f.global);
            let entries: Vec<&&Sym> = funcs.iter().filter(|f| !(text && any_global) || f.global).collect();
            if entries.is_empty() {
                x.bare_sections.insert(s.name.clone());
            }
            x.programs.extend(entries.iter().map(|f| f.name.clone()));
        } else if s.name == ".maps" && s.ty == SHT_PROGBITS {
            x.maps.extend(in_sec().filter(|y| y.ty == STT_OBJECT).map(|y| y.name.clone()));
        } else if (s.name == "maps" || s.name.starts_with("maps/")) && s.ty == SHT_PROGBITS {
            // Static ones too (invalid_map_static-el.elf: cilium refuses it, libbpf before
            // 1.0 and hive-object read it; see hive-object's tests/cilium.rs).
            x.maps.extend(in_sec().filter(|y| y.ty != STT_SECTION).map(|y| y.name.clone()));
        } else {
            let is = |base: &str| s.name == base || s.name.strip_prefix(base).is_some_and(|r| r.starts_with('.'));
            let data = (s.ty == SHT_PROGBITS && (is(".data") || is(".rodata"))) || (s.ty == SHT_NOBITS && is(".bss"));
            if data && s.size > 0 {
                x.maps.insert(s.name.clone());
            }
        }
    }
    x
}

/// The listing agrees with the symbol table. Returns (programs, maps) listed.
fn check_against_elf(rel: &str, bytes: &[u8], json: &Value) -> (usize, usize) {
    let x = expected_from_elf(bytes);
    let built = names(json, "programs");
    let not_built = names(json, "not_built");
    let listed: BTreeSet<String> = built.union(&not_built).cloned().collect();
    for p in &x.programs {
        assert!(listed.contains(p), "{rel}: program symbol {p} is not listed");
    }
    let sections: BTreeSet<&str> = ["programs", "not_built"]
        .iter()
        .flat_map(|k| json[*k].as_array().into_iter().flatten())
        .filter_map(|p| p["section"].as_str())
        .collect();
    for s in &x.bare_sections {
        assert!(sections.contains(s.as_str()), "{rel}: program section {s} has no program");
    }
    assert_eq!(listed.len(), x.programs.len() + x.bare_sections.len(), "{rel}: {listed:?} vs {x:?}");
    let maps = names(json, "maps");
    for m in &x.maps {
        assert!(maps.contains(m), "{rel}: map {m} is not listed ({maps:?})");
    }
    // Beyond the symbol table: the .kconfig map, struct_ops values.
    for m in maps.difference(&x.maps) {
        let kind = json["maps"].as_array().unwrap().iter().find(|v| v["name"] == m.as_str()).unwrap();
        let ok = m == ".kconfig" || kind["type"] == "struct_ops";
        assert!(ok, "{rel}: unexpected map {m}: {kind}");
    }
    (listed.len(), maps.len())
}

/// An object libbpf refuses: unreadable ones (`cannot be loaded`) exit 2; readable ones are
/// listed with exit 0 and a warning naming `why`, and `--strict` turns that into exit 1.
fn check_refusal(path: &Path, rel: &str, run: &Run, why: &str) {
    assert!(run.stderr.contains(why), "{rel}: expected {why:?} in {}", run.stderr);
    if why.starts_with("cannot be loaded") {
        assert_eq!(run.code, Some(2), "{rel} cannot be read");
    } else {
        assert_eq!(run.code, Some(0), "{rel} is listed");
        assert!(run.stderr.contains("hive: warning: ") && run.stderr.contains("libbpf would load nothing"));
        let strict = hive(&["inspect", "--strict", path.to_str().unwrap()]);
        assert_eq!(strict.code, Some(1), "{rel} --strict");
        assert!(strict.stderr.contains("hive: error: ") && strict.stderr.contains(why), "{}", strict.stderr);
    }
    println!("{rel}: refused as libbpf refuses it: {}", run.stderr.trim_end());
}

fn refused(list: &'static [(&'static str, &'static str)], rel: &str) -> Option<&'static str> {
    list.iter().find(|(name, _)| rel.ends_with(name)).map(|&(_, why)| why)
}

#[test]
fn cilium_objects() {
    let Some(dir) = corpus("cilium-ebpf") else { return };
    let dir = dir.join("testdata");
    let (mut ok, mut refused_n, mut be, mut programs, mut maps) = (0, 0, 0, 0, 0);
    for path in files_with_suffix(&dir, "-el.elf") {
        let rel = path.strip_prefix(&dir).unwrap().display().to_string();
        let bytes = std::fs::read(&path).unwrap();
        let (run, json) = inspect_json(&path);
        match refused(CILIUM_REFUSED, &rel) {
            None => {
                assert_eq!(run.code, Some(0), "{rel}: {}", run.stderr);
                assert_eq!(json["ok"], true, "{rel}");
                ok += 1;
            }
            Some(why) => {
                check_refusal(&path, &rel, &run, why);
                refused_n += 1;
            }
        }
        if json.get("programs").is_some() {
            let (p, m) = check_against_elf(&rel, &bytes, &json);
            programs += p;
            maps += m;
        }
    }
    for path in files_with_suffix(&dir, "-eb.elf") {
        let run = hive(&["inspect", path.to_str().unwrap()]);
        assert_eq!(run.code, Some(2), "{}", path.display());
        assert!(run.stderr.contains("big-endian BPF object (bpfeb) is not supported"), "{}", run.stderr);
        be += 1;
    }
    println!(
        "cilium-ebpf: {ok} objects inspected ({programs} programs, {maps} maps, all matching the symbol tables); \
         {refused_n} refused as libbpf refuses them; {be} big-endian refused"
    );
    assert!(ok >= 15 && be >= 25, "{ok} {be}");
}

#[test]
fn ebpf_samples() {
    let Some(dir) = corpus("ebpf-samples") else { return };
    let (mut ok, mut refused_n, mut programs, mut maps) = (0, 0, 0, 0);
    for path in files_with_suffix(&dir, ".o").into_iter().filter(|p| !p.starts_with(dir.join("invalid"))) {
        let rel = path.strip_prefix(&dir).unwrap().display().to_string();
        let bytes = std::fs::read(&path).unwrap();
        let (run, json) = inspect_json(&path);
        match refused(SAMPLES_REFUSED, &rel) {
            None => {
                assert_eq!(run.code, Some(0), "{rel}: {}", run.stderr);
                ok += 1;
            }
            Some(why) => {
                check_refusal(&path, &rel, &run, why);
                refused_n += 1;
            }
        }
        let (p, m) = check_against_elf(&rel, &bytes, &json);
        programs += p;
        maps += m;
    }
    println!(
        "ebpf-samples: {ok} objects inspected, {refused_n} refused as libbpf refuses them \
         ({programs} programs, {maps} maps, all matching the symbol tables)"
    );
    assert!(ok >= 115, "{ok}");
}

#[test]
fn invalid_files_are_refused_or_load_never_crash() {
    let Some(dir) = corpus("ebpf-samples") else { return };
    let mut files: Vec<_> = std::fs::read_dir(dir.join("invalid")).unwrap().flatten().map(|e| e.path()).collect();
    files.sort();
    let (mut loads, mut refusals) = (0, 0);
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let run = hive(&["inspect", path.to_str().unwrap()]);
        match run.code {
            Some(0) => {
                println!(
                    "invalid/{name}: well-formed enough to load ({} lines listed); the verifier judges it",
                    run.stdout.lines().count()
                );
                loads += 1;
            }
            Some(2) => {
                let msg = run.stderr.trim_end();
                assert!(
                    msg.starts_with("hive: ")
                        && (msg.contains("cannot be loaded: ") || msg.contains("cannot be built")),
                    "{name}: {msg}"
                );
                println!("invalid/{name}: {msg}");
                refusals += 1;
            }
            other => panic!("invalid/{name}: exit {other:?} (a crash?): {}", run.stderr),
        }
    }
    println!("invalid/: {refusals} refused with a message, {loads} load");
    assert!(refusals >= 6, "{refusals}");
}

#[test]
fn text_output_and_errors() {
    // The committed hive-object test object (clang-19): no corpora needed.
    let obj = concat!(env!("CARGO_MANIFEST_DIR"), "/../hive-object/tests/data/features.bpf.o");
    let run = hive(&["inspect", obj]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    for needle in ["license:", "programs (", "maps (", "first", "socket_filter", ".data"] {
        assert!(run.stdout.contains(needle), "{needle} not in\n{}", run.stdout);
    }
    let (run, json) = inspect_json(Path::new(obj));
    assert_eq!(run.code, Some(0));
    let first = json["programs"].as_array().unwrap().iter().find(|p| p["name"] == "first").unwrap();
    assert_eq!(first["type"], "socket_filter");
    assert_eq!(first["autoload"], true);
    assert!(first["insns"].as_u64().unwrap() > 0);
    let not_auto = json["programs"].as_array().unwrap().iter().find(|p| p["name"] == "not_autoloaded").unwrap();
    assert_eq!(not_auto["autoload"], false);

    let missing = hive(&["inspect", "/nonexistent/x.o"]);
    assert_eq!(missing.code, Some(2));
    assert!(missing.stderr.contains("cannot read /nonexistent/x.o"), "{}", missing.stderr);
    let not_elf = hive(&["inspect", concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")]);
    assert_eq!(not_elf.code, Some(2));
    assert!(not_elf.stderr.contains("cannot be loaded: not an ELF file"), "{}", not_elf.stderr);
}

#[test]
fn kconfig_values_come_from_the_given_config() {
    let Some(dir) = corpus("cilium-ebpf") else { return };
    let obj = dir.join("testdata/kconfig-el.elf");
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let full = tmp.join("inspect-full.config");
    let partial = tmp.join("inspect-partial.config");
    std::fs::write(&full, "CONFIG_HZ=100\nCONFIG_BPF_SYSCALL=y\nCONFIG_DEFAULT_HOSTNAME=\"x\"\n").unwrap();
    std::fs::write(&partial, "CONFIG_BPF_SYSCALL=y\n").unwrap();
    let run = hive(&["inspect", obj.to_str().unwrap(), "--kconfig", full.to_str().unwrap()]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout.contains(".kconfig"), "{}", run.stdout);
    let run = hive(&["inspect", obj.to_str().unwrap(), "--kconfig", partial.to_str().unwrap()]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains(
            "extern CONFIG_HZ: strong __kconfig extern has no value (give a kernel config with --kconfig FILE)"
        ),
        "{}",
        run.stderr
    );
}
