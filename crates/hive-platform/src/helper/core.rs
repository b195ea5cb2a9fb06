//! Prototypes from `kernel/bpf/helpers.c` and the map implementations (`ringbuf.c`,
//! `bpf_task_storage.c`, `bpf_inode_storage.c`, `bpf_cgrp_storage.c`, `local_storage.c`,
//! `syscall.c`): map access, time, identity of the current task, strings, locks, timers,
//! callbacks, ring buffers, dynptrs, kptrs.
//!
//! Access flags (`MEM_RDONLY`, `MEM_WRITE`) follow upstream including the January 2026 fix
//! "bpf: Fix memory access flags in helper prototypes"; the 6.18 release lacked some of them
//! (`bpf_snprintf`'s buffer had no `MEM_WRITE`, `bpf_kallsyms_lookup_name`'s name no
//! `MEM_RDONLY`), which only made the kernel less precise.

use super::{HelperId as H, HelperProto as P, ProtoFlags};
use crate::types::{Arg as A, RetType as R, TypeFlags as F};

/// Fixed-size, aligned, write-only memory of `n` bytes (`ARG_PTR_TO_FIXED_SIZE_MEM |
/// MEM_UNINIT | MEM_WRITE | MEM_ALIGNED`): the `u64 *res` of `strtol` and friends.
pub(crate) const OUT_U64: A =
    A::PTR_TO_FIXED_SIZE_MEM.with(F::MEM_UNINIT.union(F::MEM_WRITE).union(F::MEM_ALIGNED)).size(8);

/// `bpf_map_lookup_elem`.
pub const MAP_LOOKUP_ELEM: P = P::new(H::MAP_LOOKUP_ELEM, "bpf_map_lookup_elem_proto")
    .ret(R::PTR_TO_MAP_VALUE_OR_NULL)
    .args(&[A::CONST_MAP_PTR, A::PTR_TO_MAP_KEY])
    .pkt_access();
/// `bpf_map_update_elem`.
pub const MAP_UPDATE_ELEM: P = P::new(H::MAP_UPDATE_ELEM, "bpf_map_update_elem_proto")
    .args(&[A::CONST_MAP_PTR, A::PTR_TO_MAP_KEY, A::PTR_TO_MAP_VALUE, A::ANYTHING])
    .pkt_access();
/// `bpf_map_delete_elem`.
pub const MAP_DELETE_ELEM: P = P::new(H::MAP_DELETE_ELEM, "bpf_map_delete_elem_proto")
    .args(&[A::CONST_MAP_PTR, A::PTR_TO_MAP_KEY])
    .pkt_access();
/// `bpf_map_push_elem` (queue, stack, bloom filter).
pub const MAP_PUSH_ELEM: P = P::new(H::MAP_PUSH_ELEM, "bpf_map_push_elem_proto")
    .args(&[A::CONST_MAP_PTR, A::PTR_TO_MAP_VALUE, A::ANYTHING])
    .pkt_access();
/// `bpf_map_pop_elem`.
pub const MAP_POP_ELEM: P = P::new(H::MAP_POP_ELEM, "bpf_map_pop_elem_proto")
    .args(&[A::CONST_MAP_PTR, A::PTR_TO_MAP_VALUE.with(F::MEM_UNINIT.union(F::MEM_WRITE))]);
/// `bpf_map_peek_elem`.
pub const MAP_PEEK_ELEM: P = P::new(H::MAP_PEEK_ELEM, "bpf_map_peek_elem_proto")
    .args(&[A::CONST_MAP_PTR, A::PTR_TO_MAP_VALUE.with(F::MEM_UNINIT.union(F::MEM_WRITE))]);
/// `bpf_map_lookup_percpu_elem`.
pub const MAP_LOOKUP_PERCPU_ELEM: P = P::new(H::MAP_LOOKUP_PERCPU_ELEM, "bpf_map_lookup_percpu_elem_proto")
    .ret(R::PTR_TO_MAP_VALUE_OR_NULL)
    .args(&[A::CONST_MAP_PTR, A::PTR_TO_MAP_KEY, A::ANYTHING])
    .pkt_access();
/// `bpf_get_prandom_u32`.
pub const GET_PRANDOM_U32: P = P::new(H::GET_PRANDOM_U32, "bpf_get_prandom_u32_proto");
/// `bpf_get_smp_processor_id` as program types with a fixed CPU get it (inlined, fastcall).
pub const GET_SMP_PROCESSOR_ID: P = P::new(H::GET_SMP_PROCESSOR_ID, "bpf_get_smp_processor_id_proto")
    .flag(ProtoFlags::ALLOW_FASTCALL);
