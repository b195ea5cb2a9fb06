//! `hive run --pcap` on the bundled example and its capture, through the built binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn hive(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hive")).current_dir(root()).args(args).output().expect("run hive")
}

/// The records of a little-endian classic pcap file: (timestamp seconds, bytes).
fn records(b: &[u8]) -> Vec<(u32, Vec<u8>)> {
    let u = |o: usize| u32::from_le_bytes(b[o..o + 4].try_into().unwrap());
    assert_eq!(u(0), 0xa1b2_c3d4);
    let mut out = Vec::new();
    let mut off = 24;
    while off < b.len() {
        let len = u(off + 8) as usize;
        out.push((u(off), b[off + 16..off + 16 + len].to_vec()));
        off += 16 + len;
    }
    out
}

#[test]
fn pcap_gives_a_verdict_table_writes_what_passes_and_dumps_the_maps() {
    let out_file = std::env::temp_dir().join(format!("hive-run-pcap-{}.pcap", std::process::id()));
    let out_arg = out_file.to_str().unwrap();
    let out = hive(&[
        "run",
        "examples/bpf/xdp_stats.bpf.o",
        "--pcap",
        "examples/bpf/packets/packets.pcap",
        "--out",
        out_arg,
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[1].starts_with("packets.pcap: 40 packets, "), "{stdout}");
    assert_eq!(lines.iter().filter(|l| l.ends_with("dropped TCP to blocked port 23")).count(), 5);
    let table = lines.iter().position(|l| l.starts_with("verdict ")).expect("a verdict table");
    let rows: Vec<Vec<&str>> = lines[table + 1..table + 6].iter().map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(
        rows,
        [
            vec!["XDP_ABORTED", "0"],
            vec!["XDP_DROP", "5"],
            vec!["XDP_PASS", "35"],
            vec!["XDP_TX", "0"],
            vec!["XDP_REDIRECT", "0"],
        ]
    );
    assert!(lines[table + 6].ends_with(": wrote the 35 packets let through (0 changed by the program)"), "{stdout}");
    assert!(stdout.contains("map stats (hash, 6 entries):\n"), "{stdout}");
    assert!(stdout.contains(r#"  {"l3": "L3_IPV4", "l4": "L4_TCP"}: {"packets": 15, "bytes": 975}"#), "{stdout}");

    // The passed packets are the capture's minus the telnet ones, timestamps kept.
    let input = records(&std::fs::read(root().join("examples/bpf/packets/packets.pcap")).unwrap());
    let written = records(&std::fs::read(&out_file).unwrap());
    std::fs::remove_file(&out_file).ok();
    let telnet = |p: &[u8]| p.len() >= 38 && p[12..14] == [8, 0] && p[23] == 6 && p[36..38] == [0, 23];
    let expected: Vec<_> = input.into_iter().filter(|(_, p)| !telnet(p)).collect();
    assert_eq!(written, expected);
}

#[test]
fn pcap_json_counts_verdicts() {
    let out = hive(&["run", "examples/bpf/xdp_stats.bpf.o", "--pcap", "examples/bpf/packets/packets.pcap", "--json"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdicts"]["XDP_PASS"], 35);
    assert_eq!(v["verdicts"]["XDP_DROP"], 5);
    assert_eq!(v["runs"].as_array().unwrap().len(), 40);
}

#[test]
fn json_has_a_top_level_retval_and_target_btf_is_taken() {
    let out = hive(&[
        "run",
        "examples/bpf/xdp_stats.bpf.o",
        "--data",
        "examples/bpf/packets/ipv4_tcp_telnet.bin",
        "--target-btf",
        "examples/bpf/xdp_stats.bpf.o",
        "--json",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["retval"], 1, "XDP_DROP");
    let out = hive(&["run", "examples/bpf/xdp_stats.bpf.o", "--target-btf", "/nonexistent.btf"]);
    assert_eq!(out.status.code(), Some(2));
}

/// `hive run OBJECT --pcap <the bundled capture> --kernel --json`, or `None` (with a note)
/// when this process may not use the host kernel.
fn run_with_kernel(object: &str) -> Option<serde_json::Value> {
    let out = hive(&["run", object, "--pcap", "examples/bpf/packets/packets.pcap", "--kernel", "--json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() == Some(2) && stderr.contains("--kernel needs the host kernel") {
        println!("note: skipping the kernel comparison: {stderr}");
        return None;
    }
    assert!(out.status.success(), "{stderr}");
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

#[test]
fn kernel_gives_the_same_verdict_counts_on_the_bundled_capture() {
    let Some(v) = run_with_kernel("examples/bpf/xdp_stats.bpf.o") else { return };
    assert_eq!(v["verdicts"], v["kernel_verdicts"]);
    assert_eq!(v["kernel_verdicts"]["XDP_DROP"], 5);
    assert_eq!(v["kernel_agrees"], true);
    assert_eq!(v["kernel_maps"]["stats"]["same_entries"], 6);
}

/// A program with a `bpf_loop` callback: the kernel needs its BTF and func info, which
/// `--kernel` passes as Hive's loader does.
#[test]
fn kernel_runs_callback_programs_with_their_btf() {
    let Some(v) = run_with_kernel("bench/progs/bpf_loop.bpf.o") else { return };
    assert_eq!(v["verdicts"], v["kernel_verdicts"]);
    assert_eq!(v["kernel_agrees"], true);
}

#[test]
fn prog_list_prints_one_line_per_program() {
    let out = hive(&["prog", "list", "examples/bpf/xdp_stats.bpf.o"]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "1: xdp_stats  xdp  tag 5def78ac721bf122  insns 142\n");
}
