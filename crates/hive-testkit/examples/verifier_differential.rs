//! Hive's verifier against the host kernel's, and against execution, on mutants of
//! generated programs (see `hive_testkit::mutate` and `hive_testkit::verdicts`).
//!
//! ```text
//! cargo run --release -p hive-testkit --example verifier_differential -- [COUNT] [FIRST_SEED] [--mutations K] [--show N]
//! ```
//! Each seed gives a generated program (accepted by the kernel) with 0..=K slots mutated (a
//! quarter of the seeds stay unmutated, to measure precision on programs known to be safe).
//! Both verifiers judge it; every program Hive accepts also runs in the strict checked
//! interpreter. Prints up to N examples of each disagreement and ends with
//! `total=N agree=A false_accept=F false_reject=R unsound=U`; exits 1 when `unsound` (an
//! accepted program that faulted) is not 0. Without root the kernel column is skipped.

use std::collections::BTreeMap;
use std::process::ExitCode;

use hive_testkit::rng::Rng;
use hive_testkit::verdicts::{Class, judge, kernel_verdict};
use hive_testkit::{GenConfig, generate, mutate};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)?.parse::<usize>().ok());
    let max_mutations = flag("--mutations").unwrap_or(3).max(1);
    let show = flag("--show").unwrap_or(5);
    let nums: Vec<u64> = args
        .iter()
        .enumerate()
        .filter(|(i, _)| *i == 0 || !args[i - 1].starts_with("--"))
        .filter_map(|(_, a)| a.replace('_', "").parse().ok())
        .collect();
    let count = nums.first().copied().unwrap_or(10_000);
    let first = nums.get(1).copied().unwrap_or(0);
    let kernel = match hive_kernel::available() {
        Ok(()) => true,
        Err(why) => {
            eprintln!("note: no kernel verdicts ({why}); comparing against execution only");
            false
        }
    };
    let kernel_fn = kernel_verdict;
    let cfg = GenConfig::default();
    let mut tally: BTreeMap<Class, u64> = BTreeMap::new();
    let mut shown: BTreeMap<&str, usize> = BTreeMap::new();
    let (mut unsound, mut not_proofs) = (0u64, 0u64);
    let start = std::time::Instant::now();
    for seed in first..first + count {
        let base = generate(seed, &cfg);
        let mut rng = Rng::new(seed);
        let k = if rng.chance(25) { 0 } else { rng.range(1, max_mutations) };
        let (prog, muts) = if k == 0 { (base, Vec::new()) } else { mutate(&base, seed, k) };
        let j = judge(&prog, kernel.then_some(&kernel_fn as &dyn Fn(&_) -> _));
        *tally.entry(j.class()).or_default() += 1;
        if j.hive.is_ok() && !j.hive_is_proof {
            not_proofs += 1;
        }
        let label = if j.unsound() {
            unsound += 1;
            Some("UNSOUND: accepted, then faulted")
        } else {
            match j.class() {
                Class::FalseAccept => Some("false accept"),
                Class::FalseReject => Some("false reject"),
                _ => None,
            }
        };
        if let Some(label) = label {
            let n = shown.entry(label).or_default();
            if *n < show {
                *n += 1;
                println!("== seed {seed}: {label}");
                println!("   hive:   {:?}", j.hive);
                println!("   kernel: {:?}", j.kernel);
                if let Some(f) = &j.fault {
                    println!("   run:    {f}");
                }
                for m in &muts {
                    println!("   mutated slot {}: {:#018x} -> {:#018x}", m.slot, m.before.to_u64(), m.after.to_u64());
                }
                print!("{}", prog.hex_dump());
            }
        }
        if (seed - first + 1) % 10_000 == 0 {
            eprintln!("{} programs, {tally:?}, unsound {unsound}", seed - first + 1);
        }
    }
    let get = |c: Class| tally.get(&c).copied().unwrap_or(0);
    println!(
        "{count} programs in {:.1}s; accepted without a safety proof (control flow only): {not_proofs}",
        start.elapsed().as_secs_f64()
    );
    println!(
        "total={count} agree={} false_accept={} false_reject={} unsound={unsound}",
        get(Class::AgreeAccept) + get(Class::AgreeReject),
        get(Class::FalseAccept),
        get(Class::FalseReject)
    );
    if unsound == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
