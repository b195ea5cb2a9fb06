//! Prototypes of the tracing helpers (`kernel/trace/bpf_trace.c`, `kernel/bpf/stackmap.c`,
//! `kernel/bpf/task_iter.c`, `kernel/bpf/bpf_lsm.c`): memory probes, printing, perf events,
//! stacks, the current task, function arguments, LSM-only helpers.
//!
//! Several helpers exist in one variant per program-type family because they must find the
//! registers of the traced context in a different place: `_tp` (tracepoints, whose context
//! hides a `pt_regs *`), `_raw_tp` (raw tracepoints and BTF tracing), `_pe` (perf events).

use super::{HelperId as H, HelperProto as P, ProtoFlags};
use crate::types::{Arg as A, RetType as R, TypeFlags as F};

const PROBE_ARGS: &[A] = &[A::PTR_TO_UNINIT_MEM, A::CONST_SIZE_OR_ZERO, A::ANYTHING];
const OUTPUT_ARGS: &[A] = &[A::PTR_TO_CTX, A::CONST_MAP_PTR, A::ANYTHING, A::PTR_TO_RDONLY_MEM, A::CONST_SIZE_OR_ZERO];
const STACKID_ARGS: &[A] = &[A::PTR_TO_CTX, A::CONST_MAP_PTR, A::ANYTHING];
const STACK_ARGS: &[A] = &[A::PTR_TO_CTX, A::PTR_TO_UNINIT_MEM, A::CONST_SIZE_OR_ZERO, A::ANYTHING];

/// `bpf_probe_read` (kernel or user address, decided at run time).
pub const PROBE_READ: P = P::new(H::PROBE_READ, "bpf_probe_read_compat_proto").gpl().args(PROBE_ARGS);
/// `bpf_probe_read_str`.
pub const PROBE_READ_STR: P = P::new(H::PROBE_READ_STR, "bpf_probe_read_compat_str_proto").gpl().args(PROBE_ARGS);
/// `bpf_probe_read_user`.
pub const PROBE_READ_USER: P = P::new(H::PROBE_READ_USER, "bpf_probe_read_user_proto").gpl().args(PROBE_ARGS);
/// `bpf_probe_read_kernel`.
pub const PROBE_READ_KERNEL: P = P::new(H::PROBE_READ_KERNEL, "bpf_probe_read_kernel_proto").gpl().args(PROBE_ARGS);
/// `bpf_probe_read_user_str`.
pub const PROBE_READ_USER_STR: P =
    P::new(H::PROBE_READ_USER_STR, "bpf_probe_read_user_str_proto").gpl().args(PROBE_ARGS);
/// `bpf_probe_read_kernel_str`.
pub const PROBE_READ_KERNEL_STR: P =
    P::new(H::PROBE_READ_KERNEL_STR, "bpf_probe_read_kernel_str_proto").gpl().args(PROBE_ARGS);
/// `bpf_probe_write_user` (needs `CAP_SYS_ADMIN` and no lockdown).
pub const PROBE_WRITE_USER: P = P::new(H::PROBE_WRITE_USER, "bpf_probe_write_user_proto")
    .gpl()
    .args(&[A::ANYTHING, A::PTR_TO_RDONLY_MEM, A::CONST_SIZE]);
/// `bpf_trace_printk` (at most three extra scalar arguments in r3-r5, not checked).
pub const TRACE_PRINTK: P =
    P::new(H::TRACE_PRINTK, "bpf_trace_printk_proto").gpl().args(&[A::PTR_TO_RDONLY_MEM, A::CONST_SIZE]);
