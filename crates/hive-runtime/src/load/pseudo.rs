//! Resolving `lddw` pseudo sources (the kernel's `resolve_pseudo_ldimm64`).
//!
//! | `src` | meaning | what the runtime runs | what `xlated` shows |
//! |---|---|---|---|
//! | 1 `MAP_FD` | a map descriptor | the map's handle | the map id |
//! | 5 `MAP_IDX` | `fd_array[imm]` | the map's handle | the map id (as `MAP_FD`) |
//! | 2 `MAP_VALUE`, 6 `MAP_IDX_VALUE` | an array map's value + offset | the value's stable address | map id and offset |
//! | 3 `BTF_ID` | a kernel variable | refused for now (`EOPNOTSUPP`) | |
//! | 4 `FUNC` | a subprogram | unchanged (the interpreter loads its slot index) | unchanged |

use hive_isa::RawInsn;
use hive_maps::{Executor, MapType};

use crate::error::{Error, Result};
use crate::fd::Client;
use crate::ids::Fd;
use crate::load::Log;
use crate::map::MapRef;

/// The kernel's `MAX_USED_MAPS`.
pub const MAX_USED_MAPS: usize = 64;

const LDDW: u8 = 0x18;

/// The outcome of resolution.
#[derive(Debug, Default)]
pub(crate) struct Resolved {
    /// Instructions to run: every pseudo but `FUNC` turned into a constant.
    pub run: Vec<RawInsn>,
    /// Instructions as `BPF_OBJ_GET_INFO_BY_FD` shows them (map ids instead of descriptors).
    pub xlated: Vec<RawInsn>,
    /// The maps used, first use first.
    pub maps: Vec<MapRef>,
    /// Indices into `maps` of arrays whose value is addressed directly.
    pub direct: Vec<usize>,
}

impl Resolved {
    fn use_map(&mut self, m: &MapRef) -> Result<usize> {
        if let Some(i) = self.maps.iter().position(|x| x.id() == m.id()) {
            return Ok(i);
        }
        if self.maps.len() == MAX_USED_MAPS {
            return Err(Error::TooBig("more than 64 maps used by one program"));
        }
        self.maps.push(m.clone());
        Ok(self.maps.len() - 1)
    }
}

fn reject(log: &mut Log, errno: i32, msg: String) -> Error {
    log.refuse(errno, msg)
}

/// Resolves every `lddw` of `insns`.
pub(crate) fn resolve(client: &Client, insns: &[RawInsn], fd_array: &[Fd], log: &mut Log) -> Result<Resolved> {
    let mut out = Resolved { run: insns.to_vec(), xlated: insns.to_vec(), ..Resolved::default() };
    let mut pc = 0;
    while pc < insns.len() {
        let insn = insns[pc];
        if insn.code != LDDW {
            pc += 1;
            continue;
        }
        let Some(&next) = insns.get(pc + 1) else {
            return Err(reject(log, libc::EINVAL, "invalid bpf_ld_imm64 insn".into()));
        };
        if next.code != 0 || next.dst != 0 || next.src != 0 || next.off != 0 {
            return Err(reject(log, libc::EINVAL, "invalid bpf_ld_imm64 insn".into()));
        }
        let src = insn.src;
        if src == 0 || src == 4 {
            pc += 2;
            continue;
        }
        if src == 3 {
            return Err(reject(
                log,
                libc::EOPNOTSUPP,
                format!("insn {pc}: BPF_PSEUDO_BTF_ID (ksym) loads need kernel BTF, which Hive does not resolve yet"),
            ));
        }
        let by_fd = src == 1 || src == 2;
        let by_idx = src == 5 || src == 6;
        let value = src == 2 || src == 6;
        if !(by_fd || by_idx) || (!value && next.imm != 0) {
            return Err(reject(log, libc::EINVAL, "unrecognized bpf_ld_imm64 insn".into()));
        }
        let fd = if by_idx {
            if fd_array.is_empty() {
                return Err(reject(log, libc::EPROTO, "fd_idx without fd_array is invalid".into()));
            }
            *fd_array.get(insn.imm as u32 as usize).ok_or_else(|| {
                reject(log, libc::EINVAL, format!("fd_array index {} out of range ({} entries)", insn.imm, fd_array.len()))
            })?
        } else {
            Fd(insn.imm as u32)
        };
        let map = client
            .map(fd)
            .map_err(|_| reject(log, libc::EBADF, format!("fd {} is not pointing to valid bpf_map", fd.0)))?;
        let idx = out.use_map(&map).map_err(|e| reject(log, e.errno(), e.to_string()))?;
        let id = map.id().0 as i32;
        let addr = if value {
            let off = next.imm as u32;
            if map.map_type() != MapType::Array {
                return Err(reject(log, libc::EINVAL, "no direct value access support for this map type".into()));
            }
            let spec = map.map.spec();
            let msg = format!("invalid access to map value pointer, value_size={} off={off}", spec.value_size);
            if spec.max_entries != 1 {
                return Err(reject(log, crate::error::ENOTSUPP, msg));
            }
            if off >= spec.value_size {
                return Err(reject(log, libc::EINVAL, msg));
            }
            if !out.direct.contains(&idx) {
                out.direct.push(idx);
            }
            let exec = Executor::enter(0);
            let v = map.map.prog_lookup(&exec, &0u32.to_ne_bytes()).expect("an array's index 0 exists");
            log.line(format!("insn {pc}: map_value[id:{id}]+{off} -> direct value address"));
            v.addr() + u64::from(off)
        } else {
            log.line(format!("insn {pc}: map[id:{id}] ({}) resolved", map.map_type().kernel_name()));
            map.handle()
        };
        out.run[pc] = RawInsn::new(LDDW, insn.dst, 0, 0, addr as u32 as i32);
        out.run[pc + 1] = RawInsn::new(0, 0, 0, 0, (addr >> 32) as u32 as i32);
        // The kernel's dump form: MAP_FD/MAP_VALUE with the map id.
        out.xlated[pc] = RawInsn::new(LDDW, insn.dst, if value { 2 } else { 1 }, 0, id);
        out.xlated[pc + 1] = RawInsn::new(0, 0, 0, 0, if value { next.imm } else { 0 });
        pc += 2;
    }
    Ok(out)
}
