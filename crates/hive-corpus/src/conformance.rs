//! Running `.data` tests (bpf_conformance, uBPF) on a Hive engine.
//!
//! A test passes when the program assembles, decodes and returns the expected `r0`, or, when
//! it carries an `-- error` section, when Hive refuses it at any stage (assembly, decoding or
//! execution). Programs run in the interpreter's strict mode, which refuses reads of
//! registers never written, as a verifier would.
//!
//! On the JIT ([`Engine::Jit`]) a program must be safe before it runs, since compiled code
//! checks nothing. Until Hive has a verifier, a run of the checked interpreter on the same
//! input stands in for it: a program the interpreter refuses (in strict mode unless
//! `strict` is off) is refused, as the negative tests expect, and only then is the program
//! compiled and run; the result compared with `-- result` is the JIT's.

use std::path::{Path, PathBuf};

use hive_asm::Syntax;
use hive_interp::{Flow, HelperError, HelperTable, Memory, Options, RegionKind, Vm};
use hive_isa::{Code, RawInsn};
use hive_jit::JitOptions;

use crate::data_file::DataTest;

/// The engines a `.data` test can run on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// The reference interpreter.
    Interp,
    /// The x86-64 JIT (`hive_jit`), behind an interpreter run standing in for the verifier.
    Jit,
}

impl std::str::FromStr for Engine {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "interp" => Ok(Engine::Interp),
            "jit" => Ok(Engine::Jit),
            other => Err(format!("unknown engine {other:?} (available: interp, jit)")),
        }
    }
}

/// The result of one test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Behaved as expected; for expected refusals, Hive's message.
    Pass(Option<String>),
    /// Did not; why.
    Fail(String),
    /// Cannot run here; why.
    Skip(String),
}

/// Where the program of a test stopped.
enum Stop {
    Refused(String),
    Returned(u64),
}

/// The helpers `.data` tests call: bpf_conformance's "unwind" (5) and uBPF's test helpers
/// `gather_bytes` (0), `memfrob` (1), `no_op` (2), `sqrti` (3) and `strcmp_ext` (4).
pub fn data_test_helpers() -> HelperTable {
    let mut t = HelperTable::conformance();
    t.add_helper(0, |a, _| {
        let b = |x: u64| x & 0xff;
        Ok(Flow::Return(b(a[0]) << 32 | b(a[1]) << 24 | b(a[2]) << 16 | b(a[3]) << 8 | b(a[4])))
    });
    t.add_helper(1, |a, mem| {
        let bytes = mem.slice_mut(a[0], a[1] as usize)?;
        bytes.iter_mut().for_each(|b| *b ^= 42);
        Ok(Flow::Return(0))
    });
    t.add_helper(2, |_, _| Ok(Flow::Return(0)));
    t.add_helper(3, |a, _| Ok(Flow::Return(a[0].isqrt())));
    t.add_helper(4, |a, mem| {
        let s1 = c_string(mem, a[0])?;
        let s2 = c_string(mem, a[1])?;
        let order = s1.iter().chain([&0]).zip(s2.iter().chain([&0])).map(|(x, y)| *x as i64 - *y as i64).find(|d| *d != 0);
        Ok(Flow::Return(order.unwrap_or(0) as u64))
    });
    t
}

fn c_string(mem: &Memory<'_>, addr: u64) -> Result<Vec<u8>, HelperError> {
    let mut out = Vec::new();
    loop {
        let b = mem.read(addr.wrapping_add(out.len() as u64), 1)?[0];
        if b == 0 {
            return Ok(out);
        }
        out.push(b);
    }
}

fn program(test: &DataTest) -> Result<Vec<RawInsn>, Option<String>> {
    if let Some(words) = &test.raw {
        return Ok(words.iter().map(|w| RawInsn::from_u64(*w)).collect());
    }
    match &test.asm {
        Some(src) => hive_asm::assemble(src, Syntax::Ubpf).map_err(|e| Some(format!("assembler: {e}"))),
        None => Err(None),
    }
}

fn execute(test: &DataTest, raw: &[RawInsn], engine: Engine, strict: bool) -> Stop {
    let code = match Code::decode(raw) {
        Ok(c) => c,
        Err(e) => return Stop::Refused(format!("decoder: {e}")),
    };
    if let Err(e) = code.check_layout() {
        return Stop::Refused(format!("loader: {e}"));
    }
    let interpreted = interpret(test, &code, strict);
    match engine {
        Engine::Interp => interpreted,
        Engine::Jit => match interpreted {
            Stop::Returned(_) => jit(test, &code),
            Stop::Refused(why) => Stop::Refused(format!("{why} (standing in for the verifier)")),
        },
    }
}

fn interpret(test: &DataTest, code: &Code, strict: bool) -> Stop {
    let mut input = test.mem.clone();
    let mut mem = Memory::new();
    let len = input.len() as u64;
    let addr = if input.is_empty() { 0 } else { mem.add_region(RegionKind::Input, &mut input) };
    let mut vm = Vm::new(code, Options { strict, ..Options::default() });
    match vm.run(&mut mem, &mut data_test_helpers(), [addr, len, 0, 0, 0]) {
        Ok(r0) => Stop::Returned(r0),
        Err(fault) => Stop::Refused(format!("interpreter: {fault}")),
    }
}