/// `bpf_trace_vprintk`.
pub const TRACE_VPRINTK: P = P::new(H::TRACE_VPRINTK, "bpf_trace_vprintk_proto").gpl().args(&[
    A::PTR_TO_RDONLY_MEM,
    A::CONST_SIZE,
    A::PTR_TO_RDONLY_MEM_OR_NULL,
    A::CONST_SIZE_OR_ZERO,
]);
/// `bpf_seq_printf` (iterators).
pub const SEQ_PRINTF: P = P::new(H::SEQ_PRINTF, "bpf_seq_printf_proto").gpl().args(&[
    A::PTR_TO_BTF_ID.btf("seq_file"),
    A::PTR_TO_RDONLY_MEM,
    A::CONST_SIZE,
    A::PTR_TO_RDONLY_MEM_OR_NULL,
    A::CONST_SIZE_OR_ZERO,
]);
/// `bpf_seq_write` (iterators).
pub const SEQ_WRITE: P = P::new(H::SEQ_WRITE, "bpf_seq_write_proto").gpl().args(&[
    A::PTR_TO_BTF_ID.btf("seq_file"),
    A::PTR_TO_RDONLY_MEM,
    A::CONST_SIZE_OR_ZERO,
]);
/// `bpf_seq_printf_btf` (iterators).
pub const SEQ_PRINTF_BTF: P = P::new(H::SEQ_PRINTF_BTF, "bpf_seq_printf_btf_proto").gpl().args(&[
    A::PTR_TO_BTF_ID.btf("seq_file"),
    A::PTR_TO_RDONLY_MEM,
    A::CONST_SIZE_OR_ZERO,
    A::ANYTHING,
]);
/// `bpf_snprintf_btf`.
pub const SNPRINTF_BTF: P = P::new(H::SNPRINTF_BTF, "bpf_snprintf_btf_proto").args(&[
    A::PTR_TO_WRITE_MEM,
    A::CONST_SIZE,
    A::PTR_TO_RDONLY_MEM,
    A::CONST_SIZE,
    A::ANYTHING,
]);
/// `bpf_perf_event_read`.
pub const PERF_EVENT_READ: P =
    P::new(H::PERF_EVENT_READ, "bpf_perf_event_read_proto").gpl().args(&[A::CONST_MAP_PTR, A::ANYTHING]);
/// `bpf_perf_event_read_value`.
pub const PERF_EVENT_READ_VALUE: P = P::new(H::PERF_EVENT_READ_VALUE, "bpf_perf_event_read_value_proto")
    .gpl()
    .args(&[A::CONST_MAP_PTR, A::ANYTHING, A::PTR_TO_UNINIT_MEM, A::CONST_SIZE]);
/// `bpf_perf_event_output` for kprobes (context is `pt_regs`).
pub const PERF_EVENT_OUTPUT: P =
    P::new(H::PERF_EVENT_OUTPUT, "bpf_perf_event_output_proto").gpl().args(OUTPUT_ARGS);
/// `bpf_perf_event_output` for tracepoints and perf events.
pub const PERF_EVENT_OUTPUT_TP: P =
    P::new(H::PERF_EVENT_OUTPUT, "bpf_perf_event_output_proto_tp").gpl().args(OUTPUT_ARGS);
/// `bpf_perf_event_output` for raw tracepoints and BTF tracing.
pub const PERF_EVENT_OUTPUT_RAW_TP: P =
    P::new(H::PERF_EVENT_OUTPUT, "bpf_perf_event_output_proto_raw_tp").gpl().args(OUTPUT_ARGS);
/// `bpf_get_stackid` for kprobes.
pub const GET_STACKID: P = P::new(H::GET_STACKID, "bpf_get_stackid_proto").gpl().args(STACKID_ARGS);
/// `bpf_get_stackid` for tracepoints.
pub const GET_STACKID_TP: P = P::new(H::GET_STACKID, "bpf_get_stackid_proto_tp").gpl().args(STACKID_ARGS);
/// `bpf_get_stackid` for raw tracepoints and BTF tracing.
pub const GET_STACKID_RAW_TP: P = P::new(H::GET_STACKID, "bpf_get_stackid_proto_raw_tp").gpl().args(STACKID_ARGS);
/// `bpf_get_stackid` for perf events: the one variant that is *not* GPL-only.
pub const GET_STACKID_PE: P = P::new(H::GET_STACKID, "bpf_get_stackid_proto_pe").args(STACKID_ARGS);
/// `bpf_get_stack` for kprobes.
pub const GET_STACK: P = P::new(H::GET_STACK, "bpf_get_stack_proto").gpl().args(STACK_ARGS);
/// `bpf_get_stack` for tracepoints.
pub const GET_STACK_TP: P = P::new(H::GET_STACK, "bpf_get_stack_proto_tp").gpl().args(STACK_ARGS);
/// `bpf_get_stack` for raw tracepoints and BTF tracing.
pub const GET_STACK_RAW_TP: P = P::new(H::GET_STACK, "bpf_get_stack_proto_raw_tp").gpl().args(STACK_ARGS);
/// `bpf_get_stack` for perf events.
pub const GET_STACK_PE: P = P::new(H::GET_STACK, "bpf_get_stack_proto_pe").gpl().args(STACK_ARGS);
/// `bpf_get_task_stack`.
pub const GET_TASK_STACK: P = P::new(H::GET_TASK_STACK, "bpf_get_task_stack_proto").args(&[
    A::PTR_TO_BTF_ID.btf("task_struct"),
    A::PTR_TO_UNINIT_MEM,
    A::CONST_SIZE_OR_ZERO,
    A::ANYTHING,
]);
/// `bpf_get_current_task` (an untyped integer).
pub const GET_CURRENT_TASK: P = P::new(H::GET_CURRENT_TASK, "bpf_get_current_task_proto").gpl();
/// `bpf_get_current_task_btf` (a trusted `task_struct` pointer).
pub const GET_CURRENT_TASK_BTF: P = P::new(H::GET_CURRENT_TASK_BTF, "bpf_get_current_task_btf_proto")
    .gpl()
    .ret(R::PTR_TO_BTF_ID_TRUSTED)
    .ret_btf("task_struct");
