//! `hive inspect OBJ.o`: what a loader would make of a BPF ELF object, before any kernel is
//! involved: programs after relocation and linking, maps, BTF, license, kernel version.
//!
//! Presentation only: [`hive_object::ObjectSpec::parse`] does the work. The object is read
//! with no program required (`ProgramSelection::Only(vec![])`), so that every program that
//! can be built is listed and every one that cannot is listed with its error; the exit status
//! then applies libbpf's rule (see [`AFTER_HELP`]).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Args;
use hive_object::{
    CoreTarget, KconfigValues, LoadOptions, MapDef, ObjectError, ObjectSpec, ProgramSelection, ProgramSpec,
    SkippedProgram, TargetBtf,
};
use serde_json::{Value, json};

/// The exit-status rule, shown by `hive inspect --help`.
pub const AFTER_HELP: &str = "\
Exit status:
  0  the object reads (ELF, BTF, maps, externs) and is listed. When a program libbpf loads
     by default (section not starting with '?') cannot be built (undefined function, CO-RE
     relocation without a consistent target, ...), libbpf's bpf_object__load would fail and
     load nothing: the listing says so under 'not built', with the program, the relocation
     and the C source line when .BTF.ext has line info, and a warning goes to stderr.
     Programs with autoload off that cannot be built are listed the same way.
  1  with --strict: the object reads, but libbpf would refuse it as above.
  2  the object cannot be read (not ELF, big-endian, malformed, bad map definition, kconfig
     extern without a value, ...).

CO-RE target: /sys/kernel/btf/vmlinux when it exists, else the object's own BTF (every local
type is its own target); --target-btf overrides (raw BTF, an ELF with .BTF, or either
gzipped). Kconfig externs take their values from --kconfig, else from
/boot/config-$(uname -r) or /proc/config.gz, as libbpf does.";

/// `hive inspect` arguments.
#[derive(Debug, Args)]
#[command(after_help = AFTER_HELP)]
pub struct InspectArgs {
    /// The BPF ELF object.
    pub file: PathBuf,
    /// Print one JSON object instead of tables.
    #[arg(long)]
    pub json: bool,
    /// BTF to resolve CO-RE relocations against [default: /sys/kernel/btf/vmlinux if present,
    /// else the object's own BTF].
    #[arg(long, value_name = "FILE")]
    pub target_btf: Option<PathBuf>,
    /// Kernel config (`CONFIG_X=y` lines, plain or gzipped) for `__kconfig` externs
    /// [default: the running kernel's].
    #[arg(long, value_name = "FILE")]
    pub kconfig: Option<PathBuf>,
    /// Exit with status 1 when libbpf would refuse the object (a program it loads by
    /// default cannot be built).
    #[arg(long)]
    pub strict: bool,
}

const HOST_VMLINUX: &str = "/sys/kernel/btf/vmlinux";

