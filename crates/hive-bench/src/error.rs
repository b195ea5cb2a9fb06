//! The crate's error type.

/// Why a benchmark program could not be prepared or run.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// The object file could not be read or linked.
    #[error("{program}: {message}")]
    Object {
        /// The program (file stem).
        program: String,
        /// What went wrong.
        message: String,
    },
    /// An engine refused or failed the program.
    #[error("{engine}: {message}")]
    Engine {
        /// The engine's name.
        engine: &'static str,
        /// What went wrong.
        message: String,
    },
    /// Reading a file.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
}

impl BenchError {
    pub(crate) fn engine(engine: &'static str, message: impl std::fmt::Display) -> Self {
        BenchError::Engine { engine, message: message.to_string() }
    }

    pub(crate) fn object(program: &str, message: impl std::fmt::Display) -> Self {
        BenchError::Object { program: program.to_string(), message: message.to_string() }
    }
}