/// `bpf_task_pt_regs`.
pub const TASK_PT_REGS: P = P::new(H::TASK_PT_REGS, "bpf_task_pt_regs_proto")
    .gpl()
    .ret(R::PTR_TO_BTF_ID)
    .ret_btf("pt_regs")
    .args(&[A::PTR_TO_BTF_ID.btf("task_struct")]);
/// `bpf_current_task_under_cgroup`.
pub const CURRENT_TASK_UNDER_CGROUP: P =
    P::new(H::CURRENT_TASK_UNDER_CGROUP, "bpf_current_task_under_cgroup_proto").args(&[A::CONST_MAP_PTR, A::ANYTHING]);
/// `bpf_send_signal`.
pub const SEND_SIGNAL: P = P::new(H::SEND_SIGNAL, "bpf_send_signal_proto").args(&[A::ANYTHING]);
/// `bpf_send_signal_thread`.
pub const SEND_SIGNAL_THREAD: P = P::new(H::SEND_SIGNAL_THREAD, "bpf_send_signal_thread_proto").args(&[A::ANYTHING]);
/// `bpf_d_path` (only from allow-listed attach points, iterators and sleepable LSM hooks).
pub const D_PATH: P = P::new(H::D_PATH, "bpf_d_path_proto")
    .args(&[A::PTR_TO_BTF_ID.btf("path"), A::PTR_TO_WRITE_MEM, A::CONST_SIZE_OR_ZERO])
    .flag(ProtoFlags::RESTRICTED);
/// `bpf_get_func_ip` for kprobes (0 unless on function entry).
pub const GET_FUNC_IP_KPROBE: P =
    P::new(H::GET_FUNC_IP, "bpf_get_func_ip_proto_kprobe").gpl().args(&[A::PTR_TO_CTX]);
/// `bpf_get_func_ip` for kprobe.multi and kprobe.session.
pub const GET_FUNC_IP_KPROBE_MULTI: P =
    P::new(H::GET_FUNC_IP, "bpf_get_func_ip_proto_kprobe_multi").args(&[A::PTR_TO_CTX]);
/// `bpf_get_func_ip` for uprobe.multi and uprobe.session.
pub const GET_FUNC_IP_UPROBE_MULTI: P =
    P::new(H::GET_FUNC_IP, "bpf_get_func_ip_proto_uprobe_multi").args(&[A::PTR_TO_CTX]);
/// `bpf_get_func_ip` for trampolines and the generic tracing set (inlined by the verifier).
pub const GET_FUNC_IP_TRACING: P =
    P::new(H::GET_FUNC_IP, "bpf_get_func_ip_proto_tracing").gpl().args(&[A::PTR_TO_CTX]);
/// `bpf_get_attach_cookie` for kprobes, uprobes and tracepoints.
pub const GET_ATTACH_COOKIE_TRACE: P =
    P::new(H::GET_ATTACH_COOKIE, "bpf_get_attach_cookie_proto_trace").args(&[A::PTR_TO_CTX]);
/// `bpf_get_attach_cookie` for kprobe.multi.
pub const GET_ATTACH_COOKIE_KMULTI: P =
    P::new(H::GET_ATTACH_COOKIE, "bpf_get_attach_cookie_proto_kmulti").args(&[A::PTR_TO_CTX]);
/// `bpf_get_attach_cookie` for uprobe.multi.
pub const GET_ATTACH_COOKIE_UMULTI: P =
    P::new(H::GET_ATTACH_COOKIE, "bpf_get_attach_cookie_proto_umulti").args(&[A::PTR_TO_CTX]);
/// `bpf_get_attach_cookie` for perf events.
pub const GET_ATTACH_COOKIE_PE: P =
    P::new(H::GET_ATTACH_COOKIE, "bpf_get_attach_cookie_proto_pe").args(&[A::PTR_TO_CTX]);
