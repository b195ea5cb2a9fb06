//! kfunc prototypes: kernel functions a program calls by BTF id (`call` with
//! `src_reg = BPF_PSEUDO_KFUNC_CALL`) rather than by helper number.
//!
//! The kernel describes a kfunc with its BTF signature plus a set of `KF_*` flags
//! (`include/linux/btf.h`) and registers it for some program types
//! (`register_btf_kfunc_id_set`). This module models the same: a [`KfuncProto`] is a name, the
//! flags, argument kinds (what the kernel derives from BTF and from argument-name suffixes
//! such as `__sz`, `__k`, `__nullable`, `__ign`) and a return kind. [`KfuncRegistry`] holds the
//! built-in examples and lets an embedder add its own kfuncs, which Hive programs then call like
//! kernel ones.
//!
//! ```
//! use hive_platform::kfunc::*;
//! // Prototypes are plain data, usually `const` items of the embedding crate.
//! const COUNTER_ADD: KfuncProto =
//!     KfuncProto::new("hive_counter_add", KfuncRet::Scalar).args(&[KfuncArg::scalar("delta")]);
//! let mut reg = KfuncRegistry::with_builtins();
//! let id = reg.register(COUNTER_ADD).unwrap();
//! assert_eq!(reg.by_name("hive_counter_add").unwrap().0, id);
//! assert!(reg.by_name("bpf_task_acquire").unwrap().1.flags.contains(KfuncFlags::ACQUIRE));
//! ```

use std::collections::HashMap;
use std::fmt;

use crate::prog::ProgType;

/// `KF_*` flags.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct KfuncFlags(u32);

impl KfuncFlags {
    /// No flag.
    pub const NONE: KfuncFlags = KfuncFlags(0);
    /// `KF_ACQUIRE`: returns a referenced pointer the program must release.
    pub const ACQUIRE: KfuncFlags = KfuncFlags(1 << 0);
    /// `KF_RELEASE`: releases its (first referenced) argument.
    pub const RELEASE: KfuncFlags = KfuncFlags(1 << 1);
    /// `KF_RET_NULL`: the result may be NULL.
    pub const RET_NULL: KfuncFlags = KfuncFlags(1 << 2);
    /// `KF_TRUSTED_ARGS`: pointer arguments must be trusted (referenced or from a trusted context).
    pub const TRUSTED_ARGS: KfuncFlags = KfuncFlags(1 << 4);
    /// `KF_SLEEPABLE`: only sleepable programs may call it.
    pub const SLEEPABLE: KfuncFlags = KfuncFlags(1 << 5);
    /// `KF_DESTRUCTIVE`: may crash or reboot the machine; needs `CAP_SYS_BOOT`.
    pub const DESTRUCTIVE: KfuncFlags = KfuncFlags(1 << 6);
    /// `KF_RCU`: arguments may be RCU-protected pointers.
    pub const RCU: KfuncFlags = KfuncFlags(1 << 7);
    /// `KF_ITER_NEW`: constructor of an open-coded iterator.
    pub const ITER_NEW: KfuncFlags = KfuncFlags(1 << 8);
    /// `KF_ITER_NEXT`: next step of an open-coded iterator.
    pub const ITER_NEXT: KfuncFlags = KfuncFlags(1 << 9);
    /// `KF_ITER_DESTROY`: destructor of an open-coded iterator.
    pub const ITER_DESTROY: KfuncFlags = KfuncFlags(1 << 10);
    /// `KF_RCU_PROTECTED`: must be called inside an RCU read-side section.
    pub const RCU_PROTECTED: KfuncFlags = KfuncFlags(1 << 11);
    /// `KF_FASTCALL`: follows the `bpf_fastcall` convention.
    pub const FASTCALL: KfuncFlags = KfuncFlags(1 << 12);

    /// Both sets.
    pub const fn union(self, other: KfuncFlags) -> KfuncFlags {
        KfuncFlags(self.0 | other.0)
    }

    /// Whether every flag of `other` is set.
    pub const fn contains(self, other: KfuncFlags) -> bool {
        self.0 & other.0 == other.0
    }

