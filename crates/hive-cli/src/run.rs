//! `hive run OBJ.o`: load a clang-built object into a runtime, test-run one program on each
//! input, and show the verdicts, the trace output and the maps.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::Args;
use hive::object::{LoadedObject, default_test_input};
use hive::kernel_side::{self, KernelObject, TestRunResult};
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
    #[arg(long, num_args = 1.., conflicts_with = "pcap")]
    data: Vec<PathBuf>,
    /// A packet capture (pcap or pcapng): one run per packet, then a table of verdicts.
    #[arg(long)]
    pcap: Option<PathBuf>,
    /// With --pcap: write the packets the program lets through (XDP_PASS/TX/REDIRECT, tc
    /// verdicts other than SHOT/STOLEN/QUEUED/TRAP, socket filter accepts, cut to the
    /// accepted length), as the program left them, to this classic pcap file.
    #[arg(long, requires = "pcap")]
    out: Option<PathBuf>,
    /// The context to pass (`xdp_md`, `__sk_buff`, raw tracepoint arguments...).
    #[arg(long)]
    ctx: Option<PathBuf>,
    /// Runs per input; the duration shown is the mean.
    #[arg(long, default_value_t = 1)]
    repeat: u32,
    /// CO-RE target: a raw BTF file or an ELF file with .BTF [default: the host's
    /// /sys/kernel/btf/vmlinux when there is one, the object's own BTF otherwise].
    #[arg(long, value_name = "FILE")]
    target_btf: Option<PathBuf>,
    /// Also load the object into the host kernel (root or CAP_BPF) and test-run the same
    /// inputs there; show both results side by side and compare the maps.
    #[arg(long)]
    kernel: bool,
    /// Print the result as JSON; `retval` is the last run's return value.
    #[arg(long)]
    json: bool,
    /// Load without running Hive's verifier: the programs then run in the checked
    /// interpreter only (never the JIT), which still stops any out-of-bounds access.
    #[arg(long)]
    no_verify: bool,
}

/// One input and what the run made of it.
struct RunResult {
    input: String,
    data_in: Vec<u8>,
    out: Result<TestRunOutput, Error>,
    trace: Vec<String>,
    /// The host kernel's result on the same input, with `--kernel`.
    kernel: Option<Result<TestRunResult, String>>,
}