/// `bpf_get_smp_processor_id` as `bpf_base_func_proto` gives it (`raw_smp_processor_id`).
pub const GET_RAW_SMP_PROCESSOR_ID: P =
    P::new(H::GET_SMP_PROCESSOR_ID, "bpf_get_raw_smp_processor_id_proto");
/// `bpf_get_numa_node_id`.
pub const GET_NUMA_NODE_ID: P = P::new(H::GET_NUMA_NODE_ID, "bpf_get_numa_node_id_proto");
/// `bpf_ktime_get_ns`.
pub const KTIME_GET_NS: P = P::new(H::KTIME_GET_NS, "bpf_ktime_get_ns_proto");
/// `bpf_ktime_get_boot_ns`.
pub const KTIME_GET_BOOT_NS: P = P::new(H::KTIME_GET_BOOT_NS, "bpf_ktime_get_boot_ns_proto");
/// `bpf_ktime_get_coarse_ns` (not NMI-safe: tracing program types do not get it).
pub const KTIME_GET_COARSE_NS: P = P::new(H::KTIME_GET_COARSE_NS, "bpf_ktime_get_coarse_ns_proto");
/// `bpf_ktime_get_tai_ns`.
pub const KTIME_GET_TAI_NS: P = P::new(H::KTIME_GET_TAI_NS, "bpf_ktime_get_tai_ns_proto");
/// `bpf_jiffies64`.
pub const JIFFIES64: P = P::new(H::JIFFIES64, "bpf_jiffies64_proto");
/// `bpf_get_current_pid_tgid`.
pub const GET_CURRENT_PID_TGID: P = P::new(H::GET_CURRENT_PID_TGID, "bpf_get_current_pid_tgid_proto");
/// `bpf_get_current_uid_gid`.
pub const GET_CURRENT_UID_GID: P = P::new(H::GET_CURRENT_UID_GID, "bpf_get_current_uid_gid_proto");
/// `bpf_get_current_comm`.
pub const GET_CURRENT_COMM: P = P::new(H::GET_CURRENT_COMM, "bpf_get_current_comm_proto")
    .args(&[A::PTR_TO_UNINIT_MEM, A::CONST_SIZE]);
/// `bpf_get_ns_current_pid_tgid`.
pub const GET_NS_CURRENT_PID_TGID: P = P::new(H::GET_NS_CURRENT_PID_TGID, "bpf_get_ns_current_pid_tgid_proto")
    .args(&[A::ANYTHING, A::ANYTHING, A::PTR_TO_UNINIT_MEM, A::CONST_SIZE]);
/// `bpf_get_current_cgroup_id`.
pub const GET_CURRENT_CGROUP_ID: P = P::new(H::GET_CURRENT_CGROUP_ID, "bpf_get_current_cgroup_id_proto");
/// `bpf_get_current_ancestor_cgroup_id`.
pub const GET_CURRENT_ANCESTOR_CGROUP_ID: P =
    P::new(H::GET_CURRENT_ANCESTOR_CGROUP_ID, "bpf_get_current_ancestor_cgroup_id_proto").args(&[A::ANYTHING]);
/// `bpf_spin_lock`: the lock must sit in a map value or an allocated object.
pub const SPIN_LOCK: P = P::new(H::SPIN_LOCK, "bpf_spin_lock_proto")
    .ret(R::VOID)
    .args(&[A::PTR_TO_SPIN_LOCK.btf_from_call_site()]);
/// `bpf_spin_unlock`.
pub const SPIN_UNLOCK: P = P::new(H::SPIN_UNLOCK, "bpf_spin_unlock_proto")
    .ret(R::VOID)
    .args(&[A::PTR_TO_SPIN_LOCK.btf_from_call_site()]);
/// `bpf_strtol`.
pub const STRTOL: P = P::new(H::STRTOL, "bpf_strtol_proto")
    .args(&[A::PTR_TO_RDONLY_MEM, A::CONST_SIZE, A::ANYTHING, OUT_U64]);
/// `bpf_strtoul`.
pub const STRTOUL: P = P::new(H::STRTOUL, "bpf_strtoul_proto")
    .args(&[A::PTR_TO_RDONLY_MEM, A::CONST_SIZE, A::ANYTHING, OUT_U64]);