    /// The raw bits, as in the kernel's BTF id set flags.
    pub const fn bits(self) -> u32 {
        self.0
    }
}

impl std::ops::BitOr for KfuncFlags {
    type Output = KfuncFlags;
    fn bitor(self, rhs: KfuncFlags) -> KfuncFlags {
        self.union(rhs)
    }
}

impl fmt::Debug for KfuncFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = [
            (Self::ACQUIRE, "KF_ACQUIRE"),
            (Self::RELEASE, "KF_RELEASE"),
            (Self::RET_NULL, "KF_RET_NULL"),
            (Self::TRUSTED_ARGS, "KF_TRUSTED_ARGS"),
            (Self::SLEEPABLE, "KF_SLEEPABLE"),
            (Self::DESTRUCTIVE, "KF_DESTRUCTIVE"),
            (Self::RCU, "KF_RCU"),
            (Self::ITER_NEW, "KF_ITER_NEW"),
            (Self::ITER_NEXT, "KF_ITER_NEXT"),
            (Self::ITER_DESTROY, "KF_ITER_DESTROY"),
            (Self::RCU_PROTECTED, "KF_RCU_PROTECTED"),
            (Self::FASTCALL, "KF_FASTCALL"),
        ];
        f.debug_set().entries(names.iter().filter(|(fl, _)| self.contains(*fl)).map(|(_, n)| n)).finish()
    }
}

/// What a kfunc argument must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KfuncArgKind {
    /// Any scalar.
    Scalar,
    /// A scalar known at verification time (name suffix `__k`).
    ConstScalar,
    /// A pointer to the kernel struct named by BTF (`"task_struct"`).
    Btf(&'static str),
    /// A pointer to an iterator state on the stack (`struct bpf_iter_<name>`).
    Iter(&'static str),
    /// A pointer to memory whose size is the next argument (`__sz`).
    Mem,
    /// The size of the previous memory argument.
    MemSize,
    /// A `struct bpf_dynptr *`.
    Dynptr,
    /// A pointer to the program's context.
    Ctx,
    /// Ignored by the verifier (`__ign`).
    Ignored,
}

/// One kfunc argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KfuncArg {
    /// Parameter name (without suffixes).
    pub name: &'static str,
    /// Kind.
    pub kind: KfuncArgKind,
    /// NULL accepted (`__nullable`, `__opt`).
    pub nullable: bool,
}

impl KfuncArg {
    /// An argument of `kind`.
    pub const fn new(name: &'static str, kind: KfuncArgKind) -> KfuncArg {
        KfuncArg { name, kind, nullable: false }
    }

    /// A plain scalar argument.
    pub const fn scalar(name: &'static str) -> KfuncArg {
        KfuncArg::new(name, KfuncArgKind::Scalar)
    }

    /// A pointer to `struct name`.
    pub const fn btf(name: &'static str, strukt: &'static str) -> KfuncArg {
        KfuncArg::new(name, KfuncArgKind::Btf(strukt))
    }

    /// The same argument, nullable.
    pub const fn nullable(self) -> KfuncArg {
        KfuncArg { nullable: true, ..self }
    }
}

/// What a kfunc returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KfuncRet {
    /// Nothing.
    Void,
    /// A scalar.
    Scalar,
    /// A pointer to the kernel struct named by BTF.
    Btf(&'static str),
    /// A pointer to memory of a size given by a constant argument.
    Mem,
    /// A pointer to this many bytes (`bpf_iter_num_next`'s `int *`).
    FixedMem(u32),
    /// A pointer to a program-allocated object (`bpf_obj_new`), typed by the program's BTF.
    Alloc,
}

/// A kfunc prototype.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KfuncProto {
    /// The kernel function name.
    pub name: &'static str,
    /// `KF_*` flags.
    pub flags: KfuncFlags,
    /// Arguments (at most five in registers).
    pub args: &'static [KfuncArg],
    /// Result.
    pub ret: KfuncRet,
    /// Program types it is registered for; empty means every type (`BPF_PROG_TYPE_UNSPEC`).
    pub prog_types: &'static [ProgType],
}