pub fn run(args: &RunArgs) -> Result<ExitCode> {
    if args.kernel
        && let Err(why) = kernel_side::available()
    {
        eprintln!("hive: --kernel needs the host kernel's bpf() (run as root or with CAP_BPF): {why}");
        return Ok(ExitCode::from(2));
    }
    let spec = prog::open(&args.file, args.prog.as_deref(), args.target_btf.as_deref())?;
    let trace = Arc::new(TracePipe::default());
    let rt = Runtime::new(RuntimeConfig { trace: trace.clone(), ..RuntimeConfig::default() });
    if !args.no_verify {
        rt.set_verifier(Arc::new(hive::load::verify::HiveVerifier::default()));
    }
    let client = rt.client();
    let obj = prog::load(&client, &spec, &args.file)?;
    for w in &obj.warnings {
        eprintln!("warning: {w}");
    }
    let (p, fd) = prog::choose(&obj, &spec, args.prog.as_deref())?;
    let t = client.prog_info(fd)?.prog_type;
    let mut kobj = KernelObject::default();
    let kprog = if args.kernel {
        Some(kobj.load(&spec, p, t).map_err(|e| anyhow::anyhow!("{}: the kernel refuses the program: {e}", args.file.display()))?)
    } else {
        None
    };
    let capture = args.pcap.as_deref().map(|f| read(f).and_then(|b| pcap::parse(&b).with_context(|| f.display().to_string()))).transpose()?;
    let mut results = Vec::new();
    for (input, attr) in inputs(args, t, capture.as_ref())? {
        // Raw tracepoint and syscall runs take no repeat count (the kernel's rule).
        let attr = if args.repeat > 1 { attr.repeat(args.repeat) } else { attr };
        let out = client.prog_test_run(fd, &attr);
        let kernel = kprog.as_ref().map(|k| {
            let data = if takes_packet(t) { &attr.data_in[..] } else { &[][..] };
            k.test_run(data, attr.ctx_in.as_deref(), args.repeat).map_err(|e| e.to_string())
        });
        results.push(RunResult { input, data_in: attr.data_in, out, trace: trace.take(), kernel });
    }
    let maps = dump_maps(&obj, &spec, rt.config().executors);
    let map_cmp = if args.kernel { compare_maps(&obj, &spec, &kobj) } else { Vec::new() };
    let differ = results.iter().any(|r| !agrees(r)) || map_cmp.iter().any(|(_, c)| c.is_err());
    let failed = results.iter().any(|r| r.out.is_err()) || differ;
    let written = match (&capture, &args.out) {
        (Some(c), Some(out)) => {
            let (packets, changed) = passed(c, &results, t);
            std::fs::write(out, pcap::write(c.linktype, c.nanos, &packets))
                .with_context(|| format!("cannot write {}", out.display()))?;
            Some((packets.len(), changed))
        }
        _ => None,
    };
    if args.json {
        let mut v = json!({
            "object": args.file.display().to_string(),
            "program": { "name": p.name, "type": t.name() },
            "runs": results.iter().map(|r| run_json(r, p, t)).collect::<Vec<_>>(),
            "maps": maps.iter().map(MapDump::json).collect::<Vec<_>>(),
        });
        if args.kernel {
            v["kernel_agrees"] = json!(!differ);
            let maps: serde_json::Map<String, Value> = map_cmp
                .iter()
                .map(|(n, c)| (n.clone(), c.as_ref().map_or_else(|e| json!({ "differs": e }), |n| json!({ "same_entries": n }))))
                .collect();
            v["kernel_maps"] = Value::Object(maps);
            if capture.is_some() {
                let counts: serde_json::Map<String, Value> =
                    kernel_verdict_counts(&results, t).into_iter().map(|(k, n)| (k, json!(n))).collect();
                v["kernel_verdicts"] = Value::Object(counts);
            }
        }
        if let Some(Ok(o)) = results.last().map(|r| &r.out) {
            v["retval"] = json!(o.retval);
        }
        if capture.is_some() {
            let counts: serde_json::Map<String, Value> =
                verdict_counts(&results, t).into_iter().map(|(k, n)| (k, json!(n))).collect();
            v["verdicts"] = Value::Object(counts);
            if let (Some(out), Some((n, changed))) = (&args.out, written) {
                v["out"] = json!({ "file": out.display().to_string(), "packets": n, "changed": changed });
            }
        }
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        let names: Vec<&str> = obj.maps.iter().map(|(n, _)| n.as_str()).collect();
        let names = if names.is_empty() { "none".to_string() } else { names.join(" ") };
        let file = args.file.file_name().map_or_else(|| args.file.display().to_string(), |f| f.to_string_lossy().into());
        println!("{file}: program {} ({}), maps {names}", p.name, t.name());
        if let Some(pcap) = &args.pcap {
            let ok: Vec<u64> = results.iter().filter_map(|r| r.out.as_ref().ok()).map(|o| u64::from(o.duration_ns)).collect();
            let mean = if ok.is_empty() { 0 } else { ok.iter().sum::<u64>() / ok.len() as u64 };
            let name = pcap.file_name().map_or_else(|| pcap.display().to_string(), |f| f.to_string_lossy().into());
            println!("{name}: {} packets, {mean} ns per run on average", results.len());
            for r in &results {
                if r.out.is_err() {
                    println!("{}", run_line(r, p, t));
                }
                for line in &r.trace {
                    println!("{line}");
                }
            }
            for r in results.iter().filter(|r| !agrees(r)) {
                println!("{}; {}", run_line(r, p, t), kernel_text(r, t));
            }
            let kc = args.kernel.then(|| kernel_verdict_counts(&results, t));
            print!("{}", verdict_table(&verdict_counts(&results, t), kc.as_deref()));
            if let (Some(out), Some((n, changed))) = (&args.out, written) {
                println!("{}: wrote the {n} packets let through ({changed} changed by the program)", out.display());
            }
        } else {
            for r in &results {
                println!("{}", run_line(r, p, t));
                if r.kernel.is_some() {
                    println!("  {}", kernel_text(r, t));
                }
                for line in &r.trace {
                    println!("{line}");
                }
            }
        }
        for m in &maps {
            print!("{}", m.text());
        }
        for (name, same) in &map_cmp {
            match same {
                Ok(n) => println!("kernel: map {name} holds the same entries ({n})"),
                Err(why) => println!("kernel: map {name} differs: {why}"),
            }
        }
    }
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

pub(crate) fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

fn takes_packet(t: ProgType) -> bool {
    !default_test_input(t).data_in.is_empty()
}

/// The runs to make: one per data file or captured packet, or one on the default input.
fn inputs(args: &RunArgs, t: ProgType, capture: Option<&pcap::Capture>) -> Result<Vec<(String, TestRunAttr)>> {
    let ctx = args.ctx.as_deref().map(read).transpose()?;
    let with_ctx = |mut attr: TestRunAttr| {
        if let Some(c) = &ctx {
            attr = if takes_packet(t) { attr.with_ctx(c) } else { TestRunAttr::context(c) };
        }
        attr
    };
    if let Some(c) = capture {
        if !takes_packet(t) {
            bail!("{} programs take no packet: give the context with --ctx", t.name());
        }
        return Ok(c
            .packets
            .iter()
            .enumerate()
            .map(|(i, p)| (format!("packet {}", i + 1), with_ctx(TestRunAttr::packet(&p.data))))
            .collect());
    }
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

/// The verdict a run counts under in the table: the action name, accept/drop for socket
/// filters, the return value otherwise.
pub(crate) fn verdict(t: ProgType, retval: u32) -> String {
    match (action(t, retval), t) {
        (Some(a), _) => a.to_string(),
        (None, ProgType::SocketFilter) if retval == 0 => "dropped".into(),
        (None, ProgType::SocketFilter) => "accepted".into(),
        (None, _) => format!("retval {retval}"),
    }
}

/// How many bytes of the packet go on after a run, or `None` when the program drops it.
fn let_through(t: ProgType, retval: u32, len: usize) -> Option<usize> {
    let through = match t {
        ProgType::Xdp => matches!(retval, 2..=4),
        // SHOT, STOLEN, QUEUED, TRAP.
        ProgType::SchedCls | ProgType::SchedAct => !matches!(retval, 2 | 4 | 5 | 8),
        ProgType::SocketFilter => retval != 0,
        _ => true,
    };
    let len = if t == ProgType::SocketFilter { len.min(retval as usize) } else { len };
    through.then_some(len)
}

/// Runs per verdict, in the action order for XDP (every action shown), in order of first
/// appearance otherwise; failed runs count as `error`.
fn verdict_counts(results: &[RunResult], t: ProgType) -> Vec<(String, usize)> {
    count_verdicts(results.iter().map(|r| r.out.as_ref().ok().map(|o| o.retval)), t)
}

/// The kernel's runs per verdict, in the same order.
fn kernel_verdict_counts(results: &[RunResult], t: ProgType) -> Vec<(String, usize)> {
    count_verdicts(results.iter().map(|r| r.kernel.as_ref().and_then(|k| k.as_ref().ok()).map(|k| k.retval)), t)
}

fn count_verdicts(retvals: impl Iterator<Item = Option<u32>>, t: ProgType) -> Vec<(String, usize)> {
    let mut counts: Vec<(String, usize)> = if t == ProgType::Xdp {
        (0..5).map(|r| (verdict(t, r), 0)).collect()
    } else {
        Vec::new()
    };
    for r in retvals {
        let v = r.map_or_else(|| "error".to_string(), |r| verdict(t, r));
        match counts.iter_mut().find(|(k, _)| *k == v) {
            Some((_, n)) => *n += 1,
            None => counts.push((v, 1)),
        }
    }
    counts
}

/// The verdict table: packets per verdict, with a kernel column when there are kernel counts.
fn verdict_table(counts: &[(String, usize)], kernel: Option<&[(String, usize)]>) -> String {
    let mut rows: Vec<&str> = counts.iter().map(|(k, _)| k.as_str()).collect();
    for (k, _) in kernel.unwrap_or_default() {
        if !rows.contains(&k.as_str()) {
            rows.push(k);
        }
    }
    let get = |c: &[(String, usize)], k: &str| c.iter().find(|(v, _)| v == k).map_or(0, |(_, n)| *n);
    let w = rows.iter().map(|k| k.len()).max().unwrap_or(0).max("verdict".len());
    let mut s = match kernel {
        Some(_) => format!("{:<w$}     hive   kernel\n", "verdict"),
        None => format!("{:<w$}  packets\n", "verdict"),
    };
    for k in rows {
        match kernel {
            Some(kc) => s.push_str(&format!("{k:<w$}  {:>7}  {:>7}\n", get(counts, k), get(kc, k))),
            None => s.push_str(&format!("{k:<w$}  {:>7}\n", get(counts, k))),
        }
    }
    s
}

/// Whether the kernel's run agrees with Hive's: same return value and packet.
fn agrees(r: &RunResult) -> bool {
    match (&r.out, &r.kernel) {
        (_, None) => true,
        (Ok(o), Some(Ok(k))) => o.retval == k.retval && o.data_out == k.data_out,
        (Err(_), Some(Err(_))) => true,
        _ => false,
    }
}

/// The kernel's side of a run line.
fn kernel_text(r: &RunResult, t: ProgType) -> String {
    match &r.kernel {
        None => String::new(),
        Some(Err(e)) => format!("kernel: {e}"),
        Some(Ok(k)) => {
            let verdict = match action(t, k.retval) {
                Some(a) => format!("{a} ({})", k.retval),
                None => format!("retval {}", k.retval),
            };
            let same = match &r.out {
                Ok(o) if o.retval == k.retval && o.data_out == k.data_out => "same as hive",
                Ok(o) if o.retval == k.retval => "packet differs from hive",
                _ => "DIFFERS from hive",
            };
            format!("kernel: {verdict}, {} ns, {same}", k.duration_ns)
        }
    }
}

/// The captured packets the program let through, as it left them, with their timestamps;
/// and how many of them it changed.
fn passed(c: &pcap::Capture, results: &[RunResult], t: ProgType) -> (Vec<pcap::Packet>, usize) {
    let mut changed = 0;
    let mut out = Vec::new();
    for (p, r) in c.packets.iter().zip(results) {
        let Ok(o) = &r.out else { continue };
        let Some(len) = let_through(t, o.retval, o.data_out.len()) else { continue };
        let data = o.data_out[..len].to_vec();
        changed += usize::from(data != p.data);
        out.push(pcap::Packet { ts_sec: p.ts_sec, ts_frac: p.ts_frac, data });
    }
    (out, changed)
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
    let mut v = run_json_hive(r, p, t);
    match &r.kernel {
        Some(Ok(k)) => {
            v["kernel"] = json!({
                "retval": k.retval,
                "action": action(t, k.retval),
                "duration_ns": k.duration_ns,
                "data_out_len": k.data_out.len(),
                "agrees": agrees(r),
            });
        }
        Some(Err(e)) => v["kernel"] = json!({ "error": e, "agrees": agrees(r) }),
        None => {}
    }
    v
}

fn run_json_hive(r: &RunResult, p: &ProgramSpec, t: ProgType) -> Value {
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
pub(crate) struct Shown {
    pub(crate) text: String,
    pub(crate) json: Value,
}

impl Shown {
    fn new(text: String) -> Shown {
        let json = serde_json::from_str(&text).unwrap_or_else(|_| Value::String(text.clone()));
        Shown { text, json }
    }
}

/// A map's contents, keys and values shown through BTF where the object has it.
pub(crate) struct MapDump {
    name: String,
    map_type: String,
    pub(crate) entries: Result<Vec<(Shown, Shown)>, String>,
    /// Array slots left out because they hold only zeros.
    zero: usize,
}

impl MapDump {
    pub(crate) fn text(&self) -> String {
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

    pub(crate) fn json(&self) -> Value {
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
    spec.maps
        .iter()
        .filter(|d| matches!(d.kind, MapKind::Btf | MapKind::Legacy))
        .map(|def| dump_map(obj, spec, def, executors, true))
        .collect()
}

/// One map's entries in key order, through BTF; with `hide_zero`, array slots that hold
/// only zeros are counted, not shown.
pub(crate) fn dump_map(obj: &LoadedObject<'_>, spec: &ObjectSpec, def: &MapDef, executors: usize, hide_zero: bool) -> MapDump {
    let btf = spec.btf.as_deref();
    let array = matches!(def.map_type, MapType::Array | MapType::PercpuArray);
    let mut zero = 0;
    let entries = obj.map_entries(&def.name).map_err(|e| e.to_string()).map(|mut entries| {
        if array && hide_zero {
            let before = entries.len();
            entries.retain(|(_, v)| v.iter().any(|&b| b != 0));
            zero = before - entries.len();
        }
        // Key order, whatever the hash order of the map.
        entries.sort();
        entries.iter().map(|(k, v)| (typed(btf, def.key_type_id, k), value(btf, def, v, executors))).collect()
    });
    MapDump { name: def.name.clone(), map_type: def.map_type.to_string(), entries, zero }
}

/// Each map the object defines that the kernel copy has: `Ok(entries)` when Hive's and the
/// kernel's contents are the same, else what differs. Maps of programs or maps hold ids
/// and fds that differ by nature, and per-CPU maps differ in their number of CPUs: skipped.
fn compare_maps(obj: &LoadedObject<'_>, spec: &ObjectSpec, k: &KernelObject) -> Vec<(String, Result<usize, String>)> {
    let mut out = Vec::new();
    for (idx, def) in spec.maps.iter().enumerate() {
        if !matches!(def.kind, MapKind::Btf | MapKind::Legacy)
            || matches!(
                def.map_type,
                MapType::ProgArray
                    | MapType::ArrayOfMaps
                    | MapType::HashOfMaps
                    | MapType::PercpuArray
                    | MapType::PercpuHash
                    | MapType::LruPercpuHash
            )
        {
            continue;
        }
        let Some(theirs) = k.map_entries(idx) else { continue };
        let cmp = match (obj.map_entries(&def.name), theirs) {
            (Ok(mut ours), Ok(theirs)) => {
                ours.sort();
                if ours == theirs {
                    Ok(ours.len())
                } else {
                    let only = |a: &[(Vec<u8>, Vec<u8>)], b: &[(Vec<u8>, Vec<u8>)]| a.iter().filter(|e| !b.contains(e)).count();
                    Err(format!(
                        "{} entries in hive, {} in the kernel; {} only in hive, {} only in the kernel",
                        ours.len(),
                        theirs.len(),
                        only(&ours, &theirs),
                        only(&theirs, &ours)
                    ))
                }
            }
            (Err(e), _) => Err(format!("hive: {e}")),
            (_, Err(e)) => Err(format!("kernel: {e}")),
        };
        out.push((def.name.clone(), cmp));
    }
    out
}

/// `bytes` through the BTF type `id`, or as hex bytes.
pub(crate) fn typed(btf: Option<&Btf<'_>>, id: Option<TypeId>, bytes: &[u8]) -> Shown {
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
pub(crate) fn value(btf: Option<&Btf<'_>>, def: &MapDef, v: &[u8], executors: usize) -> Shown {
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

/// Packet captures: classic pcap (either byte order, micro- or nanosecond timestamps) and
/// pcapng (enhanced and simple packet blocks) in, classic pcap out.
pub(crate) mod pcap {
    use anyhow::{Result, bail};

    /// One captured packet: its timestamp (seconds, sub-second units of the file) and bytes.
    pub struct Packet {
        pub ts_sec: u32,
        pub ts_frac: u32,
        pub data: Vec<u8>,
    }

    /// A capture: its link type, whether timestamps are nanoseconds, and its packets.
    pub struct Capture {
        pub linktype: u32,
        pub nanos: bool,
        pub packets: Vec<Packet>,
    }

    fn u32_at(b: &[u8], off: usize, be: bool) -> Result<u32> {
        let Some(s) = b.get(off..off + 4) else { bail!("truncated at byte {off}") };
        let a: [u8; 4] = s.try_into().expect("4 bytes");
        Ok(if be { u32::from_be_bytes(a) } else { u32::from_le_bytes(a) })
    }

    pub fn parse(b: &[u8]) -> Result<Capture> {
        match b.get(..4) {
            Some([0xd4, 0xc3, 0xb2, 0xa1]) => classic(b, false, false),
            Some([0xa1, 0xb2, 0xc3, 0xd4]) => classic(b, true, false),
            Some([0x4d, 0x3c, 0xb2, 0xa1]) => classic(b, false, true),
            Some([0xa1, 0xb2, 0x3c, 0x4d]) => classic(b, true, true),
            Some([0x0a, 0x0d, 0x0d, 0x0a]) => pcapng(b),
            _ => bail!("not a pcap or pcapng file"),
        }
    }

    fn classic(b: &[u8], be: bool, nanos: bool) -> Result<Capture> {
        let linktype = u32_at(b, 20, be)? & 0x0fff_ffff;
        let mut packets = Vec::new();
        let mut off = 24;
        while off < b.len() {
            let (ts_sec, ts_frac, incl) = (u32_at(b, off, be)?, u32_at(b, off + 4, be)?, u32_at(b, off + 8, be)?);
            let start = off + 16;
            let Some(data) = b.get(start..start + incl as usize) else { bail!("packet {} is truncated", packets.len() + 1) };
            packets.push(Packet { ts_sec, ts_frac, data: data.to_vec() });
            off = start + incl as usize;
        }
        Ok(Capture { linktype, nanos, packets })
    }

    fn pcapng(b: &[u8]) -> Result<Capture> {
        // The byte-order magic of the section header tells the order of every block.
        let be = u32_at(b, 8, false)? != 0x1a2b_3c4d;
        let (mut linktypes, mut packets) = (Vec::new(), Vec::new());
        let mut off = 0;
        while off + 12 <= b.len() {
            let (kind, len) = (u32_at(b, off, be)?, u32_at(b, off + 4, be)? as usize);
            if len < 12 || off + len > b.len() {
                bail!("pcapng block at byte {off} is truncated");
            }
            let body = &b[off + 8..off + len - 4];
            match kind {
                1 if body.len() >= 2 => {
                    let lt = [body[0], body[1]];
                    linktypes.push(u32::from(if be { u16::from_be_bytes(lt) } else { u16::from_le_bytes(lt) }));
                }
                6 => {
                    let ts = (u64::from(u32_at(body, 4, be)?) << 32) | u64::from(u32_at(body, 8, be)?);
                    let incl = u32_at(body, 12, be)? as usize;
                    let Some(data) = body.get(20..20 + incl) else { bail!("pcapng packet is truncated") };
                    // Default resolution: microseconds.
                    packets.push(Packet { ts_sec: (ts / 1_000_000) as u32, ts_frac: (ts % 1_000_000) as u32, data: data.to_vec() });
                }
                3 => {
                    let orig = u32_at(body, 0, be)? as usize;
                    let data = body.get(4..4 + orig).unwrap_or(&body[4.min(body.len())..]);
                    packets.push(Packet { ts_sec: 0, ts_frac: 0, data: data.to_vec() });
                }
                _ => {}
            }
            off += len;
        }
        Ok(Capture { linktype: linktypes.first().copied().unwrap_or(1), nanos: false, packets })
    }

    /// A classic little-endian pcap file holding `packets`.
    pub fn write(linktype: u32, nanos: bool, packets: &[Packet]) -> Vec<u8> {
        let magic: u32 = if nanos { 0xa1b2_3c4d } else { 0xa1b2_c3d4 };
        let mut out = Vec::new();
        for v in [magic, 0x0004_0002, 0, 0, 262_144, linktype] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        // The version is two u16 (2, 4), and the timezone/sigfigs fields are zero.
        out[4..8].copy_from_slice(&[2, 0, 4, 0]);
        for p in packets {
            let len = p.data.len() as u32;
            for v in [p.ts_sec, p.ts_frac, len, len] {
                out.extend_from_slice(&v.to_le_bytes());
            }
            out.extend_from_slice(&p.data);
        }
        out
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn round_trip() {
            let p = vec![Packet { ts_sec: 5, ts_frac: 7, data: vec![1, 2, 3] }, Packet { ts_sec: 6, ts_frac: 0, data: vec![] }];
            let c = parse(&write(1, false, &p)).unwrap();
            assert_eq!((c.linktype, c.nanos, c.packets.len()), (1, false, 2));
            assert_eq!((c.packets[0].ts_sec, c.packets[0].ts_frac, &c.packets[0].data[..]), (5, 7, &[1u8, 2, 3][..]));
        }
    }
}
