//! Time helpers. The kernel's clocks are the host's: `CLOCK_MONOTONIC`, `CLOCK_BOOTTIME`,
//! `CLOCK_MONOTONIC_COARSE`. Jiffies have no user-space counterpart; Hive counts them at
//! [`HZ`] from boot time.

use crate::sys::{Clock, clock_ns};

/// The tick rate of [`jiffies64`].
pub const HZ: u64 = 1000;

/// `bpf_ktime_get_ns`.
pub fn ktime_get_ns() -> u64 {
    clock_ns(Clock::Monotonic)
}

/// `bpf_ktime_get_boot_ns`.
pub fn ktime_get_boot_ns() -> u64 {
    clock_ns(Clock::Boottime)
}

/// `bpf_ktime_get_coarse_ns`.
pub fn ktime_get_coarse_ns() -> u64 {
    clock_ns(Clock::MonotonicCoarse)
}

/// `bpf_jiffies64`: boot time in ticks of `1/HZ` s.
pub fn jiffies64() -> u64 {
    clock_ns(Clock::Boottime) / (1_000_000_000 / HZ)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks_advance_and_agree() {
        let (a, b, c) = (ktime_get_ns(), ktime_get_boot_ns(), ktime_get_coarse_ns());
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert!(ktime_get_ns() >= a + 5_000_000);
        assert!(ktime_get_boot_ns() >= b + 5_000_000);
        assert!(ktime_get_coarse_ns() > c);
        assert!(b >= a, "boot time includes suspend, so it is never behind monotonic");
        let j = jiffies64();
        assert!((j as i128 - (ktime_get_boot_ns() / 1_000_000) as i128).abs() <= 1);
    }
}
