//! `hive prog show` and `hive prog dump xlated`: an object's programs as the runtime loaded
//! them, printed like `bpftool prog show` and `bpftool prog dump xlated [linum]`. Also the
//! object opening and loading that `hive run` shares.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use hive::object::{LoadedObject, ObjectLoadOptions, boot_to_unix_ns};
use hive::{Client, Fd, ProgInfo};
use hive_asm::Syntax;
use hive_btf::{Btf, TypeId};
use hive_isa::{Code, Insn, Pseudo};
use hive_object::{LoadOptions, ObjectSpec, ProgramSelection, ProgramSpec, TargetBtf};

#[derive(Debug, Subcommand)]
pub enum ProgCommand {
    /// Load an object and list its programs, one line each: id, name, type, tag, insns.
    List {
        /// A BPF ELF object (.bpf.o).
        file: PathBuf,
    },
    /// Load an object and list its programs like `bpftool prog show`.
    Show {
        /// A BPF ELF object (.bpf.o).
        file: PathBuf,
    },
    /// Print a program after load-time rewrites, interleaved with its C source, in a form
    /// `hive asm` re-assembles (`hive prog dump xlated OBJ.o [--prog NAME] [linum]`), or the
    /// JIT's x86-64 code with the BPF instructions and C source lines it comes from
    /// (`hive prog dump jited ...`).
    Dump {
        /// `xlated` or `jited`, as bpftool spells them.
        #[arg(value_parser = ["xlated", "jited"])]
        what: String,
        /// A BPF ELF object (.bpf.o).
        file: PathBuf,
        /// The program [default: the object's only autoload program].
        #[arg(long)]
        prog: Option<String>,
        /// `linum`: name the file and line of each source line.
        #[arg(value_parser = ["linum"])]
        linum: Option<String>,
    },
}

pub fn run(cmd: &ProgCommand) -> Result<ExitCode> {
    match cmd {
        ProgCommand::Show { file } => show(file),
        ProgCommand::List { file } => list(file),
        ProgCommand::Dump { what, file, prog, linum } => dump(file, prog.as_deref(), what == "jited", linum.is_some()),
    }
}

/// Reads and parses `path` as libbpf would (CO-RE against `target` when given, else the
/// host's vmlinux BTF when there is one, else the object's own), with `want` loaded even if
/// its autoload is off.
pub fn open(path: &Path, want: Option<&str>, target: Option<&Path>) -> Result<ObjectSpec> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    if let Some(t) = target {
        std::fs::metadata(t).with_context(|| format!("--target-btf {}", t.display()))?;
    }
    let target_btf = match target {
        Some(t) => TargetBtf::File(t.to_path_buf()),
        None if Path::new("/sys/kernel/btf/vmlinux").exists() => TargetBtf::Host,
        None => TargetBtf::Own,
    };
    let opts = LoadOptions { target_btf, ..LoadOptions::default() };
    let spec = match (ObjectSpec::parse(&bytes, &opts), want) {
        (Ok(spec), _) => spec,
        // Another program cannot be built: libbpf would refuse the whole object unless the
        // others had their autoload turned off, which is what asking for one program means.
        (Err(e), Some(name)) => {
            let only = LoadOptions { programs: ProgramSelection::Only(vec![name.to_string()]), ..opts };
            let spec = ObjectSpec::parse(&bytes, &only).with_context(|| path.display().to_string())?;
            eprintln!("warning: {}: {e}; loading only program '{name}'", path.display());
            return Ok(spec);
        }
        (Err(e), None) => return Err(anyhow::Error::new(e).context(path.display().to_string())),
    };
    let Some(name) = want else { return Ok(spec) };
    match spec.program(name) {
        Some(p) if p.autoload => Ok(spec),
        Some(_) => {
            let mut names: Vec<String> = spec.programs.iter().filter(|p| p.autoload).map(|p| p.name.clone()).collect();
            names.push(name.to_string());
            let opts = LoadOptions { programs: ProgramSelection::Only(names), ..opts };
            ObjectSpec::parse(&bytes, &opts).with_context(|| path.display().to_string())
        }
        None => bail!("{}: no program '{name}' (programs: {})", path.display(), names(&spec, false)),
    }
}

/// The object name libbpf derives from a path: the file name up to its first `.`.
fn object_name(path: &Path) -> String {
    let file = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    file.split('.').next().unwrap_or("").to_string()
}

/// Loads every autoload program and map of `spec`; a refusal names the map or program, the
/// C source line, and carries the load log.
pub fn load<'c>(client: &'c Client, spec: &ObjectSpec, path: &Path) -> Result<LoadedObject<'c>> {
    let opts = ObjectLoadOptions { object_name: object_name(path), log_level: 0, legacy_sections: true };
    client.load_object(spec, &opts).map_err(|e| {
        let log = e.log().trim_end();
        let extra = if log.lines().count() > 1 { format!("\nload log:\n{log}") } else { String::new() };
        anyhow::anyhow!("{}: cannot load: {e}{extra}", path.display())
    })
}

