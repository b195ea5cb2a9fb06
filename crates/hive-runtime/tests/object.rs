//! `Client::load_object` on the bundled example and on cilium/ebpf's loader test objects:
//! maps with their BTF and initial data, programs with fd_array, func and line info,
//! initial prog-array and map-in-map slots, errors that name the part and the C line, and
//! programs that run to what their authors' tests expect.

mod object_support;

use hive::object::{ObjectLoadOptions, ObjectPart};
use hive::{Client, TestRunAttr};
use hive_maps::MapType;
use hive_platform::prog::ProgType;
use hive_object::ProgramSelection;
use object_support::{corpus, example_packets, examples, parse, parse_with, runtime};

fn example() -> hive_object::ObjectSpec {
    parse(&examples().join("xdp_stats.bpf.o"))
}

fn opts(name: &str) -> ObjectLoadOptions {
    ObjectLoadOptions { object_name: name.into(), ..Default::default() }
}

/// The example's flow key and counters as the program lays them out.
fn key(l3: u32, l4: u32) -> Vec<u8> {
    [l3.to_ne_bytes(), l4.to_ne_bytes()].concat()
}

fn counters(packets: u64, bytes: u64) -> Vec<u8> {
    [packets.to_ne_bytes(), bytes.to_ne_bytes()].concat()
}

#[test]
fn example_loads_with_btf_maps_and_line_info() {
    let (rt, _) = runtime();
    let client = rt.client();
    let spec = example();
    let obj = client.load_object(&spec, &opts("xdp_stats")).unwrap_or_else(|e| panic!("{e}\n{}", e.log()));
    assert!(obj.warnings.is_empty(), "{:?}", obj.warnings);
    assert!(obj.btf.is_some());
    let names: Vec<_> = obj.maps.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["stats", ".rodata"]);
    let stats = client.map_info(obj.map("stats").unwrap()).unwrap();
    assert_eq!((stats.map_type, stats.key_size, stats.value_size, stats.max_entries), (MapType::Hash, 8, 16, 64));
    assert!(stats.btf_id != 0 && stats.btf_key_type_id != 0 && stats.btf_value_type_id != 0);
    let rodata = client.map_info(obj.map(".rodata").unwrap()).unwrap();
    assert_eq!(rodata.name, "xdp_stat.rodata");
    assert_eq!(rodata.map_flags & hive_maps::flags::RDONLY_PROG, hive_maps::flags::RDONLY_PROG);
    // blocked_port = 23 is the first variable of .rodata.
    let data = client.map_lookup(obj.map(".rodata").unwrap(), &0u32.to_ne_bytes()).unwrap();
    assert_eq!(&data[..2], &23u16.to_ne_bytes());

    let info = client.prog_info(obj.prog("xdp_stats").unwrap()).unwrap();
    assert_eq!((info.prog_type, info.name.as_str(), info.gpl_compatible), (ProgType::Xdp, "xdp_stats", true));
    assert_eq!(info.map_ids.len(), 2);
    assert_eq!(info.func_info.len(), 2, "xdp_stats and its subprogram count");
    assert!(!info.line_info.is_empty());
    // The program has a BTF of its own (the maps have the object's), which it holds after
    // the loader closed its descriptor: func and line info index it.
    assert!(info.btf_id != 0 && info.btf_id != stats.btf_id);
    let own = spec.program("xdp_stats").unwrap().btf.as_ref().unwrap();
    let fd = client.btf_get_fd_by_id(hive::BtfId(info.btf_id)).unwrap();
    let loaded = client.btf_info(fd).unwrap();
    assert_eq!(loaded.btf, own.bytes);
    let btf = hive_btf::Btf::parse(&loaded.btf).unwrap();
    let names: Vec<_> =
        info.func_info.iter().map(|f| btf.type_by_id(hive_btf::TypeId(f.type_id)).unwrap().name()).collect();
    assert_eq!(names[0], "xdp_stats");
    let first = &info.line_info[0];
    assert!(btf.str_at(first.file_name_off).unwrap().ends_with("xdp_stats.bpf.c"));
    assert_eq!(btf.str_at(first.line_off), Some(spec.program("xdp_stats").unwrap().line_info[0].text.as_ref()));
    assert!(btf.type_count() < spec.btf.as_ref().unwrap().type_count());
}