/// `bpf_get_attach_cookie` for raw tracepoints and trampolines.
pub const GET_ATTACH_COOKIE_TRACING: P =
    P::new(H::GET_ATTACH_COOKIE, "bpf_get_attach_cookie_proto_tracing").args(&[A::PTR_TO_CTX]);
/// `bpf_get_branch_snapshot`.
pub const GET_BRANCH_SNAPSHOT: P = P::new(H::GET_BRANCH_SNAPSHOT, "bpf_get_branch_snapshot_proto")
    .gpl()
    .args(&[A::PTR_TO_UNINIT_MEM, A::CONST_SIZE_OR_ZERO]);
/// `bpf_get_func_arg` (trampolines only; inlined).
pub const GET_FUNC_ARG: P =
    P::new(H::GET_FUNC_ARG, "bpf_get_func_arg_proto").args(&[A::PTR_TO_CTX, A::ANYTHING, super::core::OUT_U64]);
/// `bpf_get_func_ret` (fexit and fmod_ret only; inlined).
pub const GET_FUNC_RET: P = P::new(H::GET_FUNC_RET, "bpf_get_func_ret_proto").args(&[A::PTR_TO_CTX, super::core::OUT_U64]);
/// `bpf_get_func_arg_cnt` (trampolines only; inlined).
pub const GET_FUNC_ARG_CNT: P = P::new(H::GET_FUNC_ARG_CNT, "bpf_get_func_arg_cnt_proto").args(&[A::PTR_TO_CTX]);
/// `bpf_perf_prog_read_value` (perf events).
pub const PERF_PROG_READ_VALUE: P = P::new(H::PERF_PROG_READ_VALUE, "bpf_perf_prog_read_value_proto")
    .gpl()
    .args(&[A::PTR_TO_CTX, A::PTR_TO_UNINIT_MEM, A::CONST_SIZE]);
/// `bpf_read_branch_records` (perf events).
pub const READ_BRANCH_RECORDS: P = P::new(H::READ_BRANCH_RECORDS, "bpf_read_branch_records_proto").gpl().args(&[
    A::PTR_TO_CTX,
    A::PTR_TO_MEM_OR_NULL.with(F::MEM_WRITE),
    A::CONST_SIZE_OR_ZERO,
    A::ANYTHING,
]);
/// `bpf_override_return` (kprobes on error-injectable functions; `CONFIG_BPF_KPROBE_OVERRIDE`).
pub const OVERRIDE_RETURN: P =
    P::new(H::OVERRIDE_RETURN, "bpf_override_return_proto").gpl().args(&[A::PTR_TO_CTX, A::ANYTHING]);
/// `bpf_skb_output` (BTF tracing of functions taking an `sk_buff`).
pub const SKB_OUTPUT: P = P::new(H::SKB_OUTPUT, "bpf_skb_output_proto").gpl().args(&[
    A::PTR_TO_BTF_ID.btf("sk_buff"),
    A::CONST_MAP_PTR,
    A::ANYTHING,
    A::PTR_TO_RDONLY_MEM,
    A::CONST_SIZE_OR_ZERO,
]);
/// `bpf_xdp_output` (BTF tracing of functions taking an `xdp_buff`).
pub const XDP_OUTPUT: P = P::new(H::XDP_OUTPUT, "bpf_xdp_output_proto").gpl().args(&[
    A::PTR_TO_BTF_ID.btf("xdp_buff"),
    A::CONST_MAP_PTR,
    A::ANYTHING,
    A::PTR_TO_RDONLY_MEM,
    A::CONST_SIZE_OR_ZERO,
]);
/// `bpf_xdp_get_buff_len` for BTF tracing.
pub const XDP_GET_BUFF_LEN_TRACE: P =
    P::new(H::XDP_GET_BUFF_LEN, "bpf_xdp_get_buff_len_trace_proto").args(&[A::PTR_TO_BTF_ID.btf("xdp_buff")]);
/// `bpf_get_socket_cookie` for BTF tracing and sk_reuseport (any socket pointer, or NULL).
pub const GET_SOCKET_PTR_COOKIE: P = P::new(H::GET_SOCKET_COOKIE, "bpf_get_socket_ptr_cookie_proto")
    .args(&[A::PTR_TO_BTF_ID_SOCK_COMMON.with(F::MAYBE_NULL)]);
