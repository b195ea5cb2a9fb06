//! Properties of the control-flow stage on random programs: it never panics; what it accepts
//! decodes, has a well-formed graph, never falls off the end of a subprogram in the
//! interpreter and never calls more than eight frames deep; and what it accepts without
//! privileges has no loop, so it runs at most once through each instruction.

use hive_interp::{FaultKind, Memory, NoHelpers, Options, Vm};
use hive_isa::RawInsn;
use hive_verifier::cfg::{self, EdgeKind};
use hive_verifier::{RejectKind, VerifyOptions};
use proptest::prelude::*;

/// A slot from a small menu of control-flow shapes over `r0` (so that every accepted
/// program runs in the interpreter without faults other than those under test).
fn slot(len: i32) -> impl Strategy<Value = Vec<RawInsn>> {
    // Mostly short forward jumps, so that a fair share of programs has every slot reachable.
    let off = prop_oneof![4 => 0..3i32, 1 => -len..len];
    prop_oneof![
        3 => any::<i8>().prop_map(|v| vec![RawInsn::new(0xb7, 0, 0, 0, v as i32)]),
        3 => Just(vec![RawInsn::new(0x07, 0, 0, 0, 1)]),
        3 => (off.clone(), any::<i8>()).prop_map(|(o, v)| vec![RawInsn::new(0x25, 0, 0, o as i16, v as i32)]),
        2 => off.clone().prop_map(|o| vec![RawInsn::new(0x05, 0, 0, o as i16, 0)]),
        1 => Just(vec![RawInsn::new(0x95, 0, 0, 0, 0)]),
        1 => off.clone().prop_map(|o| vec![RawInsn::new(0x85, 0, 1, 0, o)]),
        1 => any::<u32>().prop_map(|v| vec![RawInsn::new(0x18, 0, 0, 0, v as i32), RawInsn::new(0, 0, 0, 0, 7)]),
        1 => off.prop_map(|o| vec![RawInsn::new(0xae, 0, 0, o as i16, 0)]),
        1 => any::<u64>().prop_map(|v| vec![RawInsn::from_bytes(v.to_le_bytes())]),
    ]
}

fn program() -> impl Strategy<Value = Vec<RawInsn>> {
    (0usize..20)
        .prop_flat_map(|n| prop::collection::vec(slot(n as i32 + 2), n))
        .prop_map(|parts| [parts.concat(), vec![RawInsn::new(0x95, 0, 0, 0, 0)]].concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn accepted_programs_are_well_formed(raw in program()) {
        for opts in [VerifyOptions::privileged(), VerifyOptions::unprivileged()] {
            let Ok((code, g)) = cfg::check(&raw, &opts) else { continue };
            prop_assert_eq!(code.len(), raw.len());
            // Blocks tile the program in order, each inside one subprogram.
            let mut pc = 0;
            for (i, b) in g.blocks().iter().enumerate() {
                prop_assert_eq!(b.start, pc);
                prop_assert!(b.end > b.start);
                let s = &g.subprogs()[b.subprog];
                prop_assert!(s.start <= b.start && b.end <= s.end);
                prop_assert!(s.blocks.contains(&(i as u32)));
                for e in &b.succs {
                    let t = g.block(e.to);
                    prop_assert_eq!(t.subprog, b.subprog, "edges stay in the subprogram");
                    prop_assert!(t.preds.iter().any(|p| p.idx() == i));
                    if e.kind == EdgeKind::AfterCall {
                        prop_assert!(t.start > b.start);
                    }
                }
                pc = b.end;
            }
            prop_assert_eq!(pc, raw.len());
            // The WTO of each subprogram lists each of its blocks exactly once.
            for s in g.subprogs() {
                let mut order = Vec::new();
                for e in &s.wto {
                    e.blocks(&mut order);
                }
                order.sort();
                let all: Vec<_> = s.blocks.clone().map(hive_verifier::cfg::BlockId).collect();
                prop_assert_eq!(order, all);
            }
            if !opts.privileged {
                prop_assert!(g.loop_heads().is_empty() && g.back_edges().is_empty());
            }
            // Run it: no fall-off, no overdeep calls; without privileges, no loop either.
            let budget = if opts.privileged { 20_000 } else { raw.len() as u64 };
            let mut vm = Vm::new(&code, Options { budget, ..Options::default() });
            match vm.run(&mut Memory::new(), &mut NoHelpers, [0; 5]) {
                Ok(_) => {}
                Err(f) => {
                    prop_assert!(!matches!(f.kind, FaultKind::FellOffEnd | FaultKind::CallDepth { .. }), "{}", f);
                    // The CFG checks say nothing of memory: a store may fault, but an
                    // unprivileged program never loops.
                    prop_assert!(opts.privileged || !matches!(f.kind, FaultKind::Budget { .. }), "{}", f);
                }
            }
        }
    }

    #[test]
    fn rejections_name_an_instruction(raw in program()) {
        for opts in [VerifyOptions::privileged(), VerifyOptions::unprivileged()] {
            if let Err(r) = cfg::check(&raw, &opts) {
                prop_assert_ne!(r.kind, RejectKind::Internal, "{}", r.message);
                prop_assert!(r.insn.is_some_and(|i| i < raw.len()), "{:?}", r);
                prop_assert!(!r.message.is_empty());
            }
        }
    }
}
