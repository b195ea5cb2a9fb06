//! The platform tables against the host kernel's verifier.
//!
//! For every program type `hive-kernel` can load, and every helper id 0..=212, three tiny
//! programs are loaded (never attached):
//! 1. `call <id>; exit` with license "GPL": the kernel says `invalid func` (unknown id),
//!    `program of this type cannot use helper` (not in the type's `get_func_proto`), or
//!    something later (available). Compared with [`ProgTypeInfo::helper`].
//! 2. the same with license "Proprietary": `check_helper_call` tests `gpl_only` right after
//!    looking the prototype up and before any argument, so the message `cannot call
//!    GPL-restricted function from non-GPL compatible program` appears exactly for GPL-only
//!    prototypes. Compared with `HelperProto::gpl_only` of the prototype the type gets.
//! 3. `r1 = r2 = r3 = r4 = r5 = 0; call <id>; exit`: the first argument that is a non-nullable
//!    pointer is refused with `R<n> type=scalar expected=<register types>`. Compared with
//!    [`HelperProto::first_non_scalar_arg`], which checks the argument kinds up to that one.
//!
//! Context accesses are swept over every offset, size and direction and compared with
//! [`ContextLayout::check`]. Without `bpf()` (no privilege, no kernel support) the tests print
//! why and pass.

use hive_isa::RawInsn;
use hive_platform::prog::{LoadContext, ProgType, Requires};
use hive_platform::{HelperId, HelperProto, ProtoFlags};

const GPL_MSG: &str = "cannot call GPL-restricted function from non-GPL compatible program";

fn kernel_types() -> Option<Vec<(hive_kernel::ProgType, ProgType)>> {
    if let Err(why) = hive_kernel::available() {
        println!("skipping kernel comparison: {why}");
        return None;
    }
    // The types Hive runs, plus types whose verifier rules the platform also describes.
    let extra = [ProgType::SockOps, ProgType::CgroupSock].map(|t| hive_kernel::ProgType::Other(t as u32));
    Some(
        hive_kernel::ProgType::ALL
            .iter()
            .chain(&extra)
            .map(|&k| (k, ProgType::from_raw(k.raw()).expect("kernel type known to the platform")))
            .collect(),
    )
}

fn load_ctx(t: ProgType) -> LoadContext {
    LoadContext { sleepable: t == ProgType::Syscall, ..LoadContext::default() }
}

fn load(t: hive_kernel::ProgType, insns: &[RawInsn], license: &str) -> Result<(), String> {
    hive_kernel::prog_load(t, insns, license, 1).map(|_| ()).map_err(|e| e.log)
}

fn call(id: u32) -> [RawInsn; 2] {
    [RawInsn::new(0x85, 0, 0, 0, id as i32), RawInsn::new(0x95, 0, 0, 0, 0)]
}

/// Entries whose presence depends on the host (kernel lockdown, kernel configuration).
fn environment_dependent(info: &hive_platform::prog::ProgTypeInfo, id: HelperId) -> bool {
    info.helper_sets.iter().flat_map(|s| s.entries).any(|e| {
        e.proto.id == id && matches!(e.requires, Requires::WriteUser | Requires::KprobeOverride)
    })
}

