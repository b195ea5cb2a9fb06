//! A seeded slice of `examples/verifier_differential.rs`: mutants of generated programs, each
//! judged by Hive's verifier (and the host kernel's when available); every program Hive
//! proves safe must run without a fault in the strict checked interpreter.

use hive_testkit::rng::Rng;
use hive_testkit::verdicts::{Class, judge, kernel_verdict};
use hive_testkit::{GenConfig, generate, mutate};

#[test]
fn accepted_mutants_never_fault() {
    let kernel = hive_kernel::available().is_ok();
    if !kernel {
        println!("note: no kernel verdicts (needs root); checking execution only");
    }
    let kernel_fn = kernel_verdict;
    let (mut unsound, mut proofs) = (Vec::new(), 0);
    let mut classes = std::collections::BTreeMap::<Class, u32>::new();
    for seed in 0..200 {
        let base = generate(seed, &GenConfig::default());
        let k = Rng::new(seed).range(1, 3);
        let (prog, _) = mutate(&base, seed, k);
        let j = judge(&prog, kernel.then_some(&kernel_fn as &dyn Fn(&_) -> _));
        proofs += u32::from(j.hive_is_proof);
        *classes.entry(j.class()).or_default() += 1;
        if j.unsound() {
            unsound.push((seed, j.fault.clone().unwrap_or_default()));
        }
    }
    println!("200 mutants: {proofs} proven safe by Hive; verdicts vs kernel {classes:?}");
    assert!(unsound.is_empty(), "accepted programs that fault (seed, fault): {unsound:?}");
}