/// `bpf_strncmp`: the second string must be a constant in a read-only map.
pub const STRNCMP: P = P::new(H::STRNCMP, "bpf_strncmp_proto")
    .args(&[A::PTR_TO_RDONLY_MEM, A::CONST_SIZE, A::PTR_TO_CONST_STR]);
/// `bpf_snprintf`.
pub const SNPRINTF: P = P::new(H::SNPRINTF, "bpf_snprintf_proto").gpl().args(&[
    A::PTR_TO_MEM_OR_NULL.with(F::MEM_WRITE),
    A::CONST_SIZE_OR_ZERO,
    A::PTR_TO_CONST_STR,
    A::PTR_TO_RDONLY_MEM_OR_NULL,
    A::CONST_SIZE_OR_ZERO,
]);
/// `bpf_copy_from_user` (sleepable programs only).
pub const COPY_FROM_USER: P = P::new(H::COPY_FROM_USER, "bpf_copy_from_user_proto")
    .args(&[A::PTR_TO_UNINIT_MEM, A::CONST_SIZE_OR_ZERO, A::ANYTHING])
    .might_sleep();
/// `bpf_copy_from_user_task` (sleepable programs only).
pub const COPY_FROM_USER_TASK: P = P::new(H::COPY_FROM_USER_TASK, "bpf_copy_from_user_task_proto")
    .gpl()
    .args(&[
        A::PTR_TO_UNINIT_MEM,
        A::CONST_SIZE_OR_ZERO,
        A::ANYTHING,
        A::PTR_TO_BTF_ID.btf("task_struct"),
        A::ANYTHING,
    ])
    .might_sleep();
/// `bpf_per_cpu_ptr`.
pub const PER_CPU_PTR: P = P::new(H::PER_CPU_PTR, "bpf_per_cpu_ptr_proto")
    .ret(R::PTR_TO_MEM_OR_BTF_ID.with(F::MAYBE_NULL.union(F::MEM_RDONLY)))
    .args(&[A::PTR_TO_PERCPU_BTF_ID, A::ANYTHING]);
/// `bpf_this_cpu_ptr`.
pub const THIS_CPU_PTR: P = P::new(H::THIS_CPU_PTR, "bpf_this_cpu_ptr_proto")
    .ret(R::PTR_TO_MEM_OR_BTF_ID.with(F::MEM_RDONLY))
    .args(&[A::PTR_TO_PERCPU_BTF_ID]);
/// `bpf_timer_init`.
pub const TIMER_INIT: P =
    P::new(H::TIMER_INIT, "bpf_timer_init_proto").gpl().args(&[A::PTR_TO_TIMER, A::CONST_MAP_PTR, A::ANYTHING]);
/// `bpf_timer_set_callback`.
pub const TIMER_SET_CALLBACK: P =
    P::new(H::TIMER_SET_CALLBACK, "bpf_timer_set_callback_proto").gpl().args(&[A::PTR_TO_TIMER, A::PTR_TO_FUNC]);
/// `bpf_timer_start`.
pub const TIMER_START: P =
    P::new(H::TIMER_START, "bpf_timer_start_proto").gpl().args(&[A::PTR_TO_TIMER, A::ANYTHING, A::ANYTHING]);
/// `bpf_timer_cancel`.
pub const TIMER_CANCEL: P = P::new(H::TIMER_CANCEL, "bpf_timer_cancel_proto").gpl().args(&[A::PTR_TO_TIMER]);
/// `bpf_kptr_xchg`: the result and the released argument take their type from the kptr field.
pub const KPTR_XCHG: P = P::new(H::KPTR_XCHG, "bpf_kptr_xchg_proto")
    .ret(R::PTR_TO_BTF_ID_OR_NULL)
    .ret_btf_from_call_site()
    .args(&[A::KPTR_XCHG_DEST, A::PTR_TO_BTF_ID_OR_NULL.with(F::OBJ_RELEASE).btf_from_call_site()]);
/// `bpf_for_each_map_elem`.
pub const FOR_EACH_MAP_ELEM: P = P::new(H::FOR_EACH_MAP_ELEM, "bpf_for_each_map_elem_proto")
    .args(&[A::CONST_MAP_PTR, A::PTR_TO_FUNC, A::PTR_TO_STACK_OR_NULL, A::ANYTHING]);
/// `bpf_loop`.
pub const LOOP: P = P::new(H::LOOP, "bpf_loop_proto")
    .args(&[A::ANYTHING, A::PTR_TO_FUNC, A::PTR_TO_STACK_OR_NULL, A::ANYTHING]);
