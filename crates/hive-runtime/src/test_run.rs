//! `BPF_PROG_TEST_RUN` with the kernel's semantics (`net/bpf/test_run.c`), and the plain
//! invocation an attach point uses ([`Client::prog_run`]).
//!
//! | program types | input | output |
//! |---|---|---|
//! | XDP | `data_in` (at least 14 bytes) copied after 256 bytes of headroom (less `ctx_in`'s metadata) in a 4096-byte frame; optional `xdp_md` (`data` = metadata length, `data_end` = `data_in` length) | `retval` (32 bits), `data_out` from `data_meta` to `data_end`, `ctx_out` with `data`/`data_end` relative to `data_meta` |
//! | socket filter, tc (`sched_cls`, `sched_act`), cgroup skb, lwt | `data_in` (14 to 3712 bytes, with a whole IPv4/IPv6 header when the EtherType says so) as an skb from the loopback device; optional `__sk_buff` (`mark`, `priority`, `ingress_ifindex`, `ifindex`, `cb`, `tstamp`, `wire_len`, `gso_segs`, `gso_size`, `hwtstamp`; everything else must be 0) | `retval`, `data_out` (non-L2 types see the Ethernet header zeroed), `ctx_out` |
//! | raw tracepoint | `ctx_in`: up to 12 `u64` arguments, no `data_in`, `repeat` 0 | `retval` |
//! | syscall | `ctx_in`: up to 65535 bytes, no `data_in`/`repeat`/`flags` | `retval`, the context as the program left it (`ctx_out`) |
//! | others | — | `ENOTSUPP`, as in the kernel |

use std::time::Instant;

use hive_interp::{Memory, Packet, RegionKind};
use hive_platform::prog::{AttachType, ProgType};

use crate::context::{ContextKind, get_u32, get_u64, put_u32, put_u64, skb, xdp};
use crate::error::{Error, Result};
use crate::fd::Client;
use crate::ids::Fd;
use crate::prog::ProgObject;
use crate::run::{Arenas, Exposed, RunHelpers, RunOptions, RunReport, Task, execute};

/// `BPF_F_TEST_RUN_ON_CPU`.
pub const BPF_F_TEST_RUN_ON_CPU: u32 = 1 << 0;
/// `BPF_F_TEST_XDP_LIVE_FRAMES`.
pub const BPF_F_TEST_XDP_LIVE_FRAMES: u32 = 1 << 1;

/// `BPF_PROG_TEST_RUN` attributes.
#[derive(Clone, Debug, Default)]
pub struct TestRunAttr {
    /// The packet (packet types).
    pub data_in: Vec<u8>,
    /// Room for `data_out` (`None`: unlimited); a larger output is cut and the run fails
    /// with `ENOSPC`, as in the kernel.
    pub data_size_out: Option<u32>,
    /// The context in (`xdp_md`, `__sk_buff`, raw arguments, syscall context).
    pub ctx_in: Option<Vec<u8>>,
    /// Whether the context is wanted back (the kernel's non-NULL `ctx_out`).
    pub ctx_out: bool,
    /// Runs (0 counts as 1); `duration` is the mean.
    pub repeat: u32,
    /// `BPF_F_TEST_*` flags.
    pub flags: u32,
    /// The CPU for `BPF_F_TEST_RUN_ON_CPU`.
    pub cpu: u32,
    /// The task `bpf_get_current_*` report (the calling thread by default).
    pub task: Option<Task>,
}

impl TestRunAttr {
    /// A run on the packet `data`.
    pub fn packet(data: &[u8]) -> TestRunAttr {
        TestRunAttr { data_in: data.to_vec(), ..TestRunAttr::default() }
    }

    /// A run on the context `ctx` (no packet).
    pub fn context(ctx: &[u8]) -> TestRunAttr {
        TestRunAttr { ctx_in: Some(ctx.to_vec()), ..TestRunAttr::default() }
    }

