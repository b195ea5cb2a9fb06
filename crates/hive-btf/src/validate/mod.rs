//! The kernel's BTF verifier (`kernel/bpf/btf.c`, Linux 6.12), rewritten from its contract.
//!
//! Three phases, in the kernel's order, each stopping at the first problem:
//!
//! 1. **meta** ([`check_meta`], called per record by the parser): per-kind rules that need no
//!    other type: `vlen` and `kind_flag` allowed or not, names required, forbidden or valid C
//!    identifiers, INT encodings and widths, member offsets non-decreasing and inside the
//!    struct, DATASEC variables in order and inside the section, VAR linkage, DECL_TAG
//!    `component_idx >= -1`, referenced ids below `BTF_MAX_TYPE`.
//! 2. **resolve** ([`check_all_types`]): a depth-first walk from every type that refers to
//!    others, with an explicit stack of at most 32 entries and the kernel's three resolve
//!    modes. It proves that every reference exists, that no cycle avoids a pointer
//!    (`"Loop detected"`), computes the size of every modifier chain and array, and checks each
//!    struct member against its type (bitfields, alignment, `"Member exceeds struct_size"`).
//!    Function prototypes are checked afterwards (return type and arguments sized, `...` only
//!    last and unnamed).
//! 3. **type tags** ([`check_type_tags`]): in every modifier chain, TYPE_TAGs come first.
//!
//! The point of matching the kernel exactly (including its quirks, such as an ENUM64 bitfield
//! being limited to 32 bits) is that Hive's `BPF_BTF_LOAD` accepts and refuses what Linux does;
//! the `btf_raw_tests` corpus measures it.

mod meta;
mod resolve;

use crate::error::{Error, ErrorKind as E};
use crate::types::{Kind, TypeId};
use crate::Btf;

pub(crate) use meta::check_meta;
use resolve::{needs_resolve, Env};

/// The kernel's `MAX_RESOLVE_DEPTH`.
pub(crate) const MAX_RESOLVE_DEPTH: usize = 32;

pub(crate) fn roundup_bytes(bits: u32) -> u32 {
    (bits >> 3) + u32::from(bits & 7 != 0)
}

/// Which kernel's rules to apply where they changed between releases.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Rules {
    /// `kind_flag` on TYPE_TAG and DECL_TAG (the tag is a plain `__attribute__((...))`
    /// rather than `btf_type_tag`/`btf_decl_tag`): refused by 6.12, accepted since 6.14.
    pub tag_kflag: bool,
}

impl Rules {
    /// Linux 6.12, the release the `btf_raw_tests` corpus comes from (the default).
    pub const LINUX_6_12: Rules = Rules { tag_kflag: false };
    /// The newest behaviour this crate knows (recent vmlinux BTF uses tag attributes).
    pub const LATEST: Rules = Rules { tag_kflag: true };
}

impl Default for Rules {
    fn default() -> Self {
        Rules::LINUX_6_12
    }
}

/// Phase 2 over every type of `btf` (`btf_check_all_types`).
pub(crate) fn check_all_types(btf: &Btf<'_>) -> Result<(), Error> {
    let mut env = Env::new(btf);
    for t in btf.types() {
        let id = t.id().0;
        if needs_resolve(&t) && !env.is_resolved(id) {
            env.resolve(&t, id)?;
        }
        if t.kind() == Kind::FuncProto {
            env.func_proto_check(&t)?;
        }
    }
    Ok(())
}

/// Phase 3 (`btf_check_type_tags`): TYPE_TAGs precede CONST/VOLATILE/RESTRICT/TYPEDEF in
/// every modifier chain, chains are at most 32 long.
pub(crate) fn check_type_tags(btf: &Btf<'_>, start_id: TypeId) -> Result<(), Error> {
    let start = start_id.0;
    let n = btf.type_count();
    let mut good_id = start as i64 - 1;
    for i in start..n {
        let Some(mut t) = btf.type_by_id(TypeId(i)) else { return Err(E::InvalidTypeId.into()) };
        if !t.kind().is_modifier() {
            continue;
        }
        let mut in_tags = t.kind() == Kind::TypeTag;
        let mut chain_limit = 32;
        let mut cur_id = i;
        while t.kind().is_modifier() {
            if chain_limit == 0 {
                return Err(E::ModifierChain.into());
            }
            chain_limit -= 1;
            if t.kind() == Kind::TypeTag {
                if !in_tags {
                    return Err(E::TypeTagOrder.into());
                }
            } else {
                in_tags = false;
            }
            if cur_id as i64 <= good_id {
                break;
            }
            cur_id = t.size_or_type();
            match btf.type_by_id(TypeId(cur_id)) {
                Some(n) => t = n,
                None => return Err(E::InvalidTypeId.into()),
            }
        }
        good_id = i as i64;
    }
    Ok(())
}
