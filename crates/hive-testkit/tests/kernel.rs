//! The generator against the host kernel: every generated program must be accepted, the kernel
//! must agree with itself, and mismatch reports must name what differs. Each test skips with a
//! printed note when `bpf()` is unavailable.
#![cfg(feature = "kernel")]

use std::time::Instant;

use hive_testkit::{Engine, FnEngine, GenConfig, KernelEngine, OracleError, differential, generate, observe};

macro_rules! require_kernel {
    () => {
        if let Err(why) = hive_kernel::available() {
            eprintln!("skipping: {why}");
            return;
        }
    };
}

fn assert_all_accepted(cfg: &GenConfig, seeds: std::ops::Range<u64>) {
    let n = seeds.end - seeds.start;
    let start = Instant::now();
    for seed in seeds {
        let prog = generate(seed, cfg);
        match observe(&prog) {
            Ok(_) => {}
            Err(OracleError::Rejected(e)) => {
                panic!("{}\nrejected: {}\n{}\nprogram:\n{}", prog.description, e.reason(), e.log, prog.hex_dump())
            }
            Err(e) => panic!("{}: {e}", prog.description),
        }
    }
    let secs = start.elapsed().as_secs_f64();
    eprintln!("{n} programs accepted and run, {:.0} programs/s", n as f64 / secs);
}

#[test]
fn kernel_accepts_every_default_program() {
    require_kernel!();
    assert_all_accepted(&GenConfig::default(), 0..400);
}

/// Programs with helper calls (what the JIT differential runs) are kernel-valid too.
#[test]
fn kernel_accepts_programs_with_helper_calls() {
    require_kernel!();
    assert_all_accepted(&GenConfig { max_helper_calls: 3, ..GenConfig::default() }, 0..200);
    assert_all_accepted(&GenConfig { max_helper_calls: 3, ..GenConfig::stress() }, 1_000_000..1_000_030);
}

#[test]
fn kernel_accepts_every_stress_program() {
    require_kernel!();
    assert_all_accepted(&GenConfig::stress(), 1_000_000..1_000_060);
}

#[test]
fn observation_matches_the_layout() {
    require_kernel!();
    for seed in 0..20 {
        let prog = generate(seed, &GenConfig::default());
        let obs = observe(&prog).unwrap();
        let l = prog.layout;
        assert_eq!(obs.ctx_out.len(), prog.ctx_len());
        assert_eq!(obs.r0.to_le_bytes(), obs.ctx_out[l.regs..l.regs + 8]);
        // The program never writes its inputs.
        assert_eq!(obs.ctx_out[l.input..], prog.ctx_in[l.input..]);
    }
}

#[test]
fn kernel_agrees_with_itself() {
    require_kernel!();
    let (mut a, mut b) = (KernelEngine::new(), KernelEngine::new());
    let report = differential(0..100, &mut a, &mut b);
    assert!(report.is_clean(), "{report}");
    assert_eq!((report.programs, report.agreed, a.runs, a.rejected), (100, 100, 100, 0));
}

#[test]
fn mismatches_are_reported_with_names() {
    require_kernel!();
    let mut kernel = KernelEngine::new();
    // An "engine" that gets r3 and one stack word wrong on even seeds.
    let mut broken = FnEngine::new("broken", |prog| {
        let mut obs = KernelEngine::new().run(prog)?;
        if prog.seed % 2 == 0 {
            obs.ctx_out[3 * 8] ^= 1;
            obs.ctx_out[prog.layout.stack + 8] ^= 0x80;
        }
        Ok(obs)
    });
    let report = differential(10..14, &mut kernel, &mut broken);
    assert_eq!((report.programs, report.agreed, report.mismatch_count), (4, 2, 2));
    let m = &report.mismatches[0];
    assert_eq!(m.seed, 10);
    assert_eq!(m.differences.len(), 2, "{:?}", m.differences);
    assert!(m.differences[0].starts_with("ctx+24 r3: "), "{:?}", m.differences);
    let fp = -16 - GenConfig::default().stack_bytes as i64 + 8;
    assert!(m.differences[1].contains(&format!("stack[r10{fp}]")), "{:?}", m.differences);
    let text = report.to_string();
    assert!(text.starts_with("kernel vs broken: 4 programs, 2 agreed, 2 mismatched"), "{text}");
    assert!(text.contains(&format!("{:#018x}", generate(10, &GenConfig::default()).raw[0].to_u64())), "{text}");
}