fn names(spec: &ObjectSpec, autoload_only: bool) -> String {
    let v: Vec<&str> =
        spec.programs.iter().filter(|p| p.autoload || !autoload_only).map(|p| p.name.as_str()).collect();
    if v.is_empty() { "none".into() } else { v.join(", ") }
}

/// The program `want`, or the object's only loaded program.
pub fn choose<'s>(obj: &LoadedObject<'_>, spec: &'s ObjectSpec, want: Option<&str>) -> Result<(&'s ProgramSpec, Fd)> {
    let name = match want {
        Some(n) => n.to_string(),
        None => match obj.programs.as_slice() {
            [(n, _)] => n.clone(),
            [] => bail!("the object has no program to load"),
            several => {
                let list: Vec<&str> = several.iter().map(|(n, _)| n.as_str()).collect();
                bail!("the object has {} programs, choose one with --prog: {}", list.len(), list.join(", "))
            }
        },
    };
    let fd = obj.prog(&name).with_context(|| format!("program '{name}' is not loaded"))?;
    Ok((spec.program(&name).expect("loaded programs come from the spec"), fd))
}

fn list(path: &Path) -> Result<ExitCode> {
    let spec = open(path, None, None)?;
    let rt = hive::Runtime::default();
    let client = rt.client();
    let obj = load(&client, &spec, path)?;
    for (_, fd) in &obj.programs {
        let info = client.prog_info(*fd)?;
        let tag: String = info.tag.iter().map(|b| format!("{b:02x}")).collect();
        println!("{}: {}  {}  tag {tag}  insns {}", info.id, info.name, info.prog_type.name(), info.xlated_prog_len / 8);
    }
    Ok(ExitCode::SUCCESS)
}

fn show(path: &Path) -> Result<ExitCode> {
    let spec = open(path, None, None)?;
    let rt = hive::Runtime::default();
    let client = rt.client();
    let obj = load(&client, &spec, path)?;
    for (_, fd) in &obj.programs {
        let info = client.prog_info(*fd)?;
        let engine = client.prog_object(*fd)?.engine().clone();
        print!("{}", show_text(&info, &engine));
    }
    Ok(ExitCode::SUCCESS)
}

/// One program in `bpftool prog show`'s layout, plus the engine that runs it.
pub fn show_text(info: &ProgInfo, engine: &hive::load::verify::Engine) -> String {
    let tag: String = info.tag.iter().map(|b| format!("{b:02x}")).collect();
    let gpl = if info.gpl_compatible { "  gpl" } else { "" };
    let maps: Vec<String> = info.map_ids.iter().map(|m| m.0.to_string()).collect();
    let map_ids = if maps.is_empty() { String::new() } else { format!("  map_ids {}", maps.join(",")) };
    let btf = if info.btf_id != 0 { format!("\tbtf_id {}\n", info.btf_id) } else { String::new() };
    let jit = match engine {
        hive::load::verify::Engine::Jit { code_bytes } => format!("{code_bytes} bytes of x86-64 code, running in the JIT"),
        hive::load::verify::Engine::Interpreter { reason } => format!("not used ({reason}), running in the interpreter"),
    };
    format!(
        "{}: {}  name {}  tag {tag}{gpl}\n\tloaded_at {}  uid {}\n\txlated {}B  jited {}B{map_ids}\n{btf}\tjit: {jit}\n",
        info.id,
        info.prog_type.name(),
        info.name,
        utc(boot_to_unix_ns(info.load_time) / 1_000_000_000),
        info.created_by_uid,
        info.xlated_prog_len,
        info.jited_prog_len,
    )
}

/// `2025-01-31T12:00:00+0000` for seconds since the epoch (UTC; bpftool prints local time).
fn utc(secs: u64) -> String {
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Howard Hinnant's civil_from_days.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+0000", rem / 3600, rem % 3600 / 60, rem % 60)
}

fn dump(path: &Path, want: Option<&str>, jited: bool, linum: bool) -> Result<ExitCode> {
    let spec = open(path, want, None)?;
    let rt = hive::Runtime::default();
    let client = rt.client();
    let obj = load(&client, &spec, path)?;
    let (p, fd) = choose(&obj, &spec, want)?;
    let info = client.prog_info(fd)?;
    if jited {
        if info.jited_prog_insns.is_empty() {
            let why = match client.prog_object(fd)?.engine() {
                hive::load::verify::Engine::Interpreter { reason } => reason.clone(),
                hive::load::verify::Engine::Jit { .. } => "no machine code".into(),
            };
            bail!("program '{}' has no JIT code: it runs in the interpreter ({why})", p.name);
        }
        print!("{}", jited_text(&info, p, spec.btf.as_deref(), linum)?);
        return Ok(ExitCode::SUCCESS);
    }
    let map_names: Vec<(u32, String)> = obj
        .maps
        .iter()
        .map(|(name, fd)| client.map_info(*fd).map(|i| (i.id.0, name.clone())))
        .collect::<hive::Result<_>>()?;
    print!("{}", xlated_text(&info, p, spec.btf.as_deref(), &map_names, linum)?);
    Ok(ExitCode::SUCCESS)
}