/// `bpf_tail_call`: does not return when it succeeds.
pub const TAIL_CALL: P =
    P::new(H::TAIL_CALL, "bpf_tail_call_proto").ret(R::VOID).args(&[A::PTR_TO_CTX, A::CONST_MAP_PTR, A::ANYTHING]);
/// `bpf_ringbuf_output`.
pub const RINGBUF_OUTPUT: P = P::new(H::RINGBUF_OUTPUT, "bpf_ringbuf_output_proto")
    .args(&[A::CONST_MAP_PTR, A::PTR_TO_RDONLY_MEM, A::CONST_SIZE_OR_ZERO, A::ANYTHING]);
/// `bpf_ringbuf_reserve`: a referenced record of the constant size asked for, or NULL.
pub const RINGBUF_RESERVE: P = P::new(H::RINGBUF_RESERVE, "bpf_ringbuf_reserve_proto")
    .ret(R::PTR_TO_RINGBUF_MEM_OR_NULL)
    .args(&[A::CONST_MAP_PTR, A::CONST_ALLOC_SIZE_OR_ZERO, A::ANYTHING]);
/// `bpf_ringbuf_submit`: releases the record.
pub const RINGBUF_SUBMIT: P =
    P::new(H::RINGBUF_SUBMIT, "bpf_ringbuf_submit_proto").ret(R::VOID).args(&[A::RELEASE_RINGBUF_MEM, A::ANYTHING]);
/// `bpf_ringbuf_discard`: releases the record.
pub const RINGBUF_DISCARD: P = P::new(H::RINGBUF_DISCARD, "bpf_ringbuf_discard_proto")
    .ret(R::VOID)
    .args(&[A::RELEASE_RINGBUF_MEM, A::ANYTHING]);
/// `bpf_ringbuf_query`.
pub const RINGBUF_QUERY: P =
    P::new(H::RINGBUF_QUERY, "bpf_ringbuf_query_proto").args(&[A::CONST_MAP_PTR, A::ANYTHING]);
/// `bpf_user_ringbuf_drain`.
pub const USER_RINGBUF_DRAIN: P = P::new(H::USER_RINGBUF_DRAIN, "bpf_user_ringbuf_drain_proto")
    .args(&[A::CONST_MAP_PTR, A::PTR_TO_FUNC, A::PTR_TO_STACK_OR_NULL, A::ANYTHING]);
/// `bpf_dynptr_from_mem`: initialises a local dynptr on the stack.
pub const DYNPTR_FROM_MEM: P = P::new(H::DYNPTR_FROM_MEM, "bpf_dynptr_from_mem_proto").args(&[
    A::PTR_TO_UNINIT_MEM,
    A::CONST_SIZE_OR_ZERO,
    A::ANYTHING,
    A::PTR_TO_DYNPTR.with(F::DYNPTR_LOCAL.union(F::MEM_UNINIT).union(F::MEM_WRITE)),
]);
/// `bpf_ringbuf_reserve_dynptr`: initialises a referenced ring-buffer dynptr.
pub const RINGBUF_RESERVE_DYNPTR: P = P::new(H::RINGBUF_RESERVE_DYNPTR, "bpf_ringbuf_reserve_dynptr_proto").args(&[
    A::CONST_MAP_PTR,
    A::ANYTHING,
    A::ANYTHING,
    A::PTR_TO_DYNPTR.with(F::DYNPTR_RINGBUF.union(F::MEM_UNINIT).union(F::MEM_WRITE)),
]);
/// `bpf_ringbuf_submit_dynptr`: releases it.
pub const RINGBUF_SUBMIT_DYNPTR: P = P::new(H::RINGBUF_SUBMIT_DYNPTR, "bpf_ringbuf_submit_dynptr_proto")
    .ret(R::VOID)
    .args(&[A::PTR_TO_DYNPTR.with(F::DYNPTR_RINGBUF.union(F::OBJ_RELEASE)), A::ANYTHING]);
/// `bpf_ringbuf_discard_dynptr`: releases it.
pub const RINGBUF_DISCARD_DYNPTR: P = P::new(H::RINGBUF_DISCARD_DYNPTR, "bpf_ringbuf_discard_dynptr_proto")
    .ret(R::VOID)
    .args(&[A::PTR_TO_DYNPTR.with(F::DYNPTR_RINGBUF.union(F::OBJ_RELEASE)), A::ANYTHING]);
