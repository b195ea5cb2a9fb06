//! The kernel-verifier corpus: CFG rejections (filled in with the CFG checks).
