//! Helpers about the current task: pid/tgid, uid/gid, comm, and the attach point's address.

use hive_interp::{Flow, HelperError, Memory};

use super::ret;
use crate::run::{RunHelpers, Task};

/// `bpf_get_current_pid_tgid`: `tgid << 32 | pid`.
pub fn pid_tgid(t: &Task) -> u64 {
    (u64::from(t.tgid) << 32) | u64::from(t.pid)
}

/// `bpf_get_current_uid_gid`: `gid << 32 | uid`.
pub fn uid_gid(t: &Task) -> u64 {
    (u64::from(t.gid) << 32) | u64::from(t.uid)
}

/// `bpf_get_current_comm(buf, size)`: `strscpy_pad` of the task's name; returns 0.
pub(crate) fn comm(h: &mut RunHelpers<'_>, a: [u64; 5], mem: &mut Memory<'_>) -> Result<Flow, HelperError> {
    let size = a[1] as u32 as usize;
    let mut buf = vec![0u8; size];
    if size > 0 {
        let n = h.task.comm.len().min(size - 1).min(15);
        buf[..n].copy_from_slice(&h.task.comm[..n]);
    }
    mem.write(a[0], &buf)?;
    ret(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing() {
        let t = Task { pid: 7, tgid: 5, uid: 1000, gid: 100, comm: b"x".to_vec() };
        assert_eq!(pid_tgid(&t), 5 << 32 | 7);
        assert_eq!(uid_gid(&t), 100 << 32 | 1000);
        let cur = Task::current();
        assert!(cur.pid > 0 && cur.tgid > 0 && !cur.comm.is_empty());
    }
}