/// `bpf_dynptr_read`.
pub const DYNPTR_READ: P = P::new(H::DYNPTR_READ, "bpf_dynptr_read_proto").args(&[
    A::PTR_TO_UNINIT_MEM,
    A::CONST_SIZE_OR_ZERO,
    A::PTR_TO_DYNPTR.with(F::MEM_RDONLY),
    A::ANYTHING,
    A::ANYTHING,
]);
/// `bpf_dynptr_write`.
pub const DYNPTR_WRITE: P = P::new(H::DYNPTR_WRITE, "bpf_dynptr_write_proto").args(&[
    A::PTR_TO_DYNPTR.with(F::MEM_RDONLY),
    A::ANYTHING,
    A::PTR_TO_RDONLY_MEM,
    A::CONST_SIZE_OR_ZERO,
    A::ANYTHING,
]);
/// `bpf_dynptr_data`: a slice of the constant length asked for, or NULL.
pub const DYNPTR_DATA: P = P::new(H::DYNPTR_DATA, "bpf_dynptr_data_proto")
    .ret(R::PTR_TO_DYNPTR_MEM_OR_NULL)
    .args(&[A::PTR_TO_DYNPTR.with(F::MEM_RDONLY), A::ANYTHING, A::CONST_ALLOC_SIZE_OR_ZERO]);
/// `bpf_get_local_storage` (cgroup storage maps; never NULL).
pub const GET_LOCAL_STORAGE: P = P::new(H::GET_LOCAL_STORAGE, "bpf_get_local_storage_proto")
    .ret(R::PTR_TO_MAP_VALUE)
    .args(&[A::CONST_MAP_PTR, A::ANYTHING]);
/// `bpf_task_storage_get`.
pub const TASK_STORAGE_GET: P = P::new(H::TASK_STORAGE_GET, "bpf_task_storage_get_proto")
    .ret(R::PTR_TO_MAP_VALUE_OR_NULL)
    .args(&[A::CONST_MAP_PTR, A::PTR_TO_BTF_ID_OR_NULL.btf("task_struct"), A::PTR_TO_MAP_VALUE_OR_NULL, A::ANYTHING]);
/// `bpf_task_storage_get` for programs that may recurse (`bpf_prog_check_recur`).
pub const TASK_STORAGE_GET_RECUR: P = P::new(H::TASK_STORAGE_GET, "bpf_task_storage_get_recur_proto")
    .ret(R::PTR_TO_MAP_VALUE_OR_NULL)
    .args(&[A::CONST_MAP_PTR, A::PTR_TO_BTF_ID_OR_NULL.btf("task_struct"), A::PTR_TO_MAP_VALUE_OR_NULL, A::ANYTHING]);
/// `bpf_task_storage_delete`.
pub const TASK_STORAGE_DELETE: P = P::new(H::TASK_STORAGE_DELETE, "bpf_task_storage_delete_proto")
    .args(&[A::CONST_MAP_PTR, A::PTR_TO_BTF_ID_OR_NULL.btf("task_struct")]);
/// `bpf_task_storage_delete` for programs that may recurse.
pub const TASK_STORAGE_DELETE_RECUR: P = P::new(H::TASK_STORAGE_DELETE, "bpf_task_storage_delete_recur_proto")
    .args(&[A::CONST_MAP_PTR, A::PTR_TO_BTF_ID_OR_NULL.btf("task_struct")]);
/// `bpf_inode_storage_get` (LSM).
pub const INODE_STORAGE_GET: P = P::new(H::INODE_STORAGE_GET, "bpf_inode_storage_get_proto")
    .ret(R::PTR_TO_MAP_VALUE_OR_NULL)
    .args(&[A::CONST_MAP_PTR, A::PTR_TO_BTF_ID_OR_NULL.btf("inode"), A::PTR_TO_MAP_VALUE_OR_NULL, A::ANYTHING]);
/// `bpf_inode_storage_delete` (LSM).
pub const INODE_STORAGE_DELETE: P = P::new(H::INODE_STORAGE_DELETE, "bpf_inode_storage_delete_proto")
    .args(&[A::CONST_MAP_PTR, A::PTR_TO_BTF_ID_OR_NULL.btf("inode")]);
/// `bpf_cgrp_storage_get`.
pub const CGRP_STORAGE_GET: P = P::new(H::CGRP_STORAGE_GET, "bpf_cgrp_storage_get_proto")
    .ret(R::PTR_TO_MAP_VALUE_OR_NULL)
    .args(&[A::CONST_MAP_PTR, A::PTR_TO_BTF_ID_OR_NULL.btf("cgroup"), A::PTR_TO_MAP_VALUE_OR_NULL, A::ANYTHING]);