    /// The same with `ctx_in` (and `ctx_out` wanted).
    pub fn with_ctx(mut self, ctx: &[u8]) -> TestRunAttr {
        self.ctx_in = Some(ctx.to_vec());
        self.ctx_out = true;
        self
    }

    /// The same with `repeat`.
    pub fn repeat(mut self, n: u32) -> TestRunAttr {
        self.repeat = n;
        self
    }
}

/// What a test run returns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TestRunOutput {
    /// The low 32 bits of `r0` (what the kernel reports).
    pub retval: u32,
    /// The packet after the run.
    pub data_out: Vec<u8>,
    /// The context after the run, when one was given or asked for.
    pub ctx_out: Option<Vec<u8>>,
    /// Mean nanoseconds per run.
    pub duration_ns: u32,
    /// The last run's details: the full `r0`, instructions, tail calls, redirect.
    pub report: RunReport,
}

/// The kernel's `bpf_ctx_init`: the context buffer, `max` bytes, from `ctx_in` whose bytes
/// past `max` must be zero.
fn ctx_init(attr: &TestRunAttr, max: usize) -> Result<Option<Vec<u8>>> {
    if attr.ctx_in.is_none() && !attr.ctx_out {
        return Ok(None);
    }
    let mut ctx = vec![0u8; max];
    if let Some(input) = &attr.ctx_in {
        if input.len() > max && input[max..].iter().any(|&b| b != 0) {
            return Err(Error::TooBig("ctx_in has non-zero bytes past the context"));
        }
        let n = input.len().min(max);
        ctx[..n].copy_from_slice(&input[..n]);
    }
    Ok(Some(ctx))
}

fn finish_data(attr: &TestRunAttr, mut data: Vec<u8>) -> Result<Vec<u8>> {
    if let Some(room) = attr.data_size_out
        && room != 0
        && data.len() > room as usize
    {
        data.truncate(room as usize);
        return Err(Error::NoSpace("data_out is smaller than the packet"));
    }
    Ok(data)
}

/// Runs `prog` `repeat` times on the memory `mem` and context `ctx`.
#[allow(clippy::too_many_arguments)]
fn repeat_runs<'a>(
    client: &'a Client,
    prog: &'a ProgObject,
    arenas: &'a Arenas,
    exposed: &'a Exposed<'a>,
    mem: &mut Memory<'a>,
    ctx: u64,
    attr: &TestRunAttr,
    cpu: usize,
) -> Result<(RunReport, u32)> {
    let opts = RunOptions { cpu, task: attr.task.clone(), func_ip: 0 };
    let mut helpers = RunHelpers::new(&client.shared, arenas, exposed, prog.info.prog_type, &opts)?;
    let repeat = attr.repeat.max(1);
    let start = Instant::now();
    let mut report = RunReport::default();
    for _ in 0..repeat {
        report = execute(prog, mem, &mut helpers, ctx)?;
    }
    let mean = start.elapsed().as_nanos() / repeat as u128;
    Ok((report, mean.min(u32::MAX as u128) as u32))
}

impl Client {
    /// `BPF_PROG_TEST_RUN`: see the module documentation for each program type.
    #[doc(alias = "BPF_PROG_TEST_RUN")]
    pub fn prog_test_run(&self, fd: Fd, attr: &TestRunAttr) -> Result<TestRunOutput> {
        let p = self.prog(fd)?;
        match p.info.prog_type {
            ProgType::Xdp => self.test_run_xdp(&p, attr),
            ProgType::SocketFilter
            | ProgType::SchedCls
            | ProgType::SchedAct
            | ProgType::CgroupSkb
            | ProgType::LwtIn
            | ProgType::LwtOut
            | ProgType::LwtXmit => self.test_run_skb(&p, attr),
            ProgType::RawTracepoint | ProgType::RawTracepointWritable => self.test_run_raw_tp(&p, attr),
            ProgType::Syscall => self.test_run_syscall(&p, attr),
            _ => Err(Error::NotSupported("BPF_PROG_TEST_RUN is not implemented for this program type")),
        }
    }

