//! `hive map dump|lookup|update OBJ.o MAP`: the maps of an object loaded for the invocation,
//! like bpftool's, optionally after running packets through one of its programs. Nothing
//! outlives the command: each invocation loads the object afresh.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use hive::object::LoadedObject;
use hive::{Client, Runtime, RuntimeConfig, TestRunAttr};
use hive_object::{MapDef, ObjectSpec};
use serde_json::json;

use crate::prog;
use crate::run::{self, pcap};

const HEX_HELP: &str = "Raw bytes in memory order, as bpftool takes them: `01 00 00 00` (separate \
                        arguments or one quoted string) or `0x01000000`; for a little-endian u32 1, \
                        both spell bytes 01 00 00 00";

#[derive(Debug, Subcommand)]
pub enum MapCommand {
    /// Print every entry of MAP, keys and values through the object's BTF (hex bytes without
    /// BTF), like `bpftool map dump`; with --prog and --data/--pcap, after running those
    /// packets through the program, so the dump shows the state they leave.
    Dump {
        #[command(flatten)]
        target: Target,
        /// The program to run the packets through [default: the object's only program].
        #[arg(long)]
        prog: Option<String>,
        /// Packets to run first, one run each.
        #[arg(long, num_args = 1.., conflicts_with = "pcap")]
        data: Vec<PathBuf>,
        /// A packet capture (pcap or pcapng) to run first, one run per packet.
        #[arg(long)]
        pcap: Option<PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print MAP's value at --key (as the object loads it: `.rodata`/`.data` show their
    /// initial contents); exit 1 with the errno when the lookup fails (ENOENT: no such key).
    Lookup {
        #[command(flatten)]
        target: Target,
        #[arg(long, num_args = 1.., required = true, help = HEX_HELP)]
        key: Vec<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Update MAP at --key with --value, then print the entry; exit 1 with the errno when
    /// the update fails (EEXIST with noexist, ENOENT with exist). `.rodata` is not frozen
    /// (unlike libbpf's loads). The change lives for this invocation only.
    Update {
        #[command(flatten)]
        target: Target,
        #[arg(long, num_args = 1.., required = true, help = HEX_HELP)]
        key: Vec<String>,
        #[arg(long, num_args = 1.., required = true, help = HEX_HELP)]
        value: Vec<String>,
        /// BPF_ANY (create or replace), BPF_NOEXIST (create only), BPF_EXIST (replace only).
        #[arg(long, value_enum, default_value = "any")]
        flags: UpdateFlags,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// The object and the map in it.
#[derive(Debug, Args)]
pub struct Target {
    /// A BPF ELF object as clang builds it for the kernel (.bpf.o).
    file: PathBuf,
    /// The map's name in the object (`stats`, `.rodata`, `.data`...).
    map: String,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum UpdateFlags {
    Any,
    Noexist,
    Exist,
}

/// A loaded object and the map asked for.
struct Opened<'c> {
    obj: LoadedObject<'c>,
    spec: ObjectSpec,
}

impl Opened<'_> {
    fn def(&self, name: &str) -> Result<&MapDef> {
        match self.spec.maps.iter().find(|d| d.name == name) {
            Some(d) => Ok(d),
            None => {
                let names: Vec<&str> = self.spec.maps.iter().map(|d| d.name.as_str()).collect();
                let names = if names.is_empty() { "none".to_string() } else { names.join(", ") };
                bail!("no map '{name}' in the object (maps: {names})")
            }
        }
    }
}

fn open<'c>(client: &'c Client, t: &Target, want: Option<&str>) -> Result<Opened<'c>> {
    let spec = prog::open(&t.file, want, None)?;
    let obj = prog::load(client, &spec, &t.file)?;
    for w in &obj.warnings {
        eprintln!("warning: {w}");
    }
    Ok(Opened { obj, spec })
}

pub fn run(cmd: &MapCommand) -> Result<ExitCode> {
    let rt = Runtime::new(RuntimeConfig::default());
    let client = rt.client();
    let executors = rt.config().executors;
    match cmd {
        MapCommand::Dump { target, prog: want, data, pcap: capture, json } => {
            let o = open(&client, target, want.as_deref())?;
            let def = o.def(&target.map)?;
            let mut failed = false;
            let inputs = packets(data, capture.as_deref())?;
            if !inputs.is_empty() {
                let (p, fd) = prog::choose(&o.obj, &o.spec, want.as_deref())?;
                let t = client.prog_info(fd)?.prog_type;
                let mut counts: Vec<(String, usize)> = Vec::new();
                for (name, attr) in &inputs {
                    let v = match client.prog_test_run(fd, attr) {
                        Ok(out) => run::verdict(t, out.retval),
                        Err(e) => {
                            eprintln!("{name}: {e}");
                            failed = true;
                            "error".into()
                        }
                    };
                    match counts.iter_mut().find(|(k, _)| *k == v) {
                        Some((_, n)) => *n += 1,
                        None => counts.push((v, 1)),
                    }
                }
                let counts: Vec<String> = counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
                eprintln!("ran {} packets through {} ({}): {}", inputs.len(), p.name, t.name(), counts.join(", "));
            }
            let dump = run::dump_map(&o.obj, &o.spec, def, executors, false);
            if *json {
                println!("{}", serde_json::to_string_pretty(&dump.json())?);
            } else {
                print!("{}", dump.text());
            }
            failed |= dump.entries.is_err();
            Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
        }
        MapCommand::Lookup { target, key, json } => {
            let o = open(&client, target, None)?;
            let def = o.def(&target.map)?;
            let key = sized(&parse_hex(key).context("--key")?, def.key_size, "key")?;
            entry(&client, &o, def, &key, executors, *json)
        }
        MapCommand::Update { target, key, value, flags, json } => {
            let o = open(&client, target, None)?;
            let def = o.def(&target.map)?;
            let key = sized(&parse_hex(key).context("--key")?, def.key_size, "key")?;
            let value = sized(&parse_hex(value).context("--value")?, def.value_size, "value")?;
            let fd = o.obj.map(&def.name).context("the map did not load")?;
            let f = match flags {
                UpdateFlags::Any => 0,
                UpdateFlags::Noexist => 1,
                UpdateFlags::Exist => 2,
            };
            if let Err(e) = client.map_update_elem(fd, &key, &value, f) {
                return failure(&def.name, "update", &e, *json);
            }
            entry(&client, &o, def, &key, executors, *json)
        }
    }
}

/// Looks `key` up and prints the entry.
fn entry(client: &Client, o: &Opened<'_>, def: &MapDef, key: &[u8], executors: usize, json: bool) -> Result<ExitCode> {
    let fd = o.obj.map(&def.name).context("the map did not load")?;
    let v = match client.map_lookup(fd, key) {
        Ok(v) => v,
        Err(e) => return failure(&def.name, "lookup", &e, json),
    };
    let btf = o.spec.btf.as_deref();
    let (k, v) = (run::typed(btf, def.key_type_id, key), run::value(btf, def, &v, executors));
    if json {
        println!("{}", serde_json::to_string_pretty(&json!({ "key": k.json, "value": v.json }))?);
    } else {
        println!("{}: {}", k.text, v.text);
    }
    Ok(ExitCode::SUCCESS)
}

fn failure(map: &str, what: &str, e: &hive::Error, json: bool) -> Result<ExitCode> {
    let errno = e.errno();
    let name = hive::errno_name(errno);
    if json {
        println!("{}", serde_json::to_string_pretty(&json!({ "error": e.to_string(), "errno": errno, "errno_name": name }))?);
    } else {
        println!("map {map}: {what} failed: {e}");
    }
    Ok(ExitCode::FAILURE)
}

/// The packets to run, from --data files or a capture.
fn packets(data: &[PathBuf], capture: Option<&std::path::Path>) -> Result<Vec<(String, TestRunAttr)>> {
    if let Some(f) = capture {
        let c = pcap::parse(&run::read(f)?).with_context(|| f.display().to_string())?;
        return Ok(c.packets.iter().enumerate().map(|(i, p)| (format!("packet {}", i + 1), TestRunAttr::packet(&p.data))).collect());
    }
    data.iter()
        .map(|p| Ok((p.display().to_string(), TestRunAttr::packet(&run::read(p)?))))
        .collect()
}

/// `bytes`, which must be the map's `size` bytes.
fn sized(bytes: &[u8], size: u32, what: &str) -> Result<Vec<u8>> {
    if bytes.len() != size as usize {
        bail!("the map's {what} is {size} bytes, got {}", bytes.len());
    }
    Ok(bytes.to_vec())
}

/// Bytes in memory order: `01 00 00 00`, `01000000`, `0x01000000`, or several such words.
fn parse_hex(words: &[String]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    for w in words.iter().flat_map(|w| w.split_whitespace()) {
        let digits = w.strip_prefix("0x").or_else(|| w.strip_prefix("0X")).unwrap_or(w);
        if digits.is_empty() || digits.len() % 2 != 0 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            bail!("'{w}' is not hex bytes (two digits a byte, e.g. 01 00 00 00 or 0x01000000)");
        }
        for i in (0..digits.len()).step_by(2) {
            out.push(u8::from_str_radix(&digits[i..i + 2], 16)?);
        }
    }
    if out.is_empty() {
        bail!("no bytes given");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex() {
        let s = |v: &[&str]| v.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
        assert_eq!(parse_hex(&s(&["01", "00", "00", "00"])).unwrap(), [1, 0, 0, 0]);
        assert_eq!(parse_hex(&s(&["0x01000000"])).unwrap(), [1, 0, 0, 0]);
        assert_eq!(parse_hex(&s(&["01 02", "0x0304"])).unwrap(), [1, 2, 3, 4]);
        assert!(parse_hex(&s(&["1"])).is_err());
        assert!(parse_hex(&s(&["zz"])).is_err());
    }
}