/// `bpf_cgrp_storage_delete`.
pub const CGRP_STORAGE_DELETE: P = P::new(H::CGRP_STORAGE_DELETE, "bpf_cgrp_storage_delete_proto")
    .args(&[A::CONST_MAP_PTR, A::PTR_TO_BTF_ID_OR_NULL.btf("cgroup")]);
/// `bpf_sys_bpf` (syscall programs).
pub const SYS_BPF: P =
    P::new(H::SYS_BPF, "bpf_sys_bpf_proto").args(&[A::ANYTHING, A::PTR_TO_RDONLY_MEM, A::CONST_SIZE]);
/// `bpf_btf_find_by_name_kind` (syscall programs).
pub const BTF_FIND_BY_NAME_KIND: P = P::new(H::BTF_FIND_BY_NAME_KIND, "bpf_btf_find_by_name_kind_proto")
    .args(&[A::PTR_TO_RDONLY_MEM, A::CONST_SIZE, A::ANYTHING, A::ANYTHING]);
/// `bpf_sys_close` (syscall programs).
pub const SYS_CLOSE: P = P::new(H::SYS_CLOSE, "bpf_sys_close_proto").args(&[A::ANYTHING]);
/// `bpf_kallsyms_lookup_name` (syscall programs).
pub const KALLSYMS_LOOKUP_NAME: P = P::new(H::KALLSYMS_LOOKUP_NAME, "bpf_kallsyms_lookup_name_proto")
    .args(&[A::PTR_TO_RDONLY_MEM, A::CONST_SIZE_OR_ZERO, A::ANYTHING, OUT_U64]);

/// Every prototype of this file, default variants first.
pub static ALL: &[&P] = &[
    &MAP_LOOKUP_ELEM,
    &MAP_UPDATE_ELEM,
    &MAP_DELETE_ELEM,
    &MAP_PUSH_ELEM,
    &MAP_POP_ELEM,
    &MAP_PEEK_ELEM,
    &MAP_LOOKUP_PERCPU_ELEM,
    &GET_PRANDOM_U32,
    &GET_SMP_PROCESSOR_ID,
    &GET_RAW_SMP_PROCESSOR_ID,
    &GET_NUMA_NODE_ID,
    &KTIME_GET_NS,
    &KTIME_GET_BOOT_NS,
    &KTIME_GET_COARSE_NS,
    &KTIME_GET_TAI_NS,
    &JIFFIES64,
    &GET_CURRENT_PID_TGID,
    &GET_CURRENT_UID_GID,
    &GET_CURRENT_COMM,
    &GET_NS_CURRENT_PID_TGID,
    &GET_CURRENT_CGROUP_ID,
    &GET_CURRENT_ANCESTOR_CGROUP_ID,
    &SPIN_LOCK,
    &SPIN_UNLOCK,
    &STRTOL,
    &STRTOUL,
    &STRNCMP,
    &SNPRINTF,
    &COPY_FROM_USER,
    &COPY_FROM_USER_TASK,
    &PER_CPU_PTR,
    &THIS_CPU_PTR,
    &TIMER_INIT,
    &TIMER_SET_CALLBACK,
    &TIMER_START,
    &TIMER_CANCEL,
    &KPTR_XCHG,
    &FOR_EACH_MAP_ELEM,
    &LOOP,
    &TAIL_CALL,
    &RINGBUF_OUTPUT,
    &RINGBUF_RESERVE,
    &RINGBUF_SUBMIT,
    &RINGBUF_DISCARD,
    &RINGBUF_QUERY,
    &USER_RINGBUF_DRAIN,
    &DYNPTR_FROM_MEM,
    &RINGBUF_RESERVE_DYNPTR,
    &RINGBUF_SUBMIT_DYNPTR,
    &RINGBUF_DISCARD_DYNPTR,
    &DYNPTR_READ,
    &DYNPTR_WRITE,
    &DYNPTR_DATA,
    &GET_LOCAL_STORAGE,
    &TASK_STORAGE_GET,
    &TASK_STORAGE_GET_RECUR,
    &TASK_STORAGE_DELETE,
    &TASK_STORAGE_DELETE_RECUR,
    &INODE_STORAGE_GET,
    &INODE_STORAGE_DELETE,
    &CGRP_STORAGE_GET,
    &CGRP_STORAGE_DELETE,
    &SYS_BPF,
    &BTF_FIND_BY_NAME_KIND,
    &SYS_CLOSE,
    &KALLSYMS_LOOKUP_NAME,
];
