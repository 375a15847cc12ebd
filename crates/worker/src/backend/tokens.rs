//! A conservative token estimate, for checking that a prompt fits `num_ctx` before it is sent.

/// Estimates how many tokens `text` takes, erring on the high side.
///
/// Ollama silently drops the middle of a prompt that is longer than `num_ctx` (its only trace is a server
/// log line), and the model then answers a question it never fully saw. An estimate used to size or refuse
/// a prompt must therefore never be low; being somewhat high only wastes a little context.
///
/// The rule: every 3 ASCII characters count as one token (code and English average 3.5–4 characters per
/// token with the BPE vocabularies of current code models), and every 2 bytes of non-ASCII text count as one
/// token (a Hangul syllable is 3 bytes and often a whole token; byte-fallback can spend a token per byte on
/// a rare character or emoji, so this part is the least safe). Rounded up. It is always at least
/// `max(chars / 3, bytes / 4)`.
pub fn estimate_tokens(text: &str) -> u64 {
    let mut ascii: u64 = 0;
    let mut other_bytes: u64 = 0;
    for ch in text.chars() {
        if ch.is_ascii() {
            ascii += 1;
        } else {
            other_bytes += ch.len_utf8() as u64;
        }
    }
    ascii.div_ceil(3) + other_bytes.div_ceil(2)
}
