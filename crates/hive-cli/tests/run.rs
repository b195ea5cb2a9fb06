//! `hive run`, `hive prog show` and `hive prog dump xlated` on the bundled example, through
//! the built binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use hive::object::ObjectLoadOptions;
use hive_isa::Pseudo;
use hive_object::{LoadOptions, ObjectSpec, TargetBtf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example() -> PathBuf {
    root().join("examples/bpf/xdp_stats.bpf.o")
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

fn hive(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hive")).args(args).output().expect("run hive")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn run_prints_verdicts_trace_and_maps() {
    let mut args = vec!["run".into(), example().into_os_string(), "--data".into()];
    args.extend(packets().into_iter().map(PathBuf::into_os_string));
    let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    let out = hive(&args);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "xdp_stats.bpf.o: program xdp_stats (xdp), maps stats .rodata");
    assert!(lines[1].starts_with("arp.bin: XDP_PASS (2), ") && lines[1].ends_with(" ns, data_out 42 bytes, unchanged"));
    assert!(lines[3].starts_with("ipv4_tcp_telnet.bin: XDP_DROP (1), "), "{}", lines[3]);
    assert!(lines[4].ends_with("bpf_trace_printk: xdp_stats: dropped TCP to blocked port 23"), "{}", lines[4]);
    let maps = &lines[lines.len() - 6..];
    assert_eq!(
        maps,
        [
            "map stats (hash, 5 entries):",
            r#"  {"l3": "L3_ARP", "l4": "L4_NONE"}: {"packets": 1, "bytes": 42}"#,
            r#"  {"l3": "L3_IPV4", "l4": "L4_TCP"}: {"packets": 2, "bytes": 126}"#,
            r#"  {"l3": "L3_IPV4", "l4": "L4_UDP"}: {"packets": 1, "bytes": 71}"#,
            r#"  {"l3": "L3_IPV4", "l4": "L4_ICMP"}: {"packets": 1, "bytes": 50}"#,
            r#"  {"l3": "L3_IPV6", "l4": "L4_TCP"}: {"packets": 1, "bytes": 74}"#,
        ]
    );
}

#[test]
fn run_json_on_the_default_input() {
    let out = hive(&["run".as_ref(), example().as_os_str(), "--json".as_ref(), "--repeat".as_ref(), "3".as_ref()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["program"]["name"], "xdp_stats");
    let run = &v["runs"][0];
    assert_eq!((run["retval"].as_u64(), run["action"].as_str()), (Some(2), Some("XDP_PASS")));
    assert_eq!(run["data_out_len"], 64);
    let entries = &v["maps"][0]["entries"];
    assert_eq!(entries[0]["key"]["l3"], "L3_OTHER");
    assert_eq!(entries[0]["value"]["packets"], 3, "three runs of one zeroed frame");
}

/// The example with its `bpf_trace_printk` call turned into helper 999, which does not exist.
fn broken_example() -> PathBuf {
    let mut bytes = std::fs::read(example()).unwrap();
    let call = [0x85, 0, 0, 0, 6, 0, 0, 0];
    let at: Vec<usize> = (0..bytes.len() - 8).filter(|&i| bytes[i..i + 8] == call).collect();
    assert_eq!(at.len(), 1, "one bpf_trace_printk call");
    bytes[at[0] + 4..at[0] + 8].copy_from_slice(&999i32.to_le_bytes());
    let path = std::env::temp_dir().join(format!("hive-broken-{}.bpf.o", std::process::id()));
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn load_failures_exit_2_naming_the_program_and_the_source_line() {
    let path = broken_example();
    let out = hive(&["run".as_ref(), path.as_os_str()]);
    std::fs::remove_file(&path).ok();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot load: program 'xdp_stats': EINVAL: insn "), "{stderr}");
    assert!(stderr.contains("invalid func unknown#999"), "{stderr}");
    assert!(stderr.contains("(at xdp_stats.bpf.c:") && stderr.contains("bpf_printk("), "{stderr}");
}

#[test]
fn choosing_a_program_that_does_not_exist_lists_the_names() {
    let out = hive(&["run".as_ref(), example().as_os_str(), "--prog".as_ref(), "nope".as_ref()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no program 'nope' (programs: xdp_stats)"), "{}", text(&out.stderr));
}

#[test]
fn prog_show_lists_like_bpftool() {
    let out = hive(&["prog".as_ref(), "show".as_ref(), example().as_os_str()]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("1: xdp  name xdp_stats  tag ") && lines[0].ends_with("  gpl"), "{}", lines[0]);
    assert!(lines[1].starts_with("\tloaded_at 20") && lines[1].contains("+0000  uid "), "{}", lines[1]);
    assert!(lines[2].starts_with("\txlated ") && lines[2].contains("B  map_ids "), "{}", lines[2]);
    // Verified, so compiled: the JIT's size (which depends on the host CPU's features).
    let jited = lines[2].split("jited ").nth(1).and_then(|s| s.split('B').next()).unwrap();
    assert_ne!(jited, "0", "{}", lines[2]);
    assert_eq!(lines[3], "\tbtf_id 2");
    assert_eq!(lines[4], format!("\tjit: {jited} bytes of x86-64 code, running in the JIT"));
}

/// The dump re-assembles into the instructions the runtime reports, each map `lddw` in the
/// kernel's form (second slot 0 after a map, the offset after a map value).
#[test]
fn prog_dump_xlated_reassembles_to_the_xlated_instructions() {
    let out = hive(&["prog".as_ref(), "dump".as_ref(), "xlated".as_ref(), example().as_os_str(), "linum".as_ref()]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(stdout.starts_with("// int xdp_stats(struct xdp_md *ctx):\n// xdp_stats.bpf.c:"), "{stdout}");
    assert!(stdout.contains("// int count(struct flow_key *key, __u64 bytes):\n"));
    assert!(stdout.contains("r1 = map[fd:1]  // map id 1: stats\n"), "{stdout}");
    assert!(stdout.contains("r1 = map_value[fd:2]+2  // map id 2: .rodata\n"), "{stdout}");
    let ours = hive_asm::assemble(&stdout, hive_asm::Syntax::Kernel).expect("hive asm accepts the dump");

    let spec = ObjectSpec::parse(
        &std::fs::read(example()).unwrap(),
        &LoadOptions { target_btf: TargetBtf::Own, ..Default::default() },
    )
    .unwrap();
    let rt = hive::Runtime::default();
    let client = rt.client();
    let obj = client.load_object(&spec, &ObjectLoadOptions::default()).unwrap();
    let fd = obj.prog("xdp_stats").unwrap();
    let xlated = client.prog_info(fd).unwrap().xlated_prog_insns;
    let orig = client.prog_orig_insns(fd).unwrap();
    assert_eq!(ours.len(), xlated.len());
    for pc in 0..xlated.len() {
        let map_slot = pc > 0
            && xlated[pc - 1].code == 0x18
            && [Pseudo::MapFd.src(), Pseudo::MapValue.src()].contains(&xlated[pc - 1].src);
        if map_slot {
            let off = if xlated[pc - 1].src == Pseudo::MapValue.src() { orig[pc].imm } else { 0 };
            assert_eq!(ours[pc].imm, off, "second slot of the lddw at {}", pc - 1);
        } else {
            assert_eq!(ours[pc], xlated[pc], "insn {pc}");
        }
    }
}

/// The JIT's code disassembled: every BPF instruction that has code appears once, in order,
/// with the C source lines and function prototypes among them, and x86 lines after each.
#[test]
fn prog_dump_jited_interleaves_bpf_instructions_and_source() {
    let out = hive(&["prog".as_ref(), "dump".as_ref(), "jited".as_ref(), example().as_os_str(), "linum".as_ref()]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(stdout.contains("// int xdp_stats(struct xdp_md *ctx):\n// xdp_stats.bpf.c:"), "{stdout}");
    assert!(stdout.contains("// int count(struct flow_key *key, __u64 bytes):\n"), "{stdout}");
    let pcs: Vec<usize> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("; "))
        .map(|l| l.split(':').next().unwrap().trim().parse().unwrap())
        .collect();
    assert!(pcs.len() > 100 && pcs.windows(2).all(|w| w[0] < w[1]), "{pcs:?}");
    // Machine code lines: `offset:  hex  mnemonic`, the offsets increasing.
    let offsets: Vec<usize> = stdout
        .lines()
        .filter(|l| !l.starts_with(';') && !l.starts_with("//"))
        .map(|l| usize::from_str_radix(l.split(':').next().unwrap().trim(), 16).unwrap())
        .collect();
    assert!(offsets.windows(2).all(|w| w[0] < w[1]));
    assert!(stdout.contains(" ret\n") || stdout.contains(" ret"), "{stdout}");
}