fn jit(test: &DataTest, code: &Code) -> Stop {
    let prog = match hive_jit::compile(code, &JitOptions::default()) {
        Ok(p) => p,
        Err(e) => return Stop::Refused(format!("jit: {e}")),
    };
    let mut input = test.mem.clone();
    let mut mem = Memory::new();
    let len = input.len() as u64;
    let addr = if input.is_empty() { 0 } else { mem.add_region(RegionKind::Input, &mut input) };
    // SAFETY: the checked interpreter just ran this program on an identical input and memory
    // layout without a fault, so it stays inside `mem` and terminates (the JIT's contract).
    #[allow(unsafe_code)]
    let result = unsafe { prog.run(&mut mem, &mut data_test_helpers(), [addr, len, 0, 0, 0]) };
    match result {
        Ok(r0) => Stop::Returned(r0),
        Err(fault) => Stop::Refused(format!("jit: {fault}")),
    }
}

/// Runs one parsed test with the interpreter in strict mode (see [`run_test_with`]).
pub fn run_test(test: &DataTest, engine: Engine) -> Outcome {
    run_test_with(test, engine, true)
}

/// A test with both `-- asm` and `-- raw` and nothing to run against checks the assembler.
fn assembler_test(test: &DataTest) -> Option<Outcome> {
    let (asm, raw) = (test.asm.as_ref()?, test.raw.as_ref()?);
    if test.result.is_some() || test.error.is_some() || test.error_pattern.is_some() {
        return None;
    }
    Some(match hive_asm::assemble(asm, Syntax::Ubpf) {
        Ok(ours) if ours.iter().map(|r| r.to_u64()).eq(raw.iter().copied()) => Outcome::Pass(None),
        Ok(ours) => {
            let at = ours.iter().zip(raw).position(|(a, b)| a.to_u64() != *b).unwrap_or(ours.len().min(raw.len()));
            Outcome::Fail(format!("assembler output differs from `-- raw` at slot {at}"))
        }
        Err(e) => Outcome::Fail(format!("assembler: {e}")),
    })
}

/// Runs one parsed test. `strict` makes reading a register never written a refusal (as a
/// verifier would); without it registers start at 0 as in the kernel interpreter, which is
/// what uBPF's own tests assume.
pub fn run_test_with(test: &DataTest, engine: Engine, strict: bool) -> Outcome {
    if let Some(s) = test.other.iter().find(|s| *s == "reload" || *s == "unload") {
        return Outcome::Skip(format!("`-- {s}` exercises uBPF's VM load/unload API"));
    }
    if let Some(outcome) = assembler_test(test) {
        return outcome;
    }
    let expects_refusal = test.error.is_some() || test.error_pattern.is_some();
    let stop = match program(test) {
        Ok(raw) => execute(test, &raw, engine, strict),
        Err(Some(msg)) => Stop::Refused(msg),
        Err(None) if expects_refusal => Stop::Refused("no program".into()),
        Err(None) => {
            return match test.other.iter().find(|s| *s == "pyelf" || *s == "c") {
                Some(s) => Outcome::Skip(format!("program given only as a `-- {s}` section (an ELF recipe or C source)")),
                None => Outcome::Fail("no program".to_string()),
            };
        }
    };
    match (stop, expects_refusal, test.result) {
        (Stop::Refused(msg), true, _) => Outcome::Pass(Some(msg)),
        (Stop::Refused(msg), false, _) => Outcome::Fail(msg),
        (Stop::Returned(r0), true, _) => {
            let expected = test.error.clone().or(test.error_pattern.clone()).unwrap_or_default();
            Outcome::Fail(format!("expected a refusal ({expected}), but it returned 0x{r0:x}"))
        }
        (Stop::Returned(r0), false, Some(want)) if r0 == want => Outcome::Pass(None),
        (Stop::Returned(r0), false, Some(want)) => Outcome::Fail(format!("r0 = 0x{r0:x}, expected 0x{want:x}")),
        (Stop::Returned(r0), false, None) => Outcome::Fail(format!("no expected result given; r0 = 0x{r0:x}")),
    }
}

/// Counts over a set of tests, with the failures and skips explained.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// Tests that behaved as expected.
    pub passed: usize,
    /// Tests that did not.
    pub failed: Vec<(PathBuf, String)>,
    /// Tests that cannot run here.
    pub skipped: Vec<(PathBuf, String)>,
    /// Expected refusals, with Hive's message beside the expected one.
    pub refusals: Vec<(PathBuf, String, String)>,
}

impl Summary {
    /// The closing line: `N passed, M failed, K skipped`.
    pub fn line(&self) -> String {
        format!("{} passed, {} failed, {} skipped", self.passed, self.failed.len(), self.skipped.len())
    }
}

/// Runs every `.data` file under each path (a file or a folder, searched recursively);
/// `strict` as in [`run_test_with`].
pub fn run_paths(paths: &[PathBuf], engine: Engine, strict: bool) -> Summary {
    let mut summary = Summary::default();
    for path in paths {
        let files = if path.is_dir() { crate::paths::files_with_suffix(path, ".data") } else { vec![path.clone()] };
        if files.is_empty() {
            summary.failed.push((path.clone(), "no .data files found".into()));
        }
        for file in files {
            run_file(&file, engine, strict, &mut summary);
        }
    }
    summary
}

fn run_file(file: &Path, engine: Engine, strict: bool, summary: &mut Summary) {
    let test = match DataTest::read(file) {
        Ok(t) => t,
        Err(e) => {
            summary.failed.push((file.into(), e.to_string()));
            return;
        }
    };
    match run_test_with(&test, engine, strict) {
        Outcome::Pass(refusal) => {
            summary.passed += 1;
            if let Some(ours) = refusal {
                let expected = test.error.or(test.error_pattern).unwrap_or_default();
                summary.refusals.push((file.into(), expected, ours));
            }
        }
        Outcome::Fail(why) => summary.failed.push((file.into(), why)),
        Outcome::Skip(why) => summary.skipped.push((file.into(), why)),
    }
}