    /// Runs a program whose context is a plain buffer (kprobe `pt_regs`, tracepoint record,
    /// raw tracepoint arguments, syscall context, perf event data) once on `ctx`, which the
    /// program may modify where its type allows: what an attach point does for each event.
    pub fn prog_run(&self, fd: Fd, ctx: &mut [u8], opts: &RunOptions) -> Result<RunReport> {
        let p = self.prog(fd)?;
        if p.ctx != ContextKind::Raw {
            return Err(Error::invalid("packet programs run through prog_test_run (their context is built there)"));
        }
        // JIT code does not check its context accesses: the context must cover them all (the
        // interpreter would fault on a short one instead).
        if p.jit.is_some() && ctx.len() < p.max_ctx_offset as usize {
            return Err(Error::invalid(format!(
                "the context is {} bytes, the program reads up to byte {}",
                ctx.len(),
                p.max_ctx_offset
            )));
        }
        let arenas = Arenas::default();
        let exposed = Exposed::default();
        let addr = if ctx.is_empty() { 0 } else { ctx.as_ptr() as u64 };
        let mut mem = Memory::new();
        if !ctx.is_empty() {
            mem.add_region(RegionKind::Context, ctx);
        }
        mem.set_resolver(&exposed);
        let mut helpers = RunHelpers::new(&self.shared, &arenas, &exposed, p.info.prog_type, opts)?;
        execute(&p, &mut mem, &mut helpers, addr)
    }

    fn test_run_xdp(&self, p: &ProgObject, attr: &TestRunAttr) -> Result<TestRunOutput> {
        let at = p.info.expected_attach_type;
        if at == AttachType::XDP_DEVMAP || at == AttachType::XDP_CPUMAP {
            return Err(Error::invalid("devmap/cpumap XDP programs cannot be test-run"));
        }
        if attr.flags & !BPF_F_TEST_XDP_LIVE_FRAMES != 0 {
            return Err(Error::invalid("unknown test-run flags"));
        }
        if attr.flags & BPF_F_TEST_XDP_LIVE_FRAMES != 0 {
            return Err(Error::Unsupported("BPF_F_TEST_XDP_LIVE_FRAMES"));
        }
        let size = attr.data_in.len();
        if size < skb::ETH_HLEN {
            return Err(Error::invalid("XDP test runs need at least an Ethernet header (14 bytes)"));
        }
        let md = ctx_init(attr, xdp::MD_SIZE)?;
        let mut headroom = xdp::XDP_PACKET_HEADROOM;
        let (mut ingress, mut rxq) = (1u32, 0u32);
        if let Some(md) = &md {
            let (data, data_end, data_meta) = (get_u32(md, 0), get_u32(md, 4), get_u32(md, 8));
            if data_meta != 0
                || data_end as usize != size
                || data > data_end
                || crate::helpers::net::metalen_invalid(data as u64)
            {
                return Err(Error::invalid("xdp_md: data_meta must be 0, data_end the data size, data a valid metadata length"));
            }
            headroom -= data as usize;
            if get_u32(md, 20) != 0 {
                return Err(Error::invalid("xdp_md.egress_ifindex must be 0"));
            }
            let (i, q) = (get_u32(md, 12), get_u32(md, 16));
            match i {
                0 if q != 0 => return Err(Error::invalid("rx_queue_index without ingress_ifindex")),
                0 => {}
                1 if q != 0 => return Err(Error::invalid("the loopback device has one rx queue")),
                1 => (ingress, rxq) = (1, q),
                other => return Err(Error::NoDevice(other)),
            }
        }
        let max_data = xdp::FRAME_SIZE - headroom - xdp::TAILROOM;
        if size > max_data {
            return Err(Error::Unsupported("multi-buffer (fragmented) XDP test runs"));
        }
        let mut frame = vec![0u8; xdp::FRAME_SIZE];
        frame[headroom..headroom + size].copy_from_slice(&attr.data_in);
        let hard_start = frame.as_ptr() as u64;
        let meta_len = md.as_ref().map_or(0, |m| get_u32(m, 0) as u64);
        let data_meta = hard_start + headroom as u64;
        let mut ctx = vec![0u8; xdp::GUARD + xdp::LEN];
        put_u64(&mut ctx, xdp::DATA, data_meta + meta_len);
        put_u64(&mut ctx, xdp::DATA_END, data_meta + size as u64);
        put_u64(&mut ctx, xdp::DATA_META, data_meta);
        put_u32(&mut ctx, xdp::INGRESS_IFINDEX, ingress);
        put_u32(&mut ctx, xdp::RX_QUEUE_INDEX, rxq);
        put_u64(&mut ctx, xdp::HARD_START, hard_start);
        put_u64(&mut ctx, xdp::FRAME_SZ, xdp::FRAME_SIZE as u64);
        let ctx_addr = ctx.as_ptr() as u64;
        let (report, duration) = {
            let arenas = Arenas::default();
            let exposed = Exposed::default();
            let mut mem = Memory::new();
            mem.add_region(RegionKind::Packet, &mut frame);
            mem.add_region(RegionKind::Context, &mut ctx[xdp::GUARD..]);
            mem.set_resolver(&exposed);
            repeat_runs(self, p, &arenas, &exposed, &mut mem, ctx_addr, attr, 0)?
        };
        let (data, data_end, data_meta) =
            (get_u64(&ctx, xdp::DATA), get_u64(&ctx, xdp::DATA_END), get_u64(&ctx, xdp::DATA_META));
        let (from, to) = ((data_meta - hard_start) as usize, (data_end - hard_start) as usize);
        let data_out = finish_data(attr, frame[from..to].to_vec())?;
        let ctx_out = md.map(|mut md| {
            put_u32(&mut md, 0, (data - data_meta) as u32);
            put_u32(&mut md, 4, (data_end - data_meta) as u32);
            md
        });
        Ok(TestRunOutput { retval: report.r0 as u32, data_out, ctx_out, duration_ns: duration, report })
    }

