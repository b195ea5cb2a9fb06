//! # hive-platform: the kernel's contracts as data
//!
//! The Linux verifier checks a program against a handful of contracts that the kernel writes
//! down as data: each helper has a `struct bpf_func_proto` (return kind, argument kinds,
//! `gpl_only`, ...), each program type a `get_func_proto` switch (which prototype a helper call
//! gets) and an `is_valid_access` function (what the context looks like), each map type a set
//! of helpers it may be passed to, each kfunc a set of `KF_*` flags. This crate is those
//! contracts for Hive, as plain `const` and `static` tables that the verifier (and the
//! documentation, and the CLI) read generically, the way the kernel's `check_helper_call`
//! reads `bpf_func_proto`. It has no dependencies and contains no logic beyond lookups.
//!
//! - [`helper`]: [`HelperId`] for each of the 212 helper ids (name, `BPF_FUNC_*` alias) and
//!   [`HelperProto`] prototypes, including the per-program-type variants the kernel keeps
//!   (`bpf_get_stackid_proto_tp`, `bpf_skb_event_output_proto`, ...). Argument and return
//!   kinds ([`types`]) are the kernel's `enum bpf_arg_type`/`bpf_return_type` with the
//!   `bpf_type_flag` modifiers, encoded with the kernel's bit values.
//! - [`prog`]: [`ProgType`](prog::ProgType) (all 33), [`AttachType`](prog::AttachType) (all
//!   58), per type the helper sets in lookup order ([`prog::helpers`]), the context layout and
//!   access rules ([`prog::context`]), the return range, sleepability, and libbpf's section
//!   names ([`prog::parse_section`]).
//! - [`map`]: [`MapType`](map::MapType) descriptors: key and value sizes, what a lookup yields,
//!   `check_map_func_compatibility` in both directions.
//! - [`kfunc`]: kfunc prototypes with `KF_*` flags, a few built-ins (open-coded iterators,
//!   task and cgroup references) and a [`KfuncRegistry`](kfunc::KfuncRegistry) where an
//!   embedder adds its own kfuncs.
//! - [`is_gpl_compatible`]: the kernel's `license_is_gpl_compatible`.
//!
//! ## How the tables were made and how they are kept honest
//!
//! Prototypes follow the kernel sources (`kernel/bpf/helpers.c`, `kernel/trace/bpf_trace.c`,
//! `net/core/filter.c`, ...) as of 6.18 plus the January 2026 access-flag fixes. Everything that
//! can be asked of a running kernel was: on the 6.18 development host, every helper id was
//! loaded into every program type and attach type the host could load (39 configurations),
//! under license "GPL" and "Proprietary" and with zeroed argument registers, and every context
//! offset was read and written with every size. The helper sets, `gpl_only` of every prototype
//! a type gets (3457 of 3457 pairs), the first pointer argument of every prototype (3537 of
//! 3537), the context rules and return ranges agree with the kernel in all of them;
//! `tests/kernel_oracle.rs` repeats these checks for the program types `hive-kernel` can load
//! and skips with a note where `bpf()` is unavailable. What the host could not load (fentry,
//! fexit, LSM, ext, lirc) comes from the sources alone.
//!
//! Invariants the tables keep (and `tests/tables.rs` checks): every id 1..212 has a default
//! prototype; memory and size arguments come in pairs, fixed-size memory carries its size, BTF
//! pointer arguments name their struct (the kernel's own `check_func_proto`); helpers that move
//! packet data take the context first; every prototype is reachable from a program type.
//!
//! ```
//! use hive_platform::prog::{LoadContext, ProgType};
//! use hive_platform::{HelperId, is_gpl_compatible};
//!
//! // What does bpf_get_stackid look like to a perf-event program?
//! let ctx = LoadContext::default();
//! let proto = ProgType::PerfEvent.info().helper(HelperId::GET_STACKID, &ctx).unwrap();
//! assert_eq!(proto.symbol, "bpf_get_stackid_proto_pe");
//! assert!(!proto.gpl_only); // the one GPL-free variant
//! // Socket filters cannot call it at all.
//! assert!(ProgType::SocketFilter.info().helper(HelperId::GET_STACKID, &ctx).is_none());
//! // And a proprietary program may not call bpf_trace_printk anywhere.
//! assert!(hive_platform::helper::proto(HelperId::TRACE_PRINTK).unwrap().gpl_only);
//! assert!(!is_gpl_compatible("Proprietary"));
//! // xdp_md.data is a packet pointer, and may only be read whole.
//! let xdp = ProgType::Xdp.info().context().unwrap();
//! assert!(xdp.check(0, 4, false).unwrap().is_some());
//! assert!(xdp.check(0, 2, false).is_err());
//! ```
#![forbid(unsafe_code)]

pub mod helper;
pub mod kfunc;
mod license;
pub mod map;
pub mod prog;
pub mod types;

pub use helper::{HelperId, HelperProto, ProtoFlags};
pub use license::{GPL_COMPATIBLE_LICENSES, is_gpl_compatible};
pub use types::{Arg, ArgBase, ArgType, BtfRef, RetBase, RetType, TypeFlags};