impl KfuncProto {
    /// A kfunc with no argument, no flag, callable from every program type.
    pub const fn new(name: &'static str, ret: KfuncRet) -> KfuncProto {
        KfuncProto { name, flags: KfuncFlags::NONE, args: &[], ret, prog_types: &[] }
    }

    /// Sets the arguments.
    pub const fn args(self, args: &'static [KfuncArg]) -> KfuncProto {
        KfuncProto { args, ..self }
    }

    /// Adds flags.
    pub const fn flags(self, flags: KfuncFlags) -> KfuncProto {
        KfuncProto { flags: self.flags.union(flags), ..self }
    }

    /// Restricts it to these program types.
    pub const fn for_types(self, prog_types: &'static [ProgType]) -> KfuncProto {
        KfuncProto { prog_types, ..self }
    }

    /// Whether a program of `t` may call it.
    pub fn allowed_for(&self, t: ProgType) -> bool {
        self.prog_types.is_empty() || self.prog_types.contains(&t)
    }
}

use KfuncArgKind as K;
use KfuncFlags as KF;

const NUM_ITER: &[KfuncArg] = &[KfuncArg::new("it", K::Iter("num"))];
const TASK: &[KfuncArg] = &[KfuncArg::btf("p", "task_struct")];
const CGROUP: &[KfuncArg] = &[KfuncArg::btf("cgrp", "cgroup")];
const ACQUIRE_RCU: KfuncFlags = KF::ACQUIRE.union(KF::RCU).union(KF::RET_NULL);
const TRACING_AND_MORE: &[ProgType] = &[
    ProgType::Tracing,
    ProgType::Lsm,
    ProgType::StructOps,
    ProgType::Syscall,
    ProgType::SchedCls,
    ProgType::Xdp,
    ProgType::SocketFilter,
    ProgType::Kprobe,
    ProgType::Tracepoint,
    ProgType::PerfEvent,
    ProgType::RawTracepoint,
];

