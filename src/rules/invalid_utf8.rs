use crate::diagnostic::Diagnostic;
use crate::engine::{Rule, RuleMeta};

use super::declare_rule;

/// Reports the first byte that is not UTF-8, with a count of the others.
pub fn check_file(bytes: &[u8]) -> Option<Diagnostic> {
    let first = std::str::from_utf8(bytes).err()?;
    let at = first.valid_up_to();
    let len = first.error_len().unwrap_or(bytes.len() - at);
    let count = bytes
        .utf8_chunks()
        .filter(|chunk| !chunk.invalid().is_empty())
        .count();
    let message = if count == 1 {
        format!("byte 0x{:02X} is not valid UTF-8", bytes[at])
    } else {
        format!(
            "byte 0x{:02X} is not valid UTF-8 (and {} more invalid sequences in this file)",
            bytes[at],
            count - 1
        )
    };
    Some(
        Diagnostic::new(&InvalidUtf8::META, at..at + len, message)
            .with_label("not UTF-8")
            .with_help(
                "the file was saved in another encoding (often Windows-1252 or Latin-1); \
                 convert it to UTF-8. postlint reads each invalid byte as U+FFFD",
            ),
    )
}

declare_rule! {
    /// ## What it does
    /// Reports a file that contains bytes which are not valid UTF-8.
    ///
    /// ## Why it matters
    /// JSON is UTF-8. A file in another encoding shows readers garbled letters (`CafÃ©`) or
    /// replacement characters once it is imported. postlint lints the rest of the file,
    /// reading each bad byte as U+FFFD.
    ///
    /// ## Example
    /// A title saved in Latin-1: the byte `0xE9` where UTF-8 needs `0xC3 0xA9` for `é`.
    pub struct InvalidUtf8 {
        code: "invalid-utf8",
        severity: Error,
        summary: "The file has bytes that are not UTF-8",
        reads: ["file"],
    }
}

impl Rule for InvalidUtf8 {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
}
