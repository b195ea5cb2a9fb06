//! `hive map dump|lookup|update` on the bundled example, through the built binary.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn hive(args: &[&str], extra: &[PathBuf]) -> Output {
    let mut all: Vec<OsString> = vec!["map".into()];
    all.extend(args.iter().map(OsString::from));
    all.extend(extra.iter().map(|p| p.clone().into_os_string()));
    let obj = root().join("examples/bpf/xdp_stats.bpf.o");
    // The object goes right after the subcommand.
    all.insert(2, obj.into_os_string());
    Command::new(env!("CARGO_BIN_EXE_hive")).args(&all).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn packets() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("examples/bpf/packets"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "bin"))
        .collect();
    v.sort();
    v
}

#[test]
fn dump_empty_then_after_packets() {
    let o = hive(&["dump", "stats"], &[]);
    assert!(o.status.success(), "{o:?}");
    assert_eq!(stdout(&o), "map stats (hash, 0 entries):\n");

    let o = hive(&["dump", "stats", "--prog", "xdp_stats", "--data"], &packets());
    assert!(o.status.success(), "{o:?}");
    let out = stdout(&o);
    assert!(out.starts_with("map stats (hash, 5 entries):\n"), "{out}");
    assert!(out.contains(r#"  {"l3": "L3_IPV4", "l4": "L4_TCP"}: {"packets": 2, "bytes": 126}"#), "{out}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("ran 6 packets through xdp_stats (xdp)"));
}

#[test]
fn dump_json_after_pcap() {
    let pcap = root().join("examples/bpf/packets/packets.pcap");
    let o = hive(&["dump", "stats", "--json", "--pcap"], &[pcap]);
    assert!(o.status.success(), "{o:?}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["name"], "stats");
    let entries = v["entries"].as_array().unwrap();
    assert!(!entries.is_empty());
    let total: u64 = entries.iter().map(|e| e["value"]["packets"].as_u64().unwrap()).sum();
    assert_eq!(total, 40);
}

#[test]
fn rodata_initial_contents() {
    let o = hive(&["dump", ".rodata"], &[]);
    assert!(o.status.success(), "{o:?}");
    assert!(stdout(&o).contains(r#""blocked_port": 23"#), "{}", stdout(&o));
    let o = hive(&["lookup", ".rodata", "--json", "--key", "0x00000000"], &[]);
    assert!(o.status.success(), "{o:?}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["value"]["blocked_port"], 23);
}

#[test]
fn lookup_and_update_flags() {
    let key = ["--key", "01", "00", "00", "00", "0x01000000"];
    let o = hive(&[&["lookup", "stats"][..], &key].concat(), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("ENOENT"), "{}", stdout(&o));

    let value = ["--value", "0x0100000000000000", "40 00 00 00 00 00 00 00"];
    let o = hive(&[&["update", "stats"][..], &key, &value, &["--flags", "exist"]].concat(), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("ENOENT"), "{}", stdout(&o));

    let o = hive(&[&["update", "stats"][..], &key, &value, &["--flags", "noexist"]].concat(), &[]);
    assert!(o.status.success(), "{o:?}");
    assert_eq!(stdout(&o), "{\"l3\": \"L3_ARP\", \"l4\": \"L4_TCP\"}: {\"packets\": 1, \"bytes\": 64}\n");

    // A wrong size is refused before the map sees it.
    let o = hive(&["lookup", "stats", "--key", "01"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("key is 8 bytes, got 1"));
}
