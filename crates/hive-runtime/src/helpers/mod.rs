//! The helpers, written once against [`hive_interp::Helpers`] over a run's state
//! ([`RunHelpers`](crate::run::RunHelpers)), one module per family.
//!
//! | family | helpers | module |
//! |---|---|---|
//! | maps | `map_lookup_elem`, `map_update_elem`, `map_delete_elem`, `map_push_elem`, `map_pop_elem`, `map_peek_elem`, `map_lookup_percpu_elem` | [`maps`] |
//! | time | `ktime_get_ns`, `ktime_get_boot_ns`, `ktime_get_coarse_ns`, `jiffies64` | [`time`] |
//! | task | `get_prandom_u32`, `get_smp_processor_id`, `get_current_pid_tgid`, `get_current_uid_gid`, `get_current_comm`, `get_func_ip` | [`task`] |
//! | output | `trace_printk`, `snprintf` (the kernel's `bpf_bprintf_prepare` rules), `ringbuf_{output,reserve,submit,discard,query}`, `perf_event_output` | [`trace`], [`format`], [`ringbuf`] |
//! | memory | `probe_read`, `probe_read_{user,kernel}{,_str}`, `probe_read_str`, `strncmp` | [`probe`], [`string`] |
//! | control | `tail_call`, `loop`, `for_each_map_elem`, `spin_lock`, `spin_unlock` | [`tail`], [`callback`], [`lock`] |
//! | network | `csum_diff`, `xdp_adjust_{head,tail,meta}`, `skb_load_bytes`, `skb_store_bytes`, `redirect` | [`net`] |
//! | kfuncs | `bpf_iter_num_new`, `bpf_iter_num_next`, `bpf_iter_num_destroy` | [`kfunc`] |
//!
//! Helpers trust nothing: every pointer argument is read or written through the run's
//! [`Memory`], so a bad pointer faults the run (or, for the probe-read family, returns
//! `-EFAULT` as in the kernel) instead of touching host memory. A helper a program type may
//! not call never gets here: the load pipeline refuses it.

pub mod callback;
pub(crate) mod direct;
pub mod format;
pub mod kfunc;
pub mod lock;
pub mod maps;
pub mod net;
pub mod probe;
pub mod ringbuf;
pub mod string;
pub mod tail;
pub mod task;
pub mod time;
pub mod trace;

use hive_interp::{Flow, HelperError, Helpers, Memory};
use hive_platform::HelperId as H;

use crate::run::RunHelpers;

/// Every helper Hive implements.
pub const IMPLEMENTED: &[H] = &[
    H::MAP_LOOKUP_ELEM,
    H::MAP_UPDATE_ELEM,
    H::MAP_DELETE_ELEM,
    H::MAP_PUSH_ELEM,
    H::MAP_POP_ELEM,
    H::MAP_PEEK_ELEM,
    H::MAP_LOOKUP_PERCPU_ELEM,
    H::KTIME_GET_NS,
    H::KTIME_GET_BOOT_NS,
    H::KTIME_GET_COARSE_NS,
    H::JIFFIES64,
    H::GET_PRANDOM_U32,
    H::GET_SMP_PROCESSOR_ID,
    H::GET_CURRENT_PID_TGID,
    H::GET_CURRENT_UID_GID,
    H::GET_CURRENT_COMM,
    H::GET_FUNC_IP,
    H::TRACE_PRINTK,
    H::SNPRINTF,
    H::PROBE_READ,
    H::PROBE_READ_STR,
    H::PROBE_READ_USER,
    H::PROBE_READ_KERNEL,
    H::PROBE_READ_USER_STR,
    H::PROBE_READ_KERNEL_STR,
    H::STRNCMP,
    H::RINGBUF_OUTPUT,
    H::RINGBUF_RESERVE,
    H::RINGBUF_SUBMIT,
    H::RINGBUF_DISCARD,
    H::RINGBUF_QUERY,
    H::PERF_EVENT_OUTPUT,
    H::TAIL_CALL,
    H::LOOP,
    H::FOR_EACH_MAP_ELEM,
    H::SPIN_LOCK,
    H::SPIN_UNLOCK,
    H::CSUM_DIFF,
    H::XDP_ADJUST_HEAD,
    H::XDP_ADJUST_TAIL,
    H::XDP_ADJUST_META,
    H::SKB_LOAD_BYTES,
    H::SKB_STORE_BYTES,
    H::REDIRECT,
];

/// Whether Hive implements helper `id`.
pub fn implemented(id: H) -> bool {
    IMPLEMENTED.contains(&id)
}

/// Whether Hive implements the kfunc called `name`.
pub fn kfunc_implemented(name: &str) -> bool {
    kfunc::IMPLEMENTED.contains(&name)
}

