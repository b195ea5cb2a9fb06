//! The host kernel as the oracle for whole objects: the bundled example, and every XDP,
//! socket filter and tc program of the corpora that `load_object` loads, go into the kernel
//! too (the same relocated instructions, with kernel maps holding the same initial data) and
//! must return the same verdict and packet on the same inputs, and leave the same map
//! contents. Skips with a note when `bpf()` or the corpora are unavailable.

mod object_support;

use std::path::Path;

use hive::TestRunAttr;
use hive::object::ObjectLoadOptions;
use hive_object::ObjectSpec;
use hive_platform::map::MapType;
use hive_platform::prog::ProgType;
use object_support::{KernelMaps, corpus, elf_files, example_packets, examples, kernel, ktype, parse, runtime};

/// The inputs every program runs on: the example packets and a zeroed 64-byte frame.
fn inputs() -> Vec<(String, Vec<u8>)> {
    let mut v = example_packets();
    v.push(("zeros".into(), vec![0; 64]));
    v
}

#[test]
fn example_runs_identically_in_the_kernel() {
    if !kernel() {
        return;
    }
    let spec = parse(&examples().join("xdp_stats.bpf.o"));
    let p = spec.program("xdp_stats").unwrap();
    let mut kmaps = KernelMaps::default();
    let kprog = kmaps.load(&spec, p, hive_kernel::ProgType::Xdp).unwrap_or_else(|e| panic!("kernel: {e}"));
    let (rt, _) = runtime();
    let client = rt.client();
    let obj = client.load_object(&spec, &ObjectLoadOptions::default()).unwrap();
    let prog = obj.prog("xdp_stats").unwrap();
    for (name, packet) in inputs() {
        let ours = client.prog_test_run(prog, &TestRunAttr::packet(&packet)).unwrap();
        let theirs = kprog.test_run(&packet, None, 1).unwrap();
        assert_eq!((ours.retval, &ours.data_out), (theirs.retval, &theirs.data_out), "{name}");
    }
    let (stats, _) = spec.map("stats").unwrap();
    let mut ours = obj.map_entries("stats").unwrap();
    ours.sort();
    assert_eq!(ours, kmaps.entries(stats), "the stats map after every packet");
    println!("xdp_stats: {} inputs, same verdicts, packets and map contents in Hive and the kernel", inputs().len());
}

#[derive(Default)]
struct Count {
    compared: usize,
    runs: usize,
    maps: usize,
    kernel_refused: usize,
}

/// Loads `spec` in Hive and each packet program of it in the kernel, runs both on
/// [`inputs`], and compares verdicts, packets and then the maps the program uses (each
/// program gets a fresh Hive runtime, as it gets fresh kernel maps).
fn compare_object(rel: &str, spec: &ObjectSpec, c: &mut Count) {
    let opts = ObjectLoadOptions { legacy_sections: true, ..Default::default() };
    let names: Vec<String> = {
        let (rt, _) = runtime();
        let client = rt.client();
        let Ok(obj) = client.load_object(spec, &opts) else { return };
        obj.programs.iter().map(|(n, _)| n.clone()).collect()
    };
    for name in names {
        let (rt, _) = runtime();
        let client = rt.client();
        let obj = client.load_object(spec, &opts).unwrap();
        let fd = obj.prog(&name).unwrap();
        let t = client.prog_info(fd).unwrap().prog_type;
        if !matches!(t, ProgType::Xdp | ProgType::SocketFilter | ProgType::SchedCls) {
            continue;
        }
        let p = spec.program(&name).unwrap();
        let mut kmaps = KernelMaps::default();
        let loaded = kmaps.load(spec, p, ktype(t).unwrap());
        let tails = loaded.and_then(|k| Ok((k, kmaps.fill_prog_arrays(spec, ktype(t).unwrap())?)));
        let Ok((kprog, _tails)) = tails else {
            c.kernel_refused += 1;
            continue;
        };
        for (input, packet) in inputs() {
            let theirs = kprog.test_run(&packet, None, 1);
            let ours = client.prog_test_run(fd, &TestRunAttr::packet(&packet));
            match (ours, theirs) {
                (Ok(o), Ok(k)) => {
                    assert_eq!((o.retval, &o.data_out), (k.retval, &k.data_out), "{rel}: {name} on {input}");
                    c.runs += 1;
                }
                (Err(o), Err(k)) => println!("{rel}: {name} on {input}: both refuse the run: {o} / {k}"),
                (o, k) => panic!("{rel}: {name} on {input}: hive {o:?}, kernel {k:?}"),
            }
        }
        // Maps indexed by CPU, time or chance hold what the kernel's CPU, clock or random
        // numbers made of them.
        let env = |id: i32| p.insns.iter().any(|i| i.code == 0x85 && i.src == 0 && i.imm == id);
        let (ktime, prandom, cpu) = (5, 7, 8);
        if env(ktime) || env(prandom) || env(cpu) {
            c.compared += 1;
            continue;
        }
        for (idx, def) in spec.maps.iter().enumerate() {
            let plain = matches!(def.map_type, MapType::Hash | MapType::Array | MapType::LruHash | MapType::LpmTrie);
            if !plain || kmaps.fds.get(idx).is_none_or(Option::is_none) {
                continue;
            }
            let mut ours = obj.map_entries(&def.name).unwrap();
            ours.sort();
            assert_eq!(ours, kmaps.entries(idx), "{rel}: {name}: map {}", def.name);
            c.maps += 1;
        }
        c.compared += 1;
    }
}

fn compare_dir(dir: &Path, filter: impl Fn(&str) -> bool, c: &mut Count) {
    for path in elf_files(dir) {
        let rel = path.strip_prefix(dir).unwrap().display().to_string();
        if !filter(&rel) {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let opts = hive_object::LoadOptions { target_btf: hive_object::TargetBtf::Own, ..Default::default() };
        if let Ok(spec) = ObjectSpec::parse(&bytes, &opts) {
            compare_object(&rel, &spec, c);
        }
    }
}

#[test]
fn corpus_packet_programs_run_identically_in_the_kernel() {
    if !kernel() {
        return;
    }
    let mut c = Count::default();
    if let Some(dir) = corpus("ebpf-samples") {
        // build/ holds PREVAIL's verifier tests, many of them meant to be refused.
        compare_dir(&dir, |rel| !rel.starts_with("build/") && !rel.starts_with("invalid/"), &mut c);
    }
    if let Some(dir) = corpus("cilium-ebpf") {
        compare_dir(&dir, |rel| rel.contains("-el."), &mut c);
    }
    println!(
        "{} corpus programs compared with the kernel: {} runs and {} maps agree; {} refused by the kernel's verifier or map checks",
        c.compared, c.runs, c.maps, c.kernel_refused
    );
}