/// Built-in kfuncs, as examples of each kind (kernel 6.18 flags).
pub static BUILTIN_KFUNCS: &[KfuncProto] = &[
    // Open-coded numeric iterator: for (i = start; i < end; i++) with a verifier-checked bound.
    KfuncProto::new("bpf_iter_num_new", KfuncRet::Scalar)
        .args(&[
            KfuncArg::new("it", K::Iter("num")),
            KfuncArg::scalar("start"),
            KfuncArg::scalar("end"),
        ])
        .flags(KF::ITER_NEW.union(KF::FASTCALL)),
    KfuncProto::new("bpf_iter_num_next", KfuncRet::FixedMem(4))
        .args(NUM_ITER)
        .flags(KF::ITER_NEXT.union(KF::RET_NULL).union(KF::FASTCALL)),
    KfuncProto::new("bpf_iter_num_destroy", KfuncRet::Void).args(NUM_ITER).flags(KF::ITER_DESTROY.union(KF::FASTCALL)),
    // Reference-counted tasks and cgroups.
    KfuncProto::new("bpf_task_acquire", KfuncRet::Btf("task_struct"))
        .args(TASK)
        .flags(ACQUIRE_RCU)
        .for_types(TRACING_AND_MORE),
    KfuncProto::new("bpf_task_release", KfuncRet::Void).args(TASK).flags(KF::RELEASE).for_types(TRACING_AND_MORE),
    KfuncProto::new("bpf_task_from_pid", KfuncRet::Btf("task_struct"))
        .args(&[KfuncArg::scalar("pid")])
        .flags(KF::ACQUIRE.union(KF::RET_NULL))
        .for_types(TRACING_AND_MORE),
    KfuncProto::new("bpf_cgroup_acquire", KfuncRet::Btf("cgroup"))
        .args(CGROUP)
        .flags(ACQUIRE_RCU)
        .for_types(TRACING_AND_MORE),
    KfuncProto::new("bpf_cgroup_release", KfuncRet::Void).args(CGROUP).flags(KF::RELEASE).for_types(TRACING_AND_MORE),
    KfuncProto::new("bpf_cgroup_from_id", KfuncRet::Btf("cgroup"))
        .args(&[KfuncArg::scalar("cgid")])
        .flags(KF::ACQUIRE.union(KF::RET_NULL))
        .for_types(TRACING_AND_MORE),
    // Program-allocated objects.
    KfuncProto::new("bpf_obj_new_impl", KfuncRet::Alloc)
        .args(&[KfuncArg::new("local_type_id", K::ConstScalar), KfuncArg::new("meta", K::Ignored)])
        .flags(KF::ACQUIRE.union(KF::RET_NULL)),
    KfuncProto::new("bpf_obj_drop_impl", KfuncRet::Void)
        .args(&[KfuncArg::new("p", K::Btf("")), KfuncArg::new("meta", K::Ignored)])
        .flags(KF::RELEASE),
    // RCU sections and casts.
    KfuncProto::new("bpf_rcu_read_lock", KfuncRet::Void),
    KfuncProto::new("bpf_rcu_read_unlock", KfuncRet::Void),
    KfuncProto::new("bpf_cast_to_kern_ctx", KfuncRet::Mem)
        .args(&[KfuncArg::new("obj", K::Ctx)])
        .flags(KF::FASTCALL),
    KfuncProto::new("bpf_rdonly_cast", KfuncRet::Mem)
        .args(&[KfuncArg::new("obj", K::Scalar), KfuncArg::new("btf_id", K::ConstScalar)])
        .flags(KF::FASTCALL),
    // Dynptr slices.
    KfuncProto::new("bpf_dynptr_slice", KfuncRet::Mem)
        .args(&[
            KfuncArg::new("p", K::Dynptr),
            KfuncArg::scalar("offset"),
            KfuncArg::new("buffer", K::Mem).nullable(),
            KfuncArg::new("buffer_sz", K::ConstScalar),
        ])
        .flags(KF::RET_NULL),
    // Destructive: only with CAP_SYS_BOOT.
    KfuncProto::new("crash_kexec", KfuncRet::Void).flags(KF::DESTRUCTIVE).for_types(&[ProgType::Tracing]),
];

/// An index into a [`KfuncRegistry`], stable for its lifetime (plays the role of the BTF id in
/// the `imm` of a kfunc call).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KfuncId(pub u32);

/// Why a kfunc could not be registered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegisterError {
    /// A kfunc with this name exists.
    Duplicate(&'static str),
    /// More than five arguments.
    TooManyArgs(&'static str),
    /// Contradictory flags (iterator flags mixed, acquire and release together, ...).
    BadFlags(&'static str),
    /// A memory argument not followed by its size, or a size without memory before it.
    BadArgPair(&'static str),
}

impl fmt::Display for RegisterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegisterError::Duplicate(n) => write!(f, "kfunc {n} is already registered"),
            RegisterError::TooManyArgs(n) => write!(f, "kfunc {n} takes more than 5 arguments"),
            RegisterError::BadFlags(n) => write!(f, "kfunc {n} has contradictory KF_* flags"),
            RegisterError::BadArgPair(n) => write!(f, "kfunc {n}: memory and size arguments must come in pairs"),
        }
    }
}

impl std::error::Error for RegisterError {}

/// The kfuncs a platform offers: the built-ins plus whatever an embedder registers.
#[derive(Debug, Default, Clone)]
pub struct KfuncRegistry {
    protos: Vec<KfuncProto>,
    by_name: HashMap<&'static str, KfuncId>,
}

impl KfuncRegistry {
    /// An empty registry.
    pub fn new() -> KfuncRegistry {
        KfuncRegistry::default()
    }

    /// A registry holding [`BUILTIN_KFUNCS`].
    pub fn with_builtins() -> KfuncRegistry {
        let mut reg = KfuncRegistry::new();
        for p in BUILTIN_KFUNCS {
            reg.register(*p).expect("built-in kfuncs are valid");
        }
        reg
    }

