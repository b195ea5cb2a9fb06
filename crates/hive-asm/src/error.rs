//! The assembler's one error type.

/// Why a source text does not assemble: the first offending line and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}{}", if text.is_empty() { String::new() } else { format!(" (in `{text}`)") })]
pub struct AsmError {
    /// 1-based line number.
    pub line: usize,
    /// The line's text without its comment (empty when the error concerns the whole program).
    pub text: String,
    /// What is wrong.
    pub message: String,
}

impl AsmError {
    pub(crate) fn new(line: usize, text: &str, message: String) -> Self {
        AsmError { line, text: text.to_string(), message }
    }
}