/// `-errno` as a helper's 64-bit return value.
pub(crate) fn neg(errno: i32) -> u64 {
    (-(errno as i64)) as u64
}

/// A helper's plain return value.
pub(crate) fn ret(v: u64) -> Result<Flow, HelperError> {
    Ok(Flow::Return(v))
}

impl Helpers for RunHelpers<'_> {
    fn call_helper(&mut self, id: i32, a: [u64; 5], mem: &mut Memory<'_>) -> Result<Flow, HelperError> {
        match H(id as u32) {
            H::MAP_LOOKUP_ELEM => maps::lookup(self, a, mem),
            H::MAP_UPDATE_ELEM => maps::update(self, a, mem),
            H::MAP_DELETE_ELEM => maps::delete(self, a, mem),
            H::MAP_PUSH_ELEM => maps::push(self, a, mem),
            H::MAP_POP_ELEM => maps::pop_peek(self, a, mem, true),
            H::MAP_PEEK_ELEM => maps::pop_peek(self, a, mem, false),
            H::MAP_LOOKUP_PERCPU_ELEM => maps::lookup_percpu(self, a, mem),
            H::KTIME_GET_NS => ret(time::ktime_get_ns()),
            H::KTIME_GET_BOOT_NS => ret(time::ktime_get_boot_ns()),
            H::KTIME_GET_COARSE_NS => ret(time::ktime_get_coarse_ns()),
            H::JIFFIES64 => ret(time::jiffies64()),
            H::GET_PRANDOM_U32 => ret(self.shared.prandom_u32() as u64),
            H::GET_SMP_PROCESSOR_ID => ret(self.exec.cpu() as u64),
            H::GET_CURRENT_PID_TGID => ret(task::pid_tgid(&self.task)),
            H::GET_CURRENT_UID_GID => ret(task::uid_gid(&self.task)),
            H::GET_CURRENT_COMM => task::comm(self, a, mem),
            H::GET_FUNC_IP => ret(self.func_ip),
            H::TRACE_PRINTK => trace::trace_printk(self, a, mem),
            H::SNPRINTF => trace::snprintf(a, mem),
            H::PROBE_READ | H::PROBE_READ_USER | H::PROBE_READ_KERNEL => probe::probe_read(a, mem),
            H::PROBE_READ_STR | H::PROBE_READ_USER_STR | H::PROBE_READ_KERNEL_STR => probe::probe_read_str(a, mem),
            H::STRNCMP => string::strncmp(a, mem),
            H::RINGBUF_OUTPUT => ringbuf::output(self, a, mem),
            H::RINGBUF_RESERVE => ringbuf::reserve(self, a),
            H::RINGBUF_SUBMIT => ringbuf::commit(self, a, false),
            H::RINGBUF_DISCARD => ringbuf::commit(self, a, true),
            H::RINGBUF_QUERY => ringbuf::query(self, a),
            H::PERF_EVENT_OUTPUT => ringbuf::perf_event_output(self, a, mem),
            H::TAIL_CALL => tail::tail_call(self, a),
            H::LOOP => callback::bpf_loop(self, a),
            H::FOR_EACH_MAP_ELEM => callback::for_each_map_elem(self, a),
            H::SPIN_LOCK => lock::spin_lock(self, a),
            H::SPIN_UNLOCK => lock::spin_unlock(self, a),
            H::CSUM_DIFF => net::csum_diff(a, mem),
            H::XDP_ADJUST_HEAD => net::xdp_adjust_head(a, mem),
            H::XDP_ADJUST_TAIL => net::xdp_adjust_tail(a, mem),
            H::XDP_ADJUST_META => net::xdp_adjust_meta(a, mem),
            H::SKB_LOAD_BYTES => net::skb_load_bytes(a, mem),
            H::SKB_STORE_BYTES => net::skb_store_bytes(a, mem),
            H::REDIRECT => net::redirect(self, a),
            _ => Err(HelperError::Unknown),
        }
    }

    fn call_kfunc(&mut self, btf_id: i32, module: i16, a: [u64; 5], mem: &mut Memory<'_>) -> Result<Flow, HelperError> {
        if module != 0 || btf_id < 0 {
            return Err(HelperError::Unknown);
        }
        let name = self.shared.kfuncs.get(hive_platform::kfunc::KfuncId(btf_id as u32)).map(|p| p.name);
        kfunc::call(name.ok_or(HelperError::Unknown)?, a, mem)
    }

    fn resume(&mut self, r: u64, mem: &mut Memory<'_>) -> Result<Flow, HelperError> {
        callback::resume(self, r, mem)
    }
}