    /// Adds a kfunc after checking what the kernel checks of a kfunc set (flags that make
    /// sense together, at most five arguments, memory/size pairs).
    pub fn register(&mut self, proto: KfuncProto) -> Result<KfuncId, RegisterError> {
        let name = proto.name;
        if self.by_name.contains_key(name) {
            return Err(RegisterError::Duplicate(name));
        }
        if proto.args.len() > 5 {
            return Err(RegisterError::TooManyArgs(name));
        }
        let iter_flags = [KF::ITER_NEW, KF::ITER_NEXT, KF::ITER_DESTROY];
        let n_iter = iter_flags.iter().filter(|f| proto.flags.contains(**f)).count();
        let acquire_release = proto.flags.contains(KF::ACQUIRE) && proto.flags.contains(KF::RELEASE);
        let acquire_void = proto.flags.contains(KF::ACQUIRE) && proto.ret == KfuncRet::Void;
        if n_iter > 1 || acquire_release || acquire_void {
            return Err(RegisterError::BadFlags(name));
        }
        let kinds: Vec<KfuncArgKind> = proto.args.iter().map(|a| a.kind).collect();
        for (i, k) in kinds.iter().enumerate() {
            let pair_ok = match k {
                K::MemSize => i > 0 && kinds[i - 1] == K::Mem,
                _ => true,
            };
            if !pair_ok {
                return Err(RegisterError::BadArgPair(name));
            }
        }
        let id = KfuncId(self.protos.len() as u32);
        self.protos.push(proto);
        self.by_name.insert(name, id);
        Ok(id)
    }

    /// The kfunc with this id.
    pub fn get(&self, id: KfuncId) -> Option<&KfuncProto> {
        self.protos.get(id.0 as usize)
    }

    /// The kfunc with this name and its id.
    pub fn by_name(&self, name: &str) -> Option<(KfuncId, &KfuncProto)> {
        let id = *self.by_name.get(name)?;
        Some((id, &self.protos[id.0 as usize]))
    }

    /// Every kfunc, in registration order.
    pub fn iter(&self) -> impl Iterator<Item = (KfuncId, &KfuncProto)> {
        self.protos.iter().enumerate().map(|(i, p)| (KfuncId(i as u32), p))
    }

    /// How many kfuncs are registered.
    pub fn len(&self) -> usize {
        self.protos.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.protos.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_and_registration() {
        let mut reg = KfuncRegistry::with_builtins();
        assert_eq!(reg.len(), BUILTIN_KFUNCS.len());
        let (_, acq) = reg.by_name("bpf_task_acquire").unwrap();
        assert!(acq.flags.contains(KF::ACQUIRE | KF::RET_NULL));
        assert!(acq.allowed_for(ProgType::Tracing) && !acq.allowed_for(ProgType::CgroupSysctl));
        assert!(reg.by_name("bpf_task_release").unwrap().1.flags.contains(KF::RELEASE));
        assert!(reg.by_name("bpf_iter_num_next").unwrap().1.flags.contains(KF::ITER_NEXT));
        assert_eq!(reg.register(BUILTIN_KFUNCS[0]), Err(RegisterError::Duplicate("bpf_iter_num_new")));
        let bad = KfuncProto::new("x", KfuncRet::Void).flags(KF::ACQUIRE);
        assert_eq!(reg.register(bad), Err(RegisterError::BadFlags("x")));
        const LONE_SIZE: &[KfuncArg] = &[KfuncArg::new("n", K::MemSize)];
        let bad = KfuncProto::new("y", KfuncRet::Scalar).args(LONE_SIZE);
        assert_eq!(reg.register(bad), Err(RegisterError::BadArgPair("y")));
        const PAIR: &[KfuncArg] = &[KfuncArg::new("buf", K::Mem), KfuncArg::new("len", K::MemSize)];
        let id = reg.register(KfuncProto::new("hive_sum", KfuncRet::Scalar).args(PAIR)).unwrap();
        assert_eq!(reg.get(id).unwrap().name, "hive_sum");
        assert_eq!(format!("{:?}", KF::ACQUIRE | KF::RET_NULL), "{\"KF_ACQUIRE\", \"KF_RET_NULL\"}");
    }
}