/// `bpf_sock_from_file`.
pub const SOCK_FROM_FILE: P = P::new(H::SOCK_FROM_FILE, "bpf_sock_from_file_proto")
    .ret(R::PTR_TO_BTF_ID_OR_NULL)
    .ret_btf("socket")
    .args(&[A::PTR_TO_BTF_ID.btf("file")]);
/// `bpf_find_vma`.
pub const FIND_VMA: P = P::new(H::FIND_VMA, "bpf_find_vma_proto").args(&[
    A::PTR_TO_BTF_ID.btf("task_struct"),
    A::ANYTHING,
    A::PTR_TO_FUNC,
    A::PTR_TO_STACK_OR_NULL,
    A::ANYTHING,
]);
/// `bpf_bprm_opts_set` (LSM).
pub const BPRM_OPTS_SET: P =
    P::new(H::BPRM_OPTS_SET, "bpf_bprm_opts_set_proto").args(&[A::PTR_TO_BTF_ID.btf("linux_binprm"), A::ANYTHING]);
/// `bpf_ima_inode_hash` (sleepable LSM).
pub const IMA_INODE_HASH: P = P::new(H::IMA_INODE_HASH, "bpf_ima_inode_hash_proto")
    .args(&[A::PTR_TO_BTF_ID.btf("inode"), A::PTR_TO_UNINIT_MEM, A::CONST_SIZE])
    .might_sleep()
    .flag(ProtoFlags::RESTRICTED);
/// `bpf_ima_file_hash` (sleepable LSM).
pub const IMA_FILE_HASH: P = P::new(H::IMA_FILE_HASH, "bpf_ima_file_hash_proto")
    .args(&[A::PTR_TO_BTF_ID.btf("file"), A::PTR_TO_UNINIT_MEM, A::CONST_SIZE])
    .might_sleep()
    .flag(ProtoFlags::RESTRICTED);

/// Every prototype of this file, default variants first.
pub static ALL: &[&P] = &[
    &PROBE_READ,
    &PROBE_READ_STR,
    &PROBE_READ_USER,
    &PROBE_READ_KERNEL,
    &PROBE_READ_USER_STR,
    &PROBE_READ_KERNEL_STR,
    &PROBE_WRITE_USER,
    &TRACE_PRINTK,
    &TRACE_VPRINTK,
    &SEQ_PRINTF,
    &SEQ_WRITE,
    &SEQ_PRINTF_BTF,
    &SNPRINTF_BTF,
    &PERF_EVENT_READ,
    &PERF_EVENT_READ_VALUE,
    &PERF_EVENT_OUTPUT,
    &PERF_EVENT_OUTPUT_TP,
    &PERF_EVENT_OUTPUT_RAW_TP,
    &GET_STACKID,
    &GET_STACKID_TP,
    &GET_STACKID_RAW_TP,
    &GET_STACKID_PE,
    &GET_STACK,
    &GET_STACK_TP,
    &GET_STACK_RAW_TP,
    &GET_STACK_PE,
    &GET_TASK_STACK,
    &GET_CURRENT_TASK,
    &GET_CURRENT_TASK_BTF,
    &TASK_PT_REGS,
    &CURRENT_TASK_UNDER_CGROUP,
    &SEND_SIGNAL,
    &SEND_SIGNAL_THREAD,
    &D_PATH,
    &GET_FUNC_IP_KPROBE,
    &GET_FUNC_IP_KPROBE_MULTI,
    &GET_FUNC_IP_UPROBE_MULTI,
    &GET_FUNC_IP_TRACING,
    &GET_ATTACH_COOKIE_TRACE,
    &GET_ATTACH_COOKIE_KMULTI,
    &GET_ATTACH_COOKIE_UMULTI,
    &GET_ATTACH_COOKIE_PE,
    &GET_ATTACH_COOKIE_TRACING,
    &GET_BRANCH_SNAPSHOT,
    &GET_FUNC_ARG,
    &GET_FUNC_RET,
    &GET_FUNC_ARG_CNT,
    &PERF_PROG_READ_VALUE,
    &READ_BRANCH_RECORDS,
    &OVERRIDE_RETURN,
    &SKB_OUTPUT,
    &XDP_OUTPUT,
    &FIND_VMA,
    &BPRM_OPTS_SET,
    &IMA_INODE_HASH,
    &IMA_FILE_HASH,
    &SOCK_FROM_FILE,
];

/// Variants that are not the default of their id and are listed after another file's default
/// (kept apart so that [`super::proto`] picks the right default).
pub static LATE: &[&P] = &[&XDP_GET_BUFF_LEN_TRACE, &GET_SOCKET_PTR_COOKIE];