    fn test_run_skb(&self, p: &ProgObject, attr: &TestRunAttr) -> Result<TestRunOutput> {
        use skb::uapi as u;
        if attr.flags != 0 || attr.cpu != 0 {
            return Err(Error::invalid("skb test runs take no flags and no cpu"));
        }
        let size = attr.data_in.len();
        if !(skb::ETH_HLEN..=skb::MAX_DATA).contains(&size) {
            return Err(Error::invalid("skb test runs need 14..=3712 bytes of data_in"));
        }
        let user = ctx_init(attr, skb::GUARD)?;
        if let Some(c) = &user {
            // convert___skb_to_skb: only these fields may be set.
            let allowed = [
                (u::MARK, 4),
                (u::PRIORITY, 4),
                (u::INGRESS_IFINDEX, 4),
                (u::IFINDEX, 4),
                (u::CB, 20),
                (u::TSTAMP, 8),
                (u::WIRE_LEN, 4),
                (u::GSO_SEGS, 4),
                (u::GSO_SIZE, 4),
                (u::HWTSTAMP, 8),
            ];
            let stray = (0..skb::GUARD).any(|i| c[i] != 0 && !allowed.iter().any(|&(o, n)| (o..o + n).contains(&i)));
            if stray {
                return Err(Error::invalid("__sk_buff fields other than the settable ones must be 0"));
            }
            if get_u32(c, u::IFINDEX) > 1 {
                return Err(Error::NoDevice(get_u32(c, u::IFINDEX)));
            }
        }
        let t = p.info.prog_type;
        let l2 = matches!(t, ProgType::SchedCls | ProgType::SchedAct);
        let head_len = skb::NET_SKB_PAD + size.div_ceil(64) * 64 + skb::TAILROOM;
        let mut buf = vec![0u8; head_len];
        buf[skb::NET_SKB_PAD..skb::NET_SKB_PAD + size].copy_from_slice(&attr.data_in);
        let head = buf.as_ptr() as u64;
        // eth_type_trans against the loopback device, whose address and broadcast address
        // are both all-zero: so ff:ff:ff:ff:ff:ff is only multicast there.
        let dest = &attr.data_in[..6];
        let pkt_type: u32 = if dest == [0; 6] {
            0 // PACKET_HOST
        } else if dest[0] & 1 != 0 {
            2 // PACKET_MULTICAST
        } else {
            3 // PACKET_OTHERHOST
        };
        let h_proto = u16::from_be_bytes([attr.data_in[12], attr.data_in[13]]);
        let proto_be = if h_proto >= 0x0600 {
            h_proto
        } else if size >= 16 && attr.data_in[14] == 0xff && attr.data_in[15] == 0xff {
            0x0001 // ETH_P_802_3
        } else {
            0x0004 // ETH_P_802_2
        };
        // 6.18 wants the network header the protocol announces in the linear data.
        let l3_min = match h_proto {
            0x0800 => 20,
            0x86dd => 40,
            _ => 0,
        };
        if size - skb::ETH_HLEN < l3_min {
            return Err(Error::invalid("the packet is shorter than its IPv4/IPv6 header"));
        }
        let (data_off, len) =
            if l2 { (skb::NET_SKB_PAD, size) } else { (skb::NET_SKB_PAD + skb::ETH_HLEN, size - skb::ETH_HLEN) };
        let mut ctx = vec![0u8; skb::GUARD + skb::LEN];
        {
            let blk = &mut ctx[skb::GUARD..skb::GUARD + skb::GUARD];
            if let Some(c) = &user {
                blk.copy_from_slice(c);
            }
            put_u32(blk, u::LEN, len as u32);
            put_u32(blk, u::PKT_TYPE, pkt_type);
            // `protocol` holds the big-endian value as the kernel's __be16 load does.
            put_u32(blk, u::PROTOCOL, u16::from_ne_bytes(proto_be.to_be_bytes()) as u32);
            put_u32(blk, u::IFINDEX, 1);
            let wire = user.as_ref().map_or(0, |c| get_u32(c, u::WIRE_LEN));
            if user.is_some() {
                if wire != 0 && (wire < len as u32 || wire > 65536) {
                    return Err(Error::invalid("wire_len below the packet length or above GSO_LEGACY_MAX_SIZE"));
                }
                put_u32(blk, u::WIRE_LEN, if wire == 0 { len as u32 } else { wire });
                if get_u32(blk, u::GSO_SEGS) > 65535 {
                    return Err(Error::invalid("gso_segs above GSO_MAX_SEGS"));
                }
            }
        }
        let data = head + data_off as u64;
        put_u64(&mut ctx, skb::DATA, data);
        put_u64(&mut ctx, skb::DATA_END, data + len as u64);
        put_u64(&mut ctx, skb::DATA_META, data);
        put_u64(&mut ctx, skb::HEAD, head);
        put_u64(&mut ctx, skb::END, head + head_len as u64);
        let ctx_addr = ctx.as_ptr() as u64;
        let (report, duration) = {
            let arenas = Arenas::default();
            let exposed = Exposed::default();
            let mut mem = Memory::new();
            mem.add_region(RegionKind::Packet, &mut buf);
            mem.add_region(RegionKind::Context, &mut ctx[skb::GUARD..]);
            mem.set_packet(Packet {
                head,
                data: data_off,
                headlen: len,
                frags: &[],
                mac_header: Some(skb::NET_SKB_PAD),
                network_header: skb::NET_SKB_PAD + skb::ETH_HLEN,
                ctx: Some(ctx_addr),
            });
            mem.set_resolver(&exposed);
            repeat_runs(self, p, &arenas, &exposed, &mut mem, ctx_addr, attr, 0)?
        };
        let len = get_u32(&ctx, skb::GUARD + u::LEN) as usize;
        let data = (get_u64(&ctx, skb::DATA) - head) as usize;
        let mut out = Vec::with_capacity(len + skb::ETH_HLEN);
        if !l2 {
            out.extend_from_slice(&[0; skb::ETH_HLEN]);
        }
        out.extend_from_slice(&buf[data..data + len]);
        let data_out = finish_data(attr, out)?;
        let blk = &ctx[skb::GUARD..skb::GUARD + skb::GUARD];
        let ctx_out = user.map(|mut c| {
            for (off, n) in [
                (u::MARK, 4),
                (u::PRIORITY, 4),
                (u::INGRESS_IFINDEX, 4),
                (u::IFINDEX, 4),
                (u::TSTAMP, 8),
                (u::CB, 20),
                (u::WIRE_LEN, 4),
                (u::GSO_SEGS, 4),
                (u::HWTSTAMP, 8),
            ] {
                c[off..off + n].copy_from_slice(&blk[off..off + n]);
            }
            c
        });
        Ok(TestRunOutput { retval: report.r0 as u32, data_out, ctx_out, duration_ns: duration, report })
    }