pub fn run(args: &InspectArgs) -> Result<ExitCode> {
    let file = args.file.display().to_string();
    let bytes = read(&args.file)?;
    let (target_btf, target_name) = target(args.target_btf.as_deref())?;
    let kconfig = kconfig(args.kconfig.as_deref())?;
    let opts = LoadOptions { target_btf, kconfig, programs: ProgramSelection::Only(vec![]) };
    let spec = match ObjectSpec::parse(&bytes, &opts) {
        Ok(spec) => spec,
        Err(e) => {
            // The library names its own option; the command's user has --kconfig.
            let e =
                e.to_string().replace("supply it in LoadOptions::kconfig", "give a kernel config with --kconfig FILE");
            let message = format!("{file}: cannot be loaded: {e}");
            if args.json {
                let out = json!({ "file": file, "ok": false, "error": message, "target_btf": target_name });
                println!("{}", serde_json::to_string_pretty(&out)?);
            }
            eprintln!("hive: {message}");
            return Ok(ExitCode::from(2));
        }
    };
    let report = Report::new(&bytes, &spec, target_name);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report.json(&file))?);
    } else {
        print!("{}", report.text(&file));
    }
    let failed: Vec<&NotBuilt> = report.not_built.iter().filter(|n| n.autoload).collect();
    if failed.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    let total = report.programs.iter().filter(|p| p.autoload).count() + failed.len();
    let level = if args.strict { "error" } else { "warning" };
    eprintln!(
        "hive: {level}: {file}: {} of {total} programs loaded by default cannot be built, so libbpf would load nothing:",
        failed.len()
    );
    // One line per distinct reason: falco's probe.o has 81 programs calling an undefined memset.
    let mut reasons: Vec<(&str, Vec<&NotBuilt>)> = Vec::new();
    for n in failed {
        match reasons.iter_mut().find(|(r, _)| *r == n.error) {
            Some((_, v)) => v.push(n),
            None => reasons.push((&n.error, vec![n])),
        }
    }
    for (reason, programs) in reasons {
        let reason = reason.replace('\n', "\n    ");
        match programs.as_slice() {
            [one] => eprintln!("  {} (section {}): {reason}", one.name, one.section),
            many => {
                let names: Vec<&str> = many.iter().take(3).map(|n| n.name.as_str()).collect();
                let more = if many.len() > 3 { format!(" and {} more", many.len() - 3) } else { String::new() };
                eprintln!("  {} programs ({}{more}): {reason}", many.len(), names.join(", "));
            }
        }
    }
    Ok(if args.strict { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Bytes, gunzipped when they start with the gzip magic.
fn read_maybe_gz(path: &Path) -> Result<Vec<u8>> {
    let bytes = read(path)?;
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(bytes);
    }
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_end(&mut out)
        .with_context(|| format!("{}: bad gzip data", path.display()))?;
    Ok(out)
}

fn target(choice: Option<&Path>) -> Result<(TargetBtf, String)> {
    if let Some(path) = choice {
        let bytes = read_maybe_gz(path)?;
        let t = CoreTarget::from_bytes(bytes).with_context(|| format!("--target-btf {}", path.display()))?;
        return Ok((TargetBtf::Given(Arc::new(t)), path.display().to_string()));
    }
    if Path::new(HOST_VMLINUX).exists() {
        Ok((TargetBtf::Host, HOST_VMLINUX.to_string()))
    } else {
        Ok((TargetBtf::Own, "the object's own BTF".to_string()))
    }
}

fn kconfig(choice: Option<&Path>) -> Result<KconfigValues> {
    if let Some(path) = choice {
        let text = read_maybe_gz(path)?;
        // Only the given options (as libbpf's `kconfig` open option), plus the running
        // kernel's version.
        let mut k = KconfigValues::new();
        if let Some(v) = KconfigValues::host().get("LINUX_KERNEL_VERSION") {
            k.set("LINUX_KERNEL_VERSION", v);
        }
        k.extend_from_config(&String::from_utf8_lossy(&text));
        return Ok(k);
    }
    // libbpf reads /boot/config-$(uname -r), then /proc/config.gz; `host()` does the first.
    let mut k = KconfigValues::host();
    if k.get("CONFIG_BPF").is_none()
        && let Ok(text) = read_maybe_gz(Path::new("/proc/config.gz"))
    {
        k.extend_from_config(&String::from_utf8_lossy(&text));
    }
    Ok(k)
}

/// One built program.
struct Program {
    name: String,
    section: String,
    prog_type: String,
    attach_type: Option<String>,
    attach_target: Option<String>,
    insns: usize,
    subprograms: Vec<String>,
    autoload: bool,
    poisoned: usize,
}

/// One program that cannot be built.
struct NotBuilt {
    name: String,
    section: String,
    autoload: bool,
    error: String,
}

impl NotBuilt {
    fn describe(&self) -> String {
        let what = if self.autoload { "" } else { ", autoload off" };
        format!("{} (section {}{what}): {}", self.name, self.section, self.error.replace('\n', "\n    "))
    }
}

struct Report {
    programs: Vec<Program>,
    not_built: Vec<NotBuilt>,
    maps: Vec<MapDef>,
    license: String,
    kern_version: Option<u32>,
    btf_types: Option<u32>,
    ext: Option<ExtCounts>,
    target: String,
}

#[derive(Clone, Copy)]
struct ExtCounts {
    func_info: usize,
    line_info: usize,
    core_relos: usize,
}

/// libbpf's default autoload: the section does not start with `?`.
fn autoload(section: &str) -> bool {
    !section.starts_with('?')
}

impl Report {
    fn new(bytes: &[u8], spec: &ObjectSpec, target: String) -> Report {
        let sections = hive_btf::elf_sections(bytes).ok();
        let ext = sections.as_ref().and_then(|s| s.btf_ext).and_then(|b| hive_btf::BtfExt::parse(b).ok());
        let counts = ext.as_ref().map(|e| ExtCounts {
            func_info: e.func_info().map(|s| s.len()).sum(),
            line_info: e.line_info().map(|s| s.len()).sum(),
            core_relos: e.core_relos().map(|s| s.len()).sum(),
        });
        let lines = |section: &str, insn: usize| -> Option<String> {
            let btf = spec.btf.as_deref()?;
            source_line(btf, ext.as_ref()?, section, insn)
        };
        Report {
            programs: spec.programs.iter().map(program).collect(),
            not_built: spec.skipped.iter().map(|s| not_built(s, &lines)).collect(),
            maps: spec.maps.clone(),
            license: spec.license.clone(),
            kern_version: spec.kern_version,
            btf_types: spec.btf.as_ref().map(|b| b.type_count().saturating_sub(1)),
            ext: counts,
            target,
        }
    }

    fn text(&self, file: &str) -> String {
        let mut out = format!("{file}\n");
        let license = if self.license.is_empty() { "(none)" } else { &self.license };
        out += &format!("  license:      {license}\n");
        out += &format!("  kern_version: {}\n", kern_version(self.kern_version));
        let btf = match (self.btf_types, self.ext) {
            (None, _) => "none".to_string(),
            (Some(n), None) => format!("{n} types, no .BTF.ext"),
            (Some(n), Some(e)) => format!(
                "{n} types; .BTF.ext: {} func info, {} line info, {} CO-RE relocations",
                e.func_info, e.line_info, e.core_relos
            ),
        };
        out += &format!("  BTF:          {btf}\n");
        if self.ext.is_some_and(|e| e.core_relos > 0) {
            out += &format!("  CO-RE target: {}\n", self.target);
        }

        out += &format!("\nprograms ({}):\n", self.programs.len());
        let rows: Vec<Vec<String>> = self
            .programs
            .iter()
            .map(|p| {
                let ty = p.prog_type.clone();
                let mut note = String::new();
                if p.subprograms.len() > 1 {
                    note = format!("+ {}", p.subprograms[1..].join(", "));
                }
                if p.poisoned > 0 {
                    note = format!("{note}{}{} CO-RE poisoned", if note.is_empty() { "" } else { "; " }, p.poisoned);
                }
                vec![p.name.clone(), p.section.clone(), ty, p.insns.to_string(), yes_no(p.autoload).into(), note]
            })
            .collect();
        out += &table(&["name", "section", "type", "insns", "autoload", "subprograms"], &[0, 0, 0, 1, 0, 0], &rows);
        if !self.not_built.is_empty() {
            out += &format!("\nnot built ({}):\n", self.not_built.len());
            for n in &self.not_built {
                out += &format!("  {}\n", n.describe());
            }
        }

        out += &format!("\nmaps ({}):\n", self.maps.len());
        let rows: Vec<Vec<String>> = self
            .maps
            .iter()
            .map(|m| {
                let mut ty = m.map_type.to_string();
                if let Some(inner) = &m.inner {
                    ty = format!("{ty} of {}", inner.map_type);
                }
                vec![
                    m.name.clone(),
                    ty,
                    m.key_size.to_string(),
                    m.value_size.to_string(),
                    m.max_entries.to_string(),
                    map_flags(m.flags),
                ]
            })
            .collect();
        out += &table(&["name", "type", "key", "value", "max_entries", "flags"], &[0, 0, 1, 1, 1, 0], &rows);
        out
    }

    fn json(&self, file: &str) -> Value {
        let programs: Vec<Value> = self
            .programs
            .iter()
            .map(|p| {
                json!({
                    "name": p.name,
                    "section": p.section,
                    "type": p.prog_type,
                    "expected_attach_type": p.attach_type,
                    "attach_target": p.attach_target,
                    "insns": p.insns,
                    "autoload": p.autoload,
                    "subprograms": p.subprograms[1..],
                    "core_poisoned": p.poisoned,
                })
            })
            .collect();
        let not_built: Vec<Value> = self
            .not_built
            .iter()
            .map(|n| json!({ "name": n.name, "section": n.section, "autoload": n.autoload, "error": n.error }))
            .collect();
        let maps: Vec<Value> = self
            .maps
            .iter()
            .map(|m| {
                json!({
                    "name": m.name,
                    "type": m.map_type.to_string(),
                    "section": m.section,
                    "key_size": m.key_size,
                    "value_size": m.value_size,
                    "max_entries": m.max_entries,
                    "flags": m.flags,
                    "flag_names": flag_names(m.flags),
                    "inner": m.inner.as_ref().map(|i| json!({
                        "type": i.map_type.to_string(),
                        "key_size": i.key_size,
                        "value_size": i.value_size,
                        "max_entries": i.max_entries,
                    })),
                })
            })
            .collect();
        let failed: Vec<&str> = self.not_built.iter().filter(|n| n.autoload).map(|n| n.name.as_str()).collect();
        json!({
            "file": file,
            "ok": true,
            "libbpf_loads": failed.is_empty(),
            "error": (!failed.is_empty()).then(|| format!("programs loaded by default cannot be built: {}", failed.join(", "))),
            "license": self.license,
            "kern_version": self.kern_version,
            "btf": self.btf_types.map(|types| json!({
                "types": types,
                "func_info": self.ext.map(|e| e.func_info),
                "line_info": self.ext.map(|e| e.line_info),
                "core_relocations": self.ext.map(|e| e.core_relos),
            })),
            "target_btf": self.target,
            "programs": programs,
            "not_built": not_built,
            "maps": maps,
        })
    }
}

fn program(p: &ProgramSpec) -> Program {
    Program {
        name: p.name.clone(),
        section: p.section.clone(),
        prog_type: p.prog_type.to_string(),
        // 0 is both "none" and BPF_CGROUP_INET_INGRESS; only the section tells them apart.
        attach_type: (p.expected_attach_type.0 != 0 || p.section.starts_with("cgroup_skb/ingress")).then(|| {
            p.expected_attach_type.name().map_or_else(|| p.expected_attach_type.0.to_string(), str::to_lowercase)
        }),
        attach_target: p.attach_target.clone(),
        insns: p.insns.len(),
        subprograms: p.subprograms.iter().map(|s| s.name.clone()).collect(),
        autoload: autoload(&p.section),
        poisoned: p.poisoned.len(),
    }
}

fn not_built(s: &SkippedProgram, lines: &dyn Fn(&str, usize) -> Option<String>) -> NotBuilt {
    let error = match &s.error {
        // The program is already named; say where inside it, and the source line.
        ObjectError::Core(c) => {
            let place = if c.program == s.name && c.section == s.section {
                format!("insn {}", c.insn)
            } else {
                format!("in {} (section {}, insn {})", c.program, c.section, c.insn)
            };
            let at = c.line.as_ref().map_or_else(String::new, |l| format!("\n  at {l}"));
            format!("{place}: CO-RE relocation {} of {} (access {}): {}{at}", c.kind, c.type_name, c.access, c.reason)
        }
        // Relocation errors name a section and slot only; line info gives the source.
        ObjectError::Reloc { section, insn, .. } => match lines(section, *insn) {
            Some(line) => format!("{}\n  at {line}", s.error),
            None => s.error.to_string(),
        },
        e => e.to_string(),
    };
    NotBuilt { name: s.name.clone(), section: s.section.clone(), autoload: autoload(&s.section), error }
}

/// The C source line of slot `insn` of `section`: the last line-info record at or before it.
fn source_line(btf: &hive_btf::Btf<'_>, ext: &hive_btf::BtfExt<'_>, section: &str, insn: usize) -> Option<String> {
    let sec = ext.line_info().find(|s| s.name(btf) == Some(section))?;
    let at = u32::try_from(insn.checked_mul(8)?).ok()?;
    let rec = sec.records().filter(|r| r.insn_off <= at).max_by_key(|r| r.insn_off)?;
    let file = rec.file_name(btf).unwrap_or("?");
    let file = file.rsplit('/').next().unwrap_or(file);
    Some(format!("{file}:{}: {}", rec.line, rec.line_text(btf).unwrap_or("").trim()))
}

fn kern_version(v: Option<u32>) -> String {
    match v {
        None => "none".into(),
        Some(v) if v == 0 || v == 0xFFFF_FFFE => format!("{v:#x}"),
        Some(v) => format!("{}.{}.{} ({v:#x})", v >> 16, (v >> 8) & 0xff, v & 0xff),
    }
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// `BPF_F_*` map flags by bit, as uapi names them (without the prefix, lower case).
const MAP_FLAGS: [&str; 19] = [
    "no_prealloc",
    "no_common_lru",
    "numa_node",
    "rdonly",
    "wronly",
    "stack_build_id",
    "zero_seed",
    "rdonly_prog",
    "wronly_prog",
    "clone",
    "mmapable",
    "preserve_elems",
    "inner_map",
    "link",
    "path_fd",
    "vtype_btf_obj_fd",
    "token_fd",
    "segv_on_fault",
    "no_user_conv",
];

fn flag_names(flags: u32) -> Vec<String> {
    (0..32)
        .filter(|b| flags & (1 << b) != 0)
        .map(|b| MAP_FLAGS.get(b).map_or_else(|| format!("bit{b}"), |n| n.to_string()))
        .collect()
}

fn map_flags(flags: u32) -> String {
    if flags == 0 { "-".into() } else { format!("{flags:#x} {}", flag_names(flags).join("|")) }
}

/// Left- or right-aligned (`align` 1) columns, two-space indent; the last column unpadded.
fn table(head: &[&str], align: &[u8], rows: &[Vec<String>]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut width: Vec<usize> = head.iter().map(|h| h.len()).collect();
    for r in rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::from(" ");
        for (k, c) in cells.iter().enumerate() {
            let pad = width[k].saturating_sub(c.chars().count());
            s.push(' ');
            if align[k] == 1 {
                s += &" ".repeat(pad);
                s += c;
            } else if k + 1 < cells.len() {
                s += c;
                s += &" ".repeat(pad);
            } else {
                s += c;
            }
        }
        s.truncate(s.trim_end().len());
        s + "\n"
    };
    let mut out = line(&head.iter().map(|h| h.to_string()).collect::<Vec<_>>());
    for r in rows {
        out += &line(r);
    }
    out
}
