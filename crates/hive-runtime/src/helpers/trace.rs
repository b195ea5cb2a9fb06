//! `bpf_trace_printk` and `bpf_snprintf`, and where trace lines go.
//!
//! A line reads like the kernel's `trace_pipe`:
//! `            hive-4242    [001] ..... 12.345678: bpf_trace_printk: hello`
//! (task name right-aligned in 16 columns, pid, executor, flags, seconds since the runtime
//! started, the message without its trailing newline). The embedder chooses the sink.

use std::sync::Arc;

use hive_interp::{Flow, HelperError, Memory};
use parking_lot::Mutex;

use super::format::{MAX_BPRINTF_BUF, Reader, bprintf};
use super::{neg, probe, ret};
use crate::run::RunHelpers;

/// Where trace lines go.
pub trait TraceSink: Send + Sync {
    /// One line, without a trailing newline.
    fn write_line(&self, line: &str);
}

/// An in-memory trace pipe: keeps every line until taken.
#[derive(Debug, Default)]
pub struct TracePipe {
    lines: Mutex<Vec<String>>,
}

impl TracePipe {
    /// Takes every line written so far.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.lines.lock())
    }
}

impl TraceSink for TracePipe {
    fn write_line(&self, line: &str) {
        self.lines.lock().push(line.to_string());
    }
}

/// Writes each line to standard error.
#[derive(Debug, Default, Clone, Copy)]
pub struct StderrSink;

impl TraceSink for StderrSink {
    fn write_line(&self, line: &str) {
        eprintln!("{line}");
    }
}

impl<T: TraceSink + ?Sized> TraceSink for Arc<T> {
    fn write_line(&self, line: &str) {
        (**self).write_line(line)
    }
}

/// Reads strings and bytes for the format engine: program memory first, then host memory
/// (never crashing on a bad address).
pub(crate) struct MemReader<'m, 'a>(pub &'m Memory<'a>);

impl Reader for MemReader<'_, '_> {
    fn string(&self, addr: u64, max: usize) -> Option<Vec<u8>> {
        probe::read_str(self.0, addr, max + 1).ok()
    }

    fn bytes(&self, addr: u64, n: usize) -> Option<Vec<u8>> {
        let mut v = vec![0; n];
        probe::read_any(self.0, addr, &mut v).then_some(v)
    }
}

/// Reads a format string of `size` bytes that must contain its NUL.
fn read_fmt(mem: &Memory<'_>, addr: u64, size: usize) -> Result<Option<Vec<u8>>, HelperError> {
    let mut fmt = vec![0; size];
    mem.read_into(addr, &mut fmt)?;
    Ok(fmt.iter().position(|&b| b == 0).map(|end| {
        fmt.truncate(end);
        fmt
    }))
}

/// `bpf_trace_printk(fmt, fmt_size, arg1, arg2, arg3)`: returns the length of the message.
pub(crate) fn trace_printk(h: &mut RunHelpers<'_>, a: [u64; 5], mem: &mut Memory<'_>) -> Result<Flow, HelperError> {
    let Some(fmt) = read_fmt(mem, a[0], a[1] as u32 as usize)? else { return ret(neg(libc::EINVAL)) };
    let out = match bprintf(&fmt, &a[2..5], &MemReader(mem)) {
        Ok(out) => out,
        Err(e) => return ret(neg(e)),
    };
    let len = out.len();
    let shown = &out[..len.min(MAX_BPRINTF_BUF - 1)];
    let msg = String::from_utf8_lossy(shown);
    let msg = msg.strip_suffix('\n').unwrap_or(&msg);
    let t = crate::sys::clock_ns(crate::sys::Clock::Monotonic).saturating_sub(h.shared.start_ns);
    let comm = String::from_utf8_lossy(&h.task.comm);
    let line = format!(
        "{comm:>16}-{:<7} [{:03}] ..... {}.{:06}: bpf_trace_printk: {msg}",
        h.task.pid,
        h.exec.cpu(),
        t / 1_000_000_000,
        t % 1_000_000_000 / 1000
    );
    h.shared.config.trace.write_line(&line);
    ret(len as u64)
}

/// `MAX_BPRINTF_VARARGS`.
pub const MAX_BPRINTF_VARARGS: usize = 12;

/// `bpf_snprintf(str, str_size, fmt, data, data_len)`: returns the length of the whole
/// output plus one (for the NUL), writing at most `str_size` bytes, NUL-terminated.
pub fn snprintf(a: [u64; 5], mem: &mut Memory<'_>) -> Result<Flow, HelperError> {
    let (out_addr, out_size, fmt_addr, data, data_len) = (a[0], a[1] as u32 as usize, a[2], a[3], a[4] as u32 as usize);
    if data_len % 8 != 0 || data_len > MAX_BPRINTF_VARARGS * 8 || (data_len > 0 && data == 0) {
        return ret(neg(libc::EINVAL));
    }
    let mut raw = vec![0u8; data_len];
    mem.read_into(data, &mut raw)?;
    let args: Vec<u64> = raw.chunks(8).map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes"))).collect();
    // The format is a constant string; read up to its NUL.
    let fmt = read_str_in_memory(mem, fmt_addr)?;
    let out = match bprintf(&fmt, &args, &MemReader(mem)) {
        Ok(out) => out,
        Err(e) => return ret(neg(e)),
    };
    if out_size > 0 {
        let n = out.len().min(out_size - 1);
        let mut buf = out[..n].to_vec();
        buf.push(0);
        mem.write(out_addr, &buf)?;
    }
    ret(out.len() as u64 + 1)
}

/// A NUL-terminated string in program memory (a fault if it runs off its region).
fn read_str_in_memory(mem: &Memory<'_>, addr: u64) -> Result<Vec<u8>, HelperError> {
    let mut s = Vec::new();
    loop {
        let mut b = [0u8];
        mem.read_into(addr.wrapping_add(s.len() as u64), &mut b)?;
        if b[0] == 0 || s.len() >= 64 * 1024 {
            return Ok(s);
        }
        s.push(b[0]);
    }
}