#[test]
fn example_counts_packets_and_drops_telnet() {
    let (rt, trace) = runtime();
    let client = rt.client();
    let spec = example();
    let obj = client.load_object(&spec, &opts("xdp_stats")).unwrap();
    let prog = obj.prog("xdp_stats").unwrap();
    let mut actions = Vec::new();
    for (name, packet) in example_packets() {
        let out = client.prog_test_run(prog, &TestRunAttr::packet(&packet)).unwrap();
        assert_eq!(out.data_out, packet, "{name}: XDP_PASS/DROP leave the packet alone");
        actions.push((name, out.retval));
    }
    let dropped: Vec<_> = actions.iter().filter(|(_, r)| *r == 1).map(|(n, _)| n.as_str()).collect();
    assert_eq!(dropped, ["ipv4_tcp_telnet.bin"]);
    assert!(actions.iter().all(|(n, r)| *r == 2 || n == "ipv4_tcp_telnet.bin"), "{actions:?}");
    let lines = trace.take();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].ends_with("bpf_trace_printk: xdp_stats: dropped TCP to blocked port 23"), "{}", lines[0]);

    let mut entries = obj.map_entries("stats").unwrap();
    entries.sort();
    let (arp, ipv4, ipv6) = (1, 2, 3);
    let (none, tcp, udp, icmp) = (0, 1, 2, 3);
    let mut want = vec![
        (key(arp, none), counters(1, 42)),
        (key(ipv4, tcp), counters(2, 72 + 54)),
        (key(ipv4, udp), counters(1, 71)),
        (key(ipv4, icmp), counters(1, 50)),
        (key(ipv6, tcp), counters(1, 74)),
    ];
    want.sort();
    assert_eq!(entries, want);
}

#[test]
fn rodata_is_read_only_for_programs_and_set_before_load() {
    let (rt, trace) = runtime();
    let client = rt.client();
    let mut spec = example();
    // What a skeleton does before load: blocked_port = 80.
    let (idx, _) = spec.map(".rodata").unwrap();
    let data = spec.maps[idx].initial_data.as_mut().unwrap();
    data[..2].copy_from_slice(&80u16.to_ne_bytes());
    let obj = client.load_object(&spec, &opts("")).unwrap();
    assert_eq!(client.map_info(obj.map(".rodata").unwrap()).unwrap().name, ".rodata");
    let prog = obj.prog("xdp_stats").unwrap();
    for (name, packet) in example_packets() {
        let out = client.prog_test_run(prog, &TestRunAttr::packet(&packet)).unwrap();
        assert_eq!(out.retval == 1, name == "ipv4_tcp_http.bin", "{name}");
    }
    assert!(trace.take()[0].ends_with("blocked port 80"));
}

#[test]
fn closing_releases_everything() {
    let (rt, _) = runtime();
    let client = rt.client();
    let obj = client.load_object(&example(), &opts("xdp_stats")).unwrap();
    assert_eq!(rt.prog_ids().len(), 1);
    assert_eq!(rt.map_ids().len(), 2);
    assert_eq!(client.fds().len(), 4, "BTF, two maps, one program");
    obj.close();
    assert!(client.fds().is_empty());
    assert!(rt.prog_ids().is_empty() && rt.map_ids().is_empty());
}

#[test]
fn refusals_name_the_program_and_the_source_line() {
    let (rt, _) = runtime();
    let client = rt.client();
    let mut spec = example();
    // A helper socket filters may not call: bpf_xdp_adjust_head (44), at the printk's call.
    let p = &mut spec.programs[0];
    let at = p.insns.iter().position(|i| i.code == 0x85 && i.src == 0 && i.imm == 6).expect("bpf_trace_printk call");
    p.prog_type = ProgType::SocketFilter;
    p.insns[at].imm = 44;
    let e = client.load_object(&spec, &opts("xdp_stats")).unwrap_err();
    assert_eq!(e.part, ObjectPart::Program("xdp_stats".into()));
    assert_eq!(e.insn, Some(at));
    let line = e.source_line.as_deref().unwrap();
    assert!(line.starts_with("xdp_stats.bpf.c:") && line.contains("bpf_printk"), "{line}");
    assert!(e.to_string().contains("cannot use helper"), "{e}");
    assert!(!e.log().is_empty());
    assert!(client.fds().is_empty(), "a failed load closes what it created");
}

/// A cilium test object; sections libbpf does not know ("socket/3") load as socket
/// filters, as cilium's tests set them by hand.
fn cilium(file: &str) -> Option<hive_object::ObjectSpec> {
    cilium_with(file, ProgramSelection::Autoload)
}

fn cilium_with(file: &str, programs: ProgramSelection) -> Option<hive_object::ObjectSpec> {
    let dir = corpus("cilium-ebpf")?;
    let mut spec = parse_with(&dir.join("testdata").join(file), programs);
    for p in &mut spec.programs {
        if p.prog_type == ProgType::Unspec {
            p.prog_type = ProgType::SocketFilter;
        }
    }
    Some(spec)
}

fn run(client: &Client, fd: hive::Fd) -> u32 {
    let out = client.prog_test_run(fd, &TestRunAttr::packet(&[0; 64])).unwrap_or_else(|e| panic!("{e}"));
    out.retval
}

