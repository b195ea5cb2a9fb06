//! `hive run OBJ.o`: load a clang-built object into a runtime, test-run one program on each
//! input, and show the verdicts, the trace output and the maps.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::Args;
use hive::object::{LoadedObject, default_test_input};
use hive::{Error, Runtime, RuntimeConfig, TestRunAttr, TestRunOutput, TracePipe};
use hive_btf::{Btf, TypeId};
use hive_object::{MapDef, MapKind, ObjectSpec, ProgramSpec};
use hive_platform::map::MapType;
use hive_platform::prog::ProgType;
use serde_json::{Value, json};

use crate::prog;

#[derive(Debug, Args)]
pub struct RunArgs {
    /// A BPF ELF object as clang builds it for the kernel (.bpf.o).
    file: PathBuf,
    /// The program to run [default: the object's only autoload program].
    #[arg(long)]
    prog: Option<String>,
    /// Packets to run on, one run each (`--data a.bin b.bin` or repeated) [default: one run on
    /// a zeroed 64-byte packet, or on no packet for types without one].
    #[arg(long, num_args = 1..)]
    data: Vec<PathBuf>,
    /// The context to pass (`xdp_md`, `__sk_buff`, raw tracepoint arguments...).
    #[arg(long)]
    ctx: Option<PathBuf>,
    /// Runs per input; the duration shown is the mean.
    #[arg(long, default_value_t = 1)]
    repeat: u32,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

/// One input and what the run made of it.
struct RunResult {
    input: String,
    data_in: Vec<u8>,
    out: Result<TestRunOutput, Error>,
    trace: Vec<String>,
}

pub fn run(args: &RunArgs) -> Result<ExitCode> {
    let spec = prog::open(&args.file, args.prog.as_deref())?;
    let trace = Arc::new(TracePipe::default());
    let rt = Runtime::new(RuntimeConfig { trace: trace.clone(), ..RuntimeConfig::default() });
    let client = rt.client();
    let obj = prog::load(&client, &spec, &args.file)?;
    for w in &obj.warnings {
        eprintln!("warning: {w}");
    }
    let (p, fd) = prog::choose(&obj, &spec, args.prog.as_deref())?;
    let t = client.prog_info(fd)?.prog_type;
    let mut results = Vec::new();
    for (input, attr) in inputs(args, t)? {
        // Raw tracepoint and syscall runs take no repeat count (the kernel's rule).
        let attr = if args.repeat > 1 { attr.repeat(args.repeat) } else { attr };
        let out = client.prog_test_run(fd, &attr);
        results.push(RunResult { input, data_in: attr.data_in, out, trace: trace.take() });
    }
    let maps = dump_maps(&obj, &spec, rt.config().executors);
    let failed = results.iter().any(|r| r.out.is_err());
    if args.json {
        let v = json!({
            "object": args.file.display().to_string(),
            "program": { "name": p.name, "type": t.name() },
            "runs": results.iter().map(|r| run_json(r, p, t)).collect::<Vec<_>>(),
            "maps": maps.iter().map(MapDump::json).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        let names: Vec<&str> = obj.maps.iter().map(|(n, _)| n.as_str()).collect();
        let names = if names.is_empty() { "none".to_string() } else { names.join(" ") };
        let file = args.file.file_name().map_or_else(|| args.file.display().to_string(), |f| f.to_string_lossy().into());
        println!("{file}: program {} ({}), maps {names}", p.name, t.name());
        for r in &results {
            println!("{}", run_line(r, p, t));
            for line in &r.trace {
                println!("{line}");
            }
        }
        for m in &maps {
            print!("{}", m.text());
        }
    }
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

fn takes_packet(t: ProgType) -> bool {
    !default_test_input(t).data_in.is_empty()
}

/// The runs to make: one per data file, or one on the default input.
fn inputs(args: &RunArgs, t: ProgType) -> Result<Vec<(String, TestRunAttr)>> {
    let ctx = args.ctx.as_deref().map(read).transpose()?;
    let with_ctx = |mut attr: TestRunAttr| {
        if let Some(c) = &ctx {
            attr = if takes_packet(t) { attr.with_ctx(c) } else { TestRunAttr::context(c) };
        }
        attr
    };
    if args.data.is_empty() {
        let label = if takes_packet(t) { "default input (64 zero bytes)" } else { "default input" };
        return Ok(vec![(label.to_string(), with_ctx(default_test_input(t)))]);
    }
    if !takes_packet(t) {
        bail!("{} programs take no packet: give the context with --ctx", t.name());
    }
    args.data
        .iter()
        .map(|path| {
            let name = path.file_name().map_or_else(|| path.display().to_string(), |f| f.to_string_lossy().into_owned());
            Ok((name, with_ctx(TestRunAttr::packet(&read(path)?))))
        })
        .collect()
}

/// The name of a return value where the program type gives it one.
fn action(t: ProgType, retval: u32) -> Option<&'static str> {
    const XDP: [&str; 5] = ["XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT"];
    const TC: [&str; 8] = [
        "TC_ACT_OK",
        "TC_ACT_RECLASSIFY",
        "TC_ACT_SHOT",
        "TC_ACT_PIPE",
        "TC_ACT_STOLEN",
        "TC_ACT_QUEUED",
        "TC_ACT_REPEAT",
        "TC_ACT_REDIRECT",
    ];
    match t {
        ProgType::Xdp => XDP.get(retval as usize).copied(),
        ProgType::SchedCls | ProgType::SchedAct if retval == u32::MAX => Some("TC_ACT_UNSPEC"),
        ProgType::SchedCls | ProgType::SchedAct => TC.get(retval as usize).copied(),
        _ => None,
    }
}

/// How `data_out` differs from `data_in`.
fn data_change(data_in: &[u8], data_out: &[u8]) -> String {
    if data_in == data_out {
        return "unchanged".into();
    }
    if data_in.len() != data_out.len() {
        return format!("was {} bytes", data_in.len());
    }
    let changed: Vec<usize> = (0..data_in.len()).filter(|&i| data_in[i] != data_out[i]).collect();
    format!("{} bytes changed from offset {}", changed.len(), changed[0])
}

/// Where a runtime error happened in the C source, when it names an instruction.
fn error_text(e: &Error, p: &ProgramSpec) -> String {
    match e {
        Error::Fault(f) => match p.source_line(f.pc) {
            Some(line) => format!("{e} (at {line})"),
            None => e.to_string(),
        },
        _ => e.to_string(),
    }
}

fn run_line(r: &RunResult, p: &ProgramSpec, t: ProgType) -> String {
    match &r.out {
        Ok(o) => {
            let verdict = match action(t, o.retval) {
                Some(a) => format!("{a} ({})", o.retval),
                None => format!("retval {}", o.retval),
            };
            let data = if r.data_in.is_empty() && o.data_out.is_empty() {
                String::new()
            } else {
                format!(", data_out {} bytes, {}", o.data_out.len(), data_change(&r.data_in, &o.data_out))
            };
            format!("{}: {verdict}, {} ns{data}", r.input, o.duration_ns)
        }
        Err(e) => format!("{}: {}", r.input, error_text(e, p)),
    }
}

fn run_json(r: &RunResult, p: &ProgramSpec, t: ProgType) -> Value {
    match &r.out {
        Ok(o) => json!({
            "input": r.input,
            "retval": o.retval,
            "action": action(t, o.retval),
            "duration_ns": o.duration_ns,
            "data_out_len": o.data_out.len(),
            "data_out_changed": r.data_in != o.data_out,
            "trace": r.trace,
        }),
        Err(e) => json!({ "input": r.input, "error": error_text(e, p), "errno": e.errno(), "trace": r.trace }),
    }
}

/// A key or value: its text (one line, as the BTF printer writes it) and its JSON.
struct Shown {
    text: String,
    json: Value,
}

impl Shown {
    fn new(text: String) -> Shown {
        let json = serde_json::from_str(&text).unwrap_or_else(|_| Value::String(text.clone()));
        Shown { text, json }
    }
}

/// A map's contents, keys and values shown through BTF where the object has it.
struct MapDump {
    name: String,
    map_type: String,
    entries: Result<Vec<(Shown, Shown)>, String>,
    /// Array slots left out because they hold only zeros.
    zero: usize,
}

impl MapDump {
    fn text(&self) -> String {
        match &self.entries {
            Ok(entries) => {
                let zero = if self.zero > 0 { format!(", {} zeroed not shown", self.zero) } else { String::new() };
                let n = entries.len();
                let noun = if n == 1 { "entry" } else { "entries" };
                let mut s = format!("map {} ({}, {n} {noun}{zero}):\n", self.name, self.map_type);
                for (k, v) in entries {
                    s.push_str(&format!("  {}: {}\n", k.text, v.text));
                }
                s
            }
            Err(why) => format!("map {} ({}): {why}\n", self.name, self.map_type),
        }
    }

    fn json(&self) -> Value {
        match &self.entries {
            Ok(e) => json!({
                "name": self.name,
                "type": self.map_type,
                "entries": e.iter().map(|(k, v)| json!({ "key": k.json, "value": v.json })).collect::<Vec<_>>(),
                "zeroed_entries_not_shown": self.zero,
            }),
            Err(why) => json!({ "name": self.name, "type": self.map_type, "error": why }),
        }
    }
}

/// Every map the object defines itself (not its global-data sections). Array slots that
/// hold only zeros are counted, not shown.
fn dump_maps(obj: &LoadedObject<'_>, spec: &ObjectSpec, executors: usize) -> Vec<MapDump> {
    let btf = spec.btf.as_deref();
    let mut out = Vec::new();
    for def in spec.maps.iter().filter(|d| matches!(d.kind, MapKind::Btf | MapKind::Legacy)) {
        let array = matches!(def.map_type, MapType::Array | MapType::PercpuArray);
        let mut zero = 0;
        let entries = obj.map_entries(&def.name).map_err(|e| e.to_string()).map(|mut entries| {
            if array {
                let before = entries.len();
                entries.retain(|(_, v)| v.iter().any(|&b| b != 0));
                zero = before - entries.len();
            }
            // Key order, whatever the hash order of the map.
            entries.sort();
            entries.iter().map(|(k, v)| (typed(btf, def.key_type_id, k), value(btf, def, v, executors))).collect()
        });
        out.push(MapDump { name: def.name.clone(), map_type: def.map_type.to_string(), entries, zero });
    }
    out
}

/// `bytes` through the BTF type `id`, or as hex bytes.
fn typed(btf: Option<&Btf<'_>>, id: Option<TypeId>, bytes: &[u8]) -> Shown {
    match (btf, id) {
        (Some(b), Some(id)) => Shown::new(hive_btf::format_value(b, id, bytes)),
        _ => {
            let hex = bytes.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ");
            Shown { json: Value::String(hex.clone()), text: hex }
        }
    }
}

/// A value as lookups return it: one slot per executor for per-CPU maps, an id for maps of
/// programs or maps.
fn value(btf: Option<&Btf<'_>>, def: &MapDef, v: &[u8], executors: usize) -> Shown {
    let id = || u32::from_ne_bytes(v.get(..4).and_then(|b| b.try_into().ok()).unwrap_or_default());
    match def.map_type {
        MapType::ProgArray => Shown::new(format!("{{\"prog_id\": {}}}", id())),
        MapType::ArrayOfMaps | MapType::HashOfMaps => Shown::new(format!("{{\"map_id\": {}}}", id())),
        MapType::PercpuArray | MapType::PercpuHash | MapType::LruPercpuHash => {
            let slot = (def.value_size as usize).div_ceil(8) * 8;
            let cpus: Vec<String> = (0..executors)
                .filter_map(|cpu| v.get(cpu * slot..cpu * slot + def.value_size as usize))
                .enumerate()
                .map(|(cpu, bytes)| format!("{{\"cpu\": {cpu}, \"value\": {}}}", typed(btf, def.value_type_id, bytes).text))
                .collect();
            Shown::new(format!("[{}]", cpus.join(", ")))
        }
        _ => typed(btf, def.value_type_id, v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_and_changes() {
        assert_eq!(action(ProgType::Xdp, 1), Some("XDP_DROP"));
        assert_eq!(action(ProgType::SchedCls, u32::MAX), Some("TC_ACT_UNSPEC"));
        assert_eq!(action(ProgType::SocketFilter, 0), None);
        assert_eq!(data_change(&[1, 2, 3], &[1, 2, 3]), "unchanged");
        assert_eq!(data_change(&[1, 2, 3], &[1, 9, 9]), "2 bytes changed from offset 1");
        assert_eq!(data_change(&[1, 2, 3], &[1]), "was 3 bytes");
    }
}