    fn run_raw_ctx(&self, p: &ProgObject, attr: &TestRunAttr, ctx: &mut [u8], writable: bool, cpu: usize) -> Result<RunReport> {
        let arenas = Arenas::default();
        let exposed = Exposed::default();
        let addr = if ctx.is_empty() { 0 } else { ctx.as_ptr() as u64 };
        let mut mem = Memory::new();
        if !ctx.is_empty() {
            if writable {
                mem.add_region(RegionKind::Context, ctx);
            } else {
                mem.add_readonly(RegionKind::Context, ctx);
            }
        }
        mem.set_resolver(&exposed);
        Ok(repeat_runs(self, p, &arenas, &exposed, &mut mem, addr, attr, cpu)?.0)
    }

    fn test_run_raw_tp(&self, p: &ProgObject, attr: &TestRunAttr) -> Result<TestRunOutput> {
        if !attr.data_in.is_empty() || attr.data_size_out.is_some() || attr.ctx_out || attr.repeat != 0 {
            return Err(Error::invalid("raw tracepoint test runs take only ctx_in"));
        }
        let mut ctx = attr.ctx_in.clone().unwrap_or_default();
        if ctx.len() < p.max_ctx_offset as usize || ctx.len() > 12 * 8 {
            return Err(Error::invalid("ctx_in must cover the arguments the program reads, at most 12"));
        }
        if attr.flags & BPF_F_TEST_RUN_ON_CPU == 0 && attr.cpu != 0 {
            return Err(Error::invalid("cpu without BPF_F_TEST_RUN_ON_CPU"));
        }
        let cpu = if attr.flags & BPF_F_TEST_RUN_ON_CPU != 0 { attr.cpu as usize } else { 0 };
        let writable = p.info.prog_type == ProgType::RawTracepointWritable;
        let report = self.run_raw_ctx(p, attr, &mut ctx, writable, cpu)?;
        Ok(TestRunOutput { retval: report.r0 as u32, report, ..TestRunOutput::default() })
    }

    fn test_run_syscall(&self, p: &ProgObject, attr: &TestRunAttr) -> Result<TestRunOutput> {
        if !attr.data_in.is_empty() || attr.data_size_out.is_some() || attr.ctx_out || attr.repeat != 0 || attr.flags != 0
        {
            return Err(Error::invalid("syscall test runs take only ctx_in"));
        }
        let mut ctx = attr.ctx_in.clone().unwrap_or_default();
        if ctx.len() < p.max_ctx_offset as usize || ctx.len() > u16::MAX as usize {
            return Err(Error::invalid("ctx_in must cover the context the program reads, at most 65535 bytes"));
        }
        let report = self.run_raw_ctx(p, attr, &mut ctx, true, 0)?;
        let ctx_out = (!ctx.is_empty()).then_some(ctx);
        Ok(TestRunOutput { retval: report.r0 as u32, ctx_out, report, ..TestRunOutput::default() })
    }
}