#[test]
fn helpers_availability_gpl_and_first_pointer_argument() {
    let Some(types) = kernel_types() else { return };
    let mut report = Vec::new();
    let mut failures = Vec::new();
    for (kt, t) in types {
        let info = t.info();
        let ctx = load_ctx(t);
        let (mut avail_ok, mut avail_n, mut gpl_ok, mut gpl_n, mut arg_ok, mut arg_n, mut env) = (0, 0, 0, 0, 0, 0, 0);
        for raw in 0..=HelperId::COUNT {
            let id = HelperId(raw);
            let ours: Option<&HelperProto> = info.helper(id, &ctx);
            let kernel = load(kt, &call(raw), "GPL");
            let kernel_log = kernel.as_ref().err().map(String::as_str).unwrap_or("");
            let invalid = kernel_log.contains("invalid func") || kernel_log.contains("unknown func");
            let unavailable = invalid || kernel_log.contains("program of this type cannot use helper");
            assert_eq!(invalid, raw >= HelperId::COUNT, "{t}: helper {raw}: {kernel_log}");
            if unavailable && ours.is_some() && environment_dependent(&info, id) {
                env += 1;
                continue;
            }
            avail_n += 1;
            if unavailable == ours.is_none() {
                avail_ok += 1;
            } else {
                failures.push(format!("{t}: {id}: platform says {}, kernel says {}", ours.is_some(), !unavailable));
                continue;
            }
            let Some(proto) = ours else { continue };
            // gpl_only
            gpl_n += 1;
            let log = load(kt, &call(raw), "Proprietary").err().unwrap_or_default();
            let kernel_gpl = log.contains(GPL_MSG);
            if kernel_gpl == proto.gpl_only {
                gpl_ok += 1;
            } else {
                failures.push(format!("{t}: {}: gpl_only {} but kernel says {kernel_gpl}", proto.symbol, proto.gpl_only));
            }
            // first argument a scalar zero does not satisfy
            arg_n += 1;
            let mut insns: Vec<RawInsn> = (1..=5).map(|r| RawInsn::new(0xb7, r, 0, 0, 0)).collect();
            insns.extend(call(raw));
            let log = load(kt, &insns, "GPL").err().unwrap_or_default();
            let might_sleep = proto.flags.contains(ProtoFlags::MIGHT_SLEEP) && !ctx.sleepable;
            let ok = if might_sleep {
                // `might_sleep` is checked before the arguments.
                log.contains("helper call might sleep in a non-sleepable prog")
            } else if proto.flags.contains(ProtoFlags::RESTRICTED) && log.contains("helper call is not allowed in probe") {
                // `fn->allowed` depends on the attach point and is checked before the arguments.
                true
            } else {
                match proto.first_non_scalar_arg() {
                    Some((reg, expected)) => log.contains(&format!("R{reg} type=scalar expected={expected}")),
                    None => !log.contains("type=scalar expected="),
                }
            };
            if ok {
                arg_ok += 1;
            } else {
                let line = log.lines().rev().find(|l| l.contains("expected=")).unwrap_or("(no type error)");
                failures.push(format!("{t}: {}: predicted {:?}, kernel: {line}", proto.symbol, proto.first_non_scalar_arg()));
            }
        }
        report.push(format!(
            "{t:>15}: availability {avail_ok}/{avail_n}, gpl_only {gpl_ok}/{gpl_n}, first pointer argument {arg_ok}/{arg_n}, environment-dependent {env}"
        ));
    }
    println!("{}", report.join("\n"));
    assert!(failures.is_empty(), "disagreements with the kernel:\n{}", failures.join("\n"));
}

#[test]
fn context_access_rules() {
    let Some(types) = kernel_types() else { return };
    let mut failures = Vec::new();
    for (kt, t) in types {
        let Some(layout) = t.info().context() else { continue };
        // Open-ended contexts: sweep the beginning and the end of the valid range.
        let mut offsets: Vec<i64> = (-8..(layout.size.min(208) as i64 + 8)).collect();
        if layout.size > 208 {
            // An instruction's offset is an i16: larger offsets cannot be encoded.
            let end = (layout.size as i64 + 8).min(i16::MAX as i64 + 1);
            offsets.extend((end - 24)..end);
        }
        let (mut ok, mut n) = (0, 0);
        for &off in &offsets {
            for size in [1u32, 2, 4, 8] {
                for write in [false, true] {
                    let code = match size {
                        1 => 0x10,
                        2 => 0x08,
                        4 => 0x00,
                        _ => 0x18,
                    };
                    let off16 = off as i16;
                    let insns: Vec<RawInsn> = if write {
                        vec![
                            RawInsn::new(0xb7, 2, 0, 0, 0),
                            RawInsn::new(0x63 | code, 1, 2, off16, 0),
                            RawInsn::new(0xb7, 0, 0, 0, 0),
                            RawInsn::new(0x95, 0, 0, 0, 0),
                        ]
                    } else {
                        vec![
                            RawInsn::new(0x61 | code, 0, 1, off16, 0),
                            RawInsn::new(0xb7, 0, 0, 0, 0),
                            RawInsn::new(0x95, 0, 0, 0, 0),
                        ]
                    };
                    let kernel = load(kt, &insns, "GPL").is_ok();
                    let ours = layout.check(off, size, write).is_ok();
                    n += 1;
                    if kernel == ours {
                        ok += 1;
                    } else {
                        let dir = if write { "write" } else { "read" };
                        failures.push(format!("{t}: {dir} off={off} size={size}: platform {ours}, kernel {kernel}"));
                    }
                }
            }
        }
        println!("{t:>15}: context accesses {ok}/{n} agree ({})", layout.c_type);
    }
    assert!(failures.is_empty(), "disagreements with the kernel:\n{}", failures.join("\n"));
}

#[test]
fn return_ranges() {
    let Some(types) = kernel_types() else { return };
    for (kt, t) in types {
        let range = t.info().return_range(hive_platform::prog::AttachType(0));
        for v in [-4096i32, -1, 0, 1, 2, 3, 4, i32::MAX] {
            let insns = [RawInsn::new(0xb7, 0, 0, 0, v), RawInsn::new(0x95, 0, 0, 0, 0)];
            let kernel = load(kt, &insns, "GPL").is_ok();
            let ours = range.is_none_or(|r| (r.min..=r.max).contains(&(v as i64)));
            assert_eq!(kernel, ours, "{t}: r0 = {v}");
        }
    }
}