/// cilium's loader tests: `data_sections` returns 0 when every constant arrived, and
/// `xdp_prog` (with real maps, lookups finding nothing) returns 7.
#[test]
fn cilium_loader_programs_run() {
    for file in ["loader-el.elf", "loader-clang-14-el.elf", "loader-clang-17-el.elf", "loader-clang-22-el.elf"] {
        // Other programs use an extern (MY_CONST) cilium's test supplies.
        let Some(spec) = cilium_with(file, ProgramSelection::Only(vec!["data_sections".into(), "xdp_prog".into()]))
        else {
            return;
        };
        let (rt, _) = runtime();
        let client = rt.client();
        let obj = client.load_object(&spec, &opts("loader")).unwrap_or_else(|e| panic!("{file}: {e}\n{}", e.log()));
        assert_eq!(run(&client, obj.prog("data_sections").unwrap()), 0, "{file}");
        assert_eq!(run(&client, obj.prog("xdp_prog").unwrap()), 7, "{file}");
        println!("{file}: {} maps, {} programs loaded; data_sections and xdp_prog ran", obj.maps.len(), obj.programs.len());
    }
}

/// cilium's variables test programs return 0 when they see the values they expect.
#[test]
fn cilium_variables_run() {
    let Some(spec) = cilium("variables-el.elf") else { return };
    let (rt, _) = runtime();
    let client = rt.client();
    let obj = client.load_object(&spec, &opts("variables")).unwrap_or_else(|e| panic!("{e}\n{}", e.log()));
    let mut ran = 0;
    for (name, fd) in &obj.programs {
        assert_eq!(run(&client, *fd), 0, "{name}");
        ran += 1;
    }
    assert!(ran >= 8, "{ran}");
}

/// Initial slots: `prog_array_init[1] = tail_1`, `outer_map_init[1] = inner_map`.
#[test]
fn cilium_initial_slots() {
    let Some(spec) = cilium("btf_map_init-el.elf") else { return };
    let (rt, _) = runtime();
    let client = rt.client();
    let obj = client.load_object(&spec, &opts("btf_map_init")).unwrap_or_else(|e| panic!("{e}\n{}", e.log()));
    let progs = obj.map_entries("prog_array_init").unwrap();
    let tail = client.prog_info(obj.prog("tail_1").unwrap()).unwrap().id;
    assert_eq!(progs, [(1u32.to_ne_bytes().to_vec(), tail.0.to_ne_bytes().to_vec())]);
    let maps = obj.map_entries("outer_map_init").unwrap();
    let inner = client.map_info(obj.map("inner_map").unwrap()).unwrap().id;
    assert_eq!(maps, [(1u32.to_ne_bytes().to_vec(), inner.0.to_ne_bytes().to_vec())]);
}

/// A spin lock found through BTF, and maps whose types Hive lacks named in the error.
#[test]
fn cilium_spin_lock_and_unsupported_maps() {
    let Some(spec) = cilium("map_spin_lock-el.elf") else { return };
    let (rt, _) = runtime();
    let client = rt.client();
    let obj = client.load_object(&spec, &opts("map_spin_lock")).unwrap_or_else(|e| panic!("{e}\n{}", e.log()));
    assert!(obj.map("spin_lock_map").is_some());
    drop(obj);
    let Some(spec) = cilium("arena-el.elf") else { return };
    let e = client.load_object(&spec, &opts("arena")).unwrap_err();
    assert_eq!(e.part, ObjectPart::Map("arena".into()));
    assert!(e.to_string().contains("not implemented by Hive"), "{e}");
}

/// The committed object is what `make examples-bpf` builds from the source (same program
/// instructions); skips when clang-19 is missing.
#[test]
fn committed_example_matches_its_source() {
    let src = examples().join("xdp_stats.bpf.c");
    let out = std::env::temp_dir().join(format!("hive-xdp-stats-{}.o", std::process::id()));
    let built = std::process::Command::new("clang-19")
        .args(["-g", "-O2", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu", "-c"])
        .arg(&src)
        .arg("-o")
        .arg(&out)
        .status();
    match built {
        Ok(s) if s.success() => {}
        other => {
            println!("note: skipping, clang-19 with libbpf-dev cannot build the example: {other:?}");
            return;
        }
    }
    let fresh = hive_object::program_sections(&std::fs::read(&out).unwrap()).unwrap();
    std::fs::remove_file(&out).ok();
    let committed = hive_object::program_sections(&std::fs::read(examples().join("xdp_stats.bpf.o")).unwrap()).unwrap();
    let insns = |v: &[hive_object::ProgramSection]| v.iter().map(|s| (s.name.clone(), s.insns.clone())).collect::<Vec<_>>();
    assert_eq!(insns(&fresh), insns(&committed), "run `make examples-bpf` and commit the object");
}
