//! Loads each suite program into the host kernel and prints the verifier's verdict and
//! statistics (or the end of its log on a refusal).
//! `cargo run --release -p hive-bench --example verify [PATTERN]`
use std::os::fd::AsRawFd;

fn main() {
    let pattern = std::env::args().nth(1);
    for p in hive_bench::suite_programs(pattern.as_deref()).expect("suite") {
        let maps: Vec<hive_kernel::MapFd> = p
            .linked
            .maps
            .iter()
            .map(|d| {
                hive_kernel::MapFd::create(&hive_kernel::MapSpec {
                    map_type: hive_kernel::MapType(d.map_type),
                    key_size: d.key_size,
                    value_size: d.value_size,
                    max_entries: d.max_entries,
                    map_flags: d.map_flags,
                    name: String::new(),
                })
                .expect("map")
            })
            .collect();
        let fds: Vec<i32> = maps.iter().map(|m| m.as_raw_fd()).collect();
        let opts =
            hive_kernel::LoadOptions { log_level: 4, ..hive_kernel::LoadOptions::new(hive_kernel::ProgType::Xdp) };
        match hive_kernel::load(&opts, &p.kernel_insns(&fds)) {
            Ok(prog) => println!(
                "{:12} ok: {}",
                p.name,
                prog.load_log().lines().filter(|l| l.starts_with("processed")).collect::<String>()
            ),
            Err(e) => {
                let lines: Vec<&str> = e.log.lines().collect();
                println!("{:12} REFUSED ({}):", p.name, e.errno);
                for l in &lines[lines.len().saturating_sub(12)..] {
                    println!("    {}", &l[..l.len().min(300)]);
                }
            }
        }
    }
}
