//! A quick pass over the suite: one short round per engine, the table on stdout.
//! `cargo run --release -p hive-bench --example quick [PATTERN]`
fn main() {
    let pattern = std::env::args().nth(1);
    let settings = hive_bench::Settings { rounds: 2, batch: std::time::Duration::from_millis(2), max_repeat: 100_000 };
    let opts = hive_bench::RunOptions { kernel: true, rbpf: true, settings, compile_samples: 3 };
    let report = hive_bench::run_suite(pattern.as_deref(), &opts).expect("suite");
    let engines = ["hive-jit", "hive-interp", "kernel", "rbpf-jit", "rbpf-interp"];
    print!("{}", hive_bench::report::table("suite", &report.suite, &engines));
    print!("{}", hive_bench::report::table("bpf-benchmark-2023", &report.corpus, &engines));
    println!("{}", report.geomean_line());
}
