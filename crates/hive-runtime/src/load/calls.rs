//! Checking calls at load time: the helper and kfunc rules the kernel enforces before (and
//! whatever) its verifier proves, with its messages.
//!
//! - a helper id outside the kernel's enum: `invalid func unknown#<id>`;
//! - a helper the program type does not offer (`get_func_proto` returns NULL):
//!   `program of this type cannot use helper bpf_<name>#<id>`;
//! - a GPL-only helper from a program whose license is not GPL-compatible:
//!   `cannot call GPL-restricted function from non-GPL compatible program`;
//! - a kfunc id the runtime's registry does not know: `kernel btf_id <id> is not a function`;
//! - `callx`, which the kernel does not accept: `unknown opcode 8d`.
//!
//! Beyond the kernel's rules, a helper or kfunc Hive does not implement yet is refused here
//! (`EOPNOTSUPP`) rather than faulting when it is called.

use hive_isa::{CallTarget, Code, Insn};
use hive_platform::HelperId;
use hive_platform::kfunc::{KfuncId, KfuncRegistry};
use hive_platform::prog::{LoadContext, ProgType};

use crate::error::Result;
use crate::helpers;
use crate::load::Log;

/// Checks every call of `code`.
pub(crate) fn check(
    code: &Code,
    prog_type: ProgType,
    ctx: &LoadContext,
    gpl: bool,
    kfuncs: &KfuncRegistry,
    log: &mut Log,
) -> Result<()> {
    let info = prog_type.info();
    for (pc, insn) in code.iter() {
        match *insn {
            Insn::Call(CallTarget::Helper(id)) => {
                if id < 0 || id as u32 >= HelperId::COUNT {
                    return Err(log.refuse(libc::EINVAL, format!("insn {pc}: invalid func unknown#{id}")));
                }
                let hid = HelperId(id as u32);
                let Some(proto) = info.helper(hid, ctx) else {
                    return Err(log.refuse(libc::EINVAL, format!("insn {pc}: program of this type cannot use helper {hid}")));
                };
                if proto.gpl_only && !gpl {
                    return Err(log.refuse(
                        libc::EINVAL,
                        format!("insn {pc}: cannot call GPL-restricted function from non-GPL compatible program"),
                    ));
                }
                if !helpers::implemented(hid) {
                    return Err(log.refuse(libc::EOPNOTSUPP, format!("insn {pc}: helper {hid} is not implemented by Hive yet")));
                }
            }
            Insn::Call(CallTarget::Kfunc { btf_id, off }) => {
                let proto = (btf_id >= 0).then(|| kfuncs.get(KfuncId(btf_id as u32))).flatten();
                let Some(proto) = proto.filter(|_| off == 0) else {
                    return Err(log.refuse(libc::EINVAL, format!("insn {pc}: kernel btf_id {btf_id} is not a function")));
                };
                if !proto.allowed_for(prog_type) {
                    return Err(log.refuse(
                        libc::EACCES,
                        format!("insn {pc}: calling kernel function {} is not allowed", proto.name),
                    ));
                }
                if !helpers::kfunc_implemented(proto.name) {
                    return Err(log.refuse(
                        libc::EOPNOTSUPP,
                        format!("insn {pc}: kfunc {} is not implemented by Hive yet", proto.name),
                    ));
                }
            }
            Insn::CallX { .. } => {
                return Err(log.refuse(libc::EINVAL, format!("insn {pc}: unknown opcode 8d")));
            }
            _ => {}
        }
    }
    Ok(())
}
