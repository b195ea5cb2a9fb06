//! The verifier log, line for line in the kernel's format.
//!
//! The kernel writes its log at three levels (`log_level` of `BPF_PROG_LOAD`): 0 keeps
//! nothing, 1 (`BPF_LOG_LEVEL1`) the instructions of the path that failed with their register
//! states and the error, 2 (`BPF_LOG_LEVEL2`) every instruction processed, plus structural
//! lines such as `func#1 @5`. Instruction lines start with the slot index and the opcode byte,
//! `12: (bf) r1 = r6`; the text after the prefix is hive-asm's kernel syntax
//! ([`hive_asm::format_insn`]), which reassembles (hive-asm accepts the prefix too).
//!
//! ```
//! use hive_isa::{Code, RawInsn};
//! use hive_verifier::log::insn_line;
//! let code = Code::decode(&[RawInsn::new(0xbf, 1, 6, 0, 0), RawInsn::new(0x95, 0, 0, 0, 0)]).unwrap();
//! assert_eq!(insn_line(&code, 0).unwrap(), "0: (bf) r1 = r6");
//! assert_eq!(insn_line(&code, 1).unwrap(), "1: (95) exit");
//! ```

use std::fmt::Write as _;

use hive_asm::{Syntax, format_insn};
use hive_isa::{Code, Insn, RawInsn, encode};

/// How much the log says (`log_level`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevel {
    /// Nothing (level 0); the rejection still carries its message.
    Off,
    /// The failing path and the error (`BPF_LOG_LEVEL1`).
    #[default]
    Basic,
    /// Everything processed (`BPF_LOG_LEVEL2`).
    Verbose,
}

/// `N: (op) text` for one instruction.
pub fn format_line(pc: usize, insn: &Insn) -> String {
    let mut raw: Vec<RawInsn> = Vec::with_capacity(2);
    let code = match encode(insn, &mut raw) {
        Ok(()) => raw[0].code,
        Err(_) => 0,
    };
    format!("{pc}: ({code:02x}) {}", format_insn(insn, Syntax::Kernel))
}

/// The line of the instruction starting at slot `pc`, if one does.
pub fn insn_line(code: &Code, pc: usize) -> Option<String> {
    code.get(pc).map(|insn| format_line(pc, insn))
}

/// A log being written: lines go in only if the level asks for them.
#[derive(Clone, Debug, Default)]
pub struct Log {
    level: LogLevel,
    text: String,
}

impl Log {
    /// An empty log at `level`.
    pub fn new(level: LogLevel) -> Log {
        Log { level, text: String::new() }
    }

    /// The level.
    pub fn level(&self) -> LogLevel {
        self.level
    }

    /// Appends a line written at `level` or above.
    pub fn line(&mut self, level: LogLevel, line: impl AsRef<str>) {
        if self.level >= level && level > LogLevel::Off {
            let _ = writeln!(self.text, "{}", line.as_ref());
        }
    }

    /// Appends a level-1 line (errors, the failing path).
    pub fn basic(&mut self, line: impl AsRef<str>) {
        self.line(LogLevel::Basic, line);
    }

    /// Appends a level-2 line.
    pub fn verbose(&mut self, line: impl AsRef<str>) {
        self.line(LogLevel::Verbose, line);
    }

    /// Whether level-2 lines are kept (to skip building them otherwise).
    pub fn is_verbose(&self) -> bool {
        self.level >= LogLevel::Verbose
    }

    /// Cuts the text back to `len` bytes (a path abandoned at level 1).
    pub fn truncate(&mut self, len: usize) {
        self.text.truncate(len);
    }

    /// The text so far.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The text.
    pub fn into_string(self) -> String {
        self.text
    }
}