/// The C source around a program's instructions, in instruction order: each function's
/// prototype before its first instruction, and the source line before the instructions it
/// covers (`// file.c:12: code` with `linum`, `// code` without), once per run of the same line.
struct SourceNotes<'a, 'b> {
    p: &'a ProgramSpec,
    btf: Option<&'a Btf<'b>>,
    linum: bool,
    lines: std::iter::Peekable<std::slice::Iter<'a, hive_object::LineInfo>>,
    shown: Option<(u32, &'a str)>,
}

impl<'a, 'b> SourceNotes<'a, 'b> {
    fn new(p: &'a ProgramSpec, btf: Option<&'a Btf<'b>>, linum: bool) -> Self {
        SourceNotes { p, btf, linum, lines: p.line_info.iter().peekable(), shown: None }
    }

    /// Appends the notes due before instruction `pc` (called with increasing `pc`).
    fn before(&mut self, pc: usize, out: &mut String) {
        if let Some(f) = self.p.func_info.iter().find(|f| f.insn == pc) {
            out.push_str(&format!("// {}:\n", func_decl(self.btf, f.type_id, &f.name)));
            self.shown = None;
        }
        let mut last = None;
        while let Some(l) = self.lines.next_if(|l| l.insn <= pc) {
            last = Some(l);
        }
        if let Some(l) = last.filter(|l| l.insn == pc && self.shown != Some((l.line, &*l.file))) {
            self.shown = Some((l.line, &*l.file));
            let text = if self.linum { l.to_string() } else { l.text.trim().to_string() };
            out.push_str(&format!("// {text}\n"));
        }
    }
}

/// The JIT's machine code of `info` disassembled (Intel syntax), each BPF instruction
/// (`; pc: insn`) and the C source notes of [`SourceNotes`] before the x86 code made from it.
pub fn jited_text(info: &ProgInfo, p: &ProgramSpec, btf: Option<&Btf<'_>>, linum: bool) -> Result<String> {
    let code = Code::decode(&info.xlated_prog_insns).context("xlated instructions do not decode")?;
    let mut notes = SourceNotes::new(p, btf, linum);
    Ok(hive_jit::disassemble_annotated(&info.jited_prog_insns, &code, &info.jited_insn_offsets, &mut |pc, out| {
        notes.before(pc, out)
    }))
}

/// The xlated instructions of `info`, one per line as `  pc: (op) insn`, with the C source
/// notes of [`SourceNotes`] and map references as `map[fd:ID]` comments naming the map:
/// `hive asm` turns the text back into exactly these instructions.
pub fn xlated_text(
    info: &ProgInfo,
    p: &ProgramSpec,
    btf: Option<&Btf<'_>>,
    maps: &[(u32, String)],
    linum: bool,
) -> Result<String> {
    let code = Code::decode(&info.xlated_prog_insns).context("xlated instructions do not decode")?;
    let mut out = String::new();
    let mut notes = SourceNotes::new(p, btf, linum);
    for (pc, insn) in code.iter() {
        notes.before(pc, &mut out);
        let raw = info.xlated_prog_insns[pc];
        let mut text = format!("{pc:4}: ({:02x}) {}", raw.code, hive_asm::format_insn(insn, Syntax::Kernel));
        if let Insn::LdImm64 { pseudo: Pseudo::MapFd | Pseudo::MapValue, imm, .. } = insn {
            let name = maps.iter().find(|(id, _)| *id == *imm as u32).map_or("?", |(_, n)| n.as_str());
            text.push_str(&format!("  // map id {imm}: {name}"));
        }
        out.push_str(&text);
        out.push('\n');
    }
    Ok(out)
}

/// `int name(struct xdp_md *ctx)` from the FUNC's prototype, or the bare name.
fn func_decl(btf: Option<&Btf<'_>>, func: TypeId, name: &str) -> String {
    let proto = btf.and_then(|b| b.type_by_id(func)).map(|t| TypeId(t.size_or_type()));
    match (btf, proto) {
        (Some(b), Some(proto)) => hive_btf::c_decl(b, proto, name),
        _ => name.to_string(),
    }
}

#[cfg(test)]
mod show_tests {
    use hive::load::verify::Engine;
    use hive::{ProgLoadAttr, Runtime};
    use hive_platform::prog::ProgType;

    use super::show_text;

    #[test]
    fn the_engine_line_names_the_jit_or_why_not() {
        let rt = Runtime::default();
        let c = rt.client();
        let insns = hive_asm::assemble("r0 = 2\nexit", hive_asm::Syntax::Kernel).unwrap();
        let fd = c.prog_load(&ProgLoadAttr::new(ProgType::Xdp, insns)).unwrap();
        let info = c.prog_info(fd).unwrap();
        let text = show_text(&info, &Engine::Jit { code_bytes: 77 });
        assert!(text.ends_with("\tjit: 77 bytes of x86-64 code, running in the JIT\n"), "{text}");
        let text = show_text(&info, &Engine::Interpreter { reason: "unverified".into() });
        assert!(text.ends_with("\tjit: not used (unverified), running in the interpreter\n"), "{text}");
    }
}
