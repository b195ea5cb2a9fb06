//! # hive: the Linux BPF subsystem's object model, in user space
//!
//! This crate is Hive's public API: a [`Runtime`] holds the objects a kernel would (maps,
//! programs, BTF), [`Client`]s hold descriptors on them, and the `bpf()` commands are typed
//! methods of a client (`map_create`, `map_update_elem`, `prog_load`, `prog_test_run`,
//! `obj_get_info_by_fd` as `prog_info`/`map_info`/`btf_info`, the `*_get_next_id` and
//! `*_get_fd_by_id` commands...). A typed layer ([`typed`]) sits on top, in aya's style.
//!
//! ```
//! use hive::{Client, MapCreateAttr, ProgLoadAttr, Runtime, TestRunAttr};
//! use hive_maps::MapType;
//! use hive_platform::prog::ProgType;
//!
//! let rt = Runtime::default();
//! let client = rt.client();
//! let counts = client.map_create(&MapCreateAttr::new(MapType::Array, 4, 8, 1).name("counts")).unwrap();
//! // r1 = map_value[counts] + 0; r2 = 1; lock *(u64 *)(r1 + 0) += r2; r0 = XDP_PASS; exit
//! let text = format!(
//!     "r1 = map_value[fd:{}]+0\nr2 = 1\nlock *(u64 *)(r1 + 0) += r2\nr0 = 2\nexit",
//!     counts.0
//! );
//! let insns = hive_asm::assemble(&text, hive_asm::Syntax::Kernel).unwrap();
//! let prog = client.prog_load(&ProgLoadAttr::new(ProgType::Xdp, insns)).unwrap();
//! let out = client.prog_test_run(prog, &TestRunAttr::packet(&[0; 64]).repeat(3)).unwrap();
//! assert_eq!(out.retval, 2);
//! assert_eq!(out.data_out, [0; 64]);
//! assert_eq!(client.map_lookup(counts, &0u32.to_ne_bytes()).unwrap(), 3u64.to_ne_bytes());
//! ```
//!
//! ## The object model: descriptors and ids
//!
//! Two index spaces, as in the kernel:
//!
//! - A **descriptor** ([`Fd`]) is a per-[`Client`] handle, like a file descriptor in one
//!   process: numbers start at 3 and the lowest free one is reused. `close` releases it,
//!   `dup` duplicates it, dropping the client closes them all.
//! - An **id** ([`ProgId`], [`MapId`], [`BtfId`]) is global to the runtime, allocated from 1
//!   upward and never reused. Ids enumerate objects (`prog_next_id`) and turn back into
//!   descriptors in any client (`prog_get_fd_by_id`).
//!
//! An object lives while anything holds it: a descriptor, a program that uses a map (or
//! BTF), a map slot that holds it (a program in a prog array, an inner map in a map-in-map).
//! Closing the last descriptor of an object nothing else holds frees it and its id
//! disappears from enumeration. Like the kernel, maps also count *user* references
//! (descriptors only): when the last one goes, a prog array is emptied, which breaks the
//! cycle of a program that holds the prog array it tail-calls through.
//!
//! ## The load pipeline, and where the verifier plugs in
//!
//! [`Client::prog_load`] decodes the instructions, computes the kernel's tag, resolves `lddw`
//! pseudo sources (map descriptors, `fd_array` indices as a libbpf-style loader emits them,
//! direct map-value addresses), checks every call the way the kernel does before its
//! verifier runs (unknown helper, helper not offered to the program type, GPL-only helper
//! from a non-GPL program, unknown kfunc; with the kernel's messages), finds the context
//! accesses with a small dataflow pass and rewrites them to the runtime's context layout
//! (the kernel's `convert_ctx_access`), then asks a [`load::verify::Verifier`] (by default
//! `hive-verifier`). A program it proves safe is compiled by the x86-64 JIT (`hive-jit`) and
//! runs as machine code, calling the same helpers as the interpreter; everything else runs
//! in the checked interpreter (`hive-interp`), which cannot be made to touch memory outside
//! the run's regions or run forever: unverified programs ([`load::verify::NoVerifier`]),
//! programs with helper callbacks (`bpf_loop`, `bpf_for_each_map_elem`) or tail calls,
//! anything the JIT refuses, and every program when [`RuntimeConfig::jit`] is off. The load
//! log and [`ProgObject::engine`] say which engine runs a program and why
//! (`jit: not used (unverified); engine: interpreter`); `jited_prog_len` is the JIT's size.
//! See [`load`] for the steps and their errors.
//!
//! ## Object files
//!
//! [`Client::load_object`] loads what clang built for the kernel, unmodified: the
//! [`hive_object::ObjectSpec`] of a `.bpf.o` becomes BTF, maps (with initial data and slots)
//! and programs, as libbpf's `bpf_object__load` makes them. See [`object`].
//!
//! ## Running
//!
//! [`Client::prog_test_run`] follows `BPF_PROG_TEST_RUN` for XDP (`xdp_md`, a 4096-byte
//! frame with 256 bytes of headroom), socket filters and tc (`__sk_buff`, an skb from the
//! loopback device), raw tracepoints and syscall programs; [`Client::prog_run`] runs a
//! program on a raw context, as an attach point will. Contexts are described in [`context`],
//! helpers in [`helpers`], the per-run machinery (map values exposed to the program, tail
//! calls, callbacks) in [`run`].
//!
//! ## Checked against the kernel
//!
//! `tests/kernel_diff.rs` runs hand-written programs (assembled with `hive-asm`) on Hive and
//! on the host kernel's `BPF_PROG_TEST_RUN` and compares retval, `data_out` and `ctx_out`:
//! XDP (context fields, packet rewrites, the three adjust helpers at and past their limits,
//! caller-supplied metadata, redirect, `csum_diff`), socket filters and tc (`__sk_buff`
//! fields with and without `ctx_in`, narrow loads, `cb`, `LD_ABS`, load/store bytes,
//! direct packet access, redirect), raw tracepoints, syscall programs, tail calls, the
//! program tag, the refusal messages, and `bpf_strncmp`/`bpf_snprintf` through constant
//! strings in frozen maps. What the 6.18 kernel taught along the way is in the code: the tag
//! is SHA-256 (no longer SHA-1), `bpf_csum_diff` folds to 16 bits and takes any sizes, XDP
//! metadata may be 255 bytes, the loopback device makes `ff:ff:ff:ff:ff:ff` multicast,
//! skb test runs want the IPv4/IPv6 header their EtherType announces.
//!
//! ## Differences from the kernel (each documented where it lives)
//!
//! - Programs the verifier does not prove safe run in the checked interpreter (a faulting
//!   program is `EFAULT`, where the kernel's verifier would have refused it at load); the
//!   JIT does not run callbacks or tail calls, which the interpreter runs. `RunReport::insns`
//!   counts interpreted instructions only. Checks the kernel's verifier
//!   makes on constants happen when the helper runs instead (a bad `bpf_snprintf` format is
//!   `-EINVAL` from the helper, not a load error).
//! - `__sk_buff.sk` is NULL in test runs (the kernel gives a dummy socket); multi-buffer XDP
//!   and live-frame test runs are not implemented; Hive knows one device, the loopback
//!   (ifindex 1).
//! - `%p` in trace formats prints the raw pointer (the kernel hashes it); jiffies tick at
//!   1000 Hz from boot time.
//! - Tail calls work from the main program only (the kernel allows them from subprograms
//!   with its JIT).
#![deny(unsafe_code)]

pub mod btf;
pub mod context;
mod error;
mod fd;
pub mod helpers;
mod ids;
mod jit;
#[cfg(feature = "kernel")]
pub mod kernel_side;
pub mod load;
mod map;
pub mod object;
mod prog;
mod registry;
pub mod run;
mod sys;
pub mod test_run;
pub mod typed;

pub use btf::{BtfInfo, BtfObject};
pub use error::{ENOTSUPP, Error, Result, errno_name};
pub use fd::{Client, FIRST_FD};
pub use helpers::trace::{StderrSink, TracePipe, TraceSink};
pub use ids::{BtfId, Fd, MapId, ProgId};
pub use load::{FuncInfo, LineInfo, ProgLoadAttr};
pub use map::{MapCreateAttr, MapInfo, MapRef};
pub use object::{LoadedObject, ObjectLoadError, ObjectLoadOptions, ObjectPart};
pub use prog::{ProgInfo, ProgObject};
pub use registry::{Runtime, RuntimeConfig};
pub use run::{Redirect, RunOptions, RunReport, Task};
pub use test_run::{TestRunAttr, TestRunOutput};
