//! Helpers JIT-compiled code calls directly ([`hive_jit::Natives::helper`]) instead of
//! through the trampoline and [`hive_interp::Helpers::call_helper`]: those that take no
//! pointer and cannot fail, so that they need neither the run's checked memory nor an error
//! path. Each answers exactly what `call_helper` answers for its id (the same functions).
//!
//! Compiled code hands them the run's helper object, a `RunHelpers<'a>`, as the
//! `RunHelpers<'static>` the signature names: they only read from it and keep nothing, so
//! the lifetime is never relied on.

use hive_jit::Natives;
use hive_platform::HelperId as H;

use super::{task, time};
use crate::run::RunHelpers;

type Run = RunHelpers<'static>;

macro_rules! direct {
    ($($name:ident = |$h:ident| $body:expr;)*) => {
        $(
            extern "sysv64" fn $name(_: u64, _: u64, _: u64, _: u64, _: u64, $h: &mut Run) -> u64 {
                $body
            }
        )*
    };
}

direct! {
    ktime_get_ns = |_h| time::ktime_get_ns();
    ktime_get_boot_ns = |_h| time::ktime_get_boot_ns();
    ktime_get_coarse_ns = |_h| time::ktime_get_coarse_ns();
    jiffies64 = |_h| time::jiffies64();
    get_prandom_u32 = |h| u64::from(h.shared.prandom_u32());
    get_smp_processor_id = |h| h.exec.cpu() as u64;
    get_current_pid_tgid = |h| task::pid_tgid(&h.task);
    get_current_uid_gid = |h| task::uid_gid(&h.task);
    get_func_ip = |h| h.func_ip;
}

/// Registers the direct helpers.
pub(crate) fn register(natives: &mut Natives<Run>) {
    let table: [(H, hive_jit::NativeHelper<Run>); 9] = [
        (H::KTIME_GET_NS, ktime_get_ns),
        (H::KTIME_GET_BOOT_NS, ktime_get_boot_ns),
        (H::KTIME_GET_COARSE_NS, ktime_get_coarse_ns),
        (H::JIFFIES64, jiffies64),
        (H::GET_PRANDOM_U32, get_prandom_u32),
        (H::GET_SMP_PROCESSOR_ID, get_smp_processor_id),
        (H::GET_CURRENT_PID_TGID, get_current_pid_tgid),
        (H::GET_CURRENT_UID_GID, get_current_uid_gid),
        (H::GET_FUNC_IP, get_func_ip),
    ];
    for (id, f) in table {
        natives.helper(id.0 as i32, f);
    }
}
