//! The host kernel: `BPF_PROG_LOAD` as XDP, `BPF_PROG_TEST_RUN` with `repeat`.

use hive_kernel::{BtfFd, LoadOptions, MapFd, MapSpec, MapType, ProgFd, ProgType};
use std::os::fd::AsRawFd;

use super::Engine;
use crate::BenchError;
use crate::program::{Input, Prepared};

/// A program loaded into the host kernel, with its maps. Everything is closed on drop.
#[derive(Debug)]
pub struct KernelEngine {
    prog: ProgFd,
    _maps: Vec<MapFd>,
    packet: Vec<u8>,
}

fn err(e: impl std::fmt::Display) -> BenchError {
    BenchError::engine("kernel", e)
}

impl KernelEngine {
    /// Creates the program's maps and loads it (XDP, GPL). A refusal carries the end of the
    /// verifier log.
    pub fn new(p: &Prepared) -> Result<KernelEngine, BenchError> {
        let Input::Xdp(packet) = &p.input else {
            return Err(err("raw programs (r1 = memory) have no kernel program type"));
        };
        hive_kernel::available().map_err(err)?;
        let maps = p
            .linked
            .maps
            .iter()
            .map(|d| {
                MapFd::create(&MapSpec {
                    map_type: MapType(d.map_type),
                    key_size: d.key_size,
                    value_size: d.value_size,
                    max_entries: d.max_entries,
                    map_flags: d.map_flags,
                    name: String::new(),
                })
                .map_err(err)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let fds: Vec<i32> = maps.iter().map(|m| m.as_raw_fd()).collect();
        let insns = p.kernel_insns(&fds);
        let name: String = p.name.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').take(15).collect();
        // The program's own BTF, func and line info, which programs with callbacks need.
        let btf = p.btf.as_ref().and_then(|b| Some((b, BtfFd::load(&b.bytes).ok()?)));
        let (func_info, line_info) = btf.as_ref().map(|(b, _)| b.kernel_records()).unwrap_or_default();
        let opts = LoadOptions {
            name: &name,
            btf: btf.as_ref().map(|(_, fd)| fd),
            func_info: &func_info,
            line_info: &line_info,
            ..LoadOptions::new(ProgType::Xdp)
        };
        let prog = hive_kernel::load(&opts, &insns).map_err(|e| {
            let tail: Vec<&str> = e.log.lines().rev().take(6).collect();
            err(format!("load refused ({}): {}", e.errno, tail.into_iter().rev().collect::<Vec<_>>().join(" | ")))
        })?;
        Ok(KernelEngine { prog, _maps: maps, packet: packet.clone() })
    }
}

impl Engine for KernelEngine {
    fn name(&self) -> &'static str {
        "kernel"
    }

    fn run_once(&mut self) -> Result<u64, BenchError> {
        Ok(u64::from(self.prog.test_run(&self.packet, None, 1).map_err(err)?.retval))
    }

    fn run_batch(&mut self, n: u32) -> Result<f64, BenchError> {
        Ok(f64::from(self.prog.test_run(&self.packet, None, n.max(1)).map_err(err)?.duration_ns))
    }

    fn code_bytes(&self) -> Option<usize> {
        self.prog.info().ok().map(|i| i.jited_len as usize).filter(|&n| n > 0)
    }
}
