//! The clock user-space engines are timed with: the thread's CPU time.
//!
//! The kernel's test run stops its timer whenever it yields the CPU (`bpf_test_timer_continue`
//! checks `need_resched` between runs and leaves the rescheduled time out), so its
//! `duration` is time spent running. On a machine shared with other work, a wall clock
//! around a user-space loop would add every preemption to Hive's and rbpf's figures and
//! not to the kernel's; `CLOCK_THREAD_CPUTIME_ID` leaves them out in the same way.

use rustix::time::{ClockId, Timespec, clock_gettime};

/// A running measurement of this thread's CPU time.
#[derive(Clone, Copy, Debug)]
pub struct CpuTimer(Timespec);

impl CpuTimer {
    /// Starts measuring.
    pub fn start() -> CpuTimer {
        CpuTimer(clock_gettime(ClockId::ThreadCPUTime))
    }

    /// Nanoseconds of CPU time this thread has used since [`CpuTimer::start`].
    pub fn elapsed_ns(&self) -> f64 {
        let now = clock_gettime(ClockId::ThreadCPUTime);
        (now.tv_sec - self.0.tv_sec) as f64 * 1e9 + (now.tv_nsec - self.0.tv_nsec) as f64
    }
}
