//! Text that came from outside (work text, titles, a stranger's Telegram message, a model's summary) shown to a
//! person. A newline in a refused message must not print a second, forged line in `autodev events`; an ESC
//! sequence must not move the cursor, recolour or retitle the terminal; a bidirectional override must not make
//! text read differently from what it is. Every human rendering passes such text through [`printable`].

use std::borrow::Cow;
use std::fmt::Write as _;

/// `s` with every control character (C0, DEL, C1) and bidirectional formatting character written as a visible
/// escape (`\n`, `\r`, `\t`, else `\u{1b}`). Borrowed, unchanged, when there is nothing to escape.
///
/// ```
/// use queue_core::text::printable;
/// assert_eq!(printable("fix parse_port"), "fix parse_port");
/// assert_eq!(printable("x\nAPPROVED"), "x\\nAPPROVED");
/// assert_eq!(printable("\u{1b}[2J"), "\\u{1b}[2J");
/// assert_eq!(printable("포트 0 거부"), "포트 0 거부");
/// ```
pub fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `s` cut to at most `max` bytes (at a character boundary) plus a note of how many bytes were cut; borrowed,
/// unchanged, when it fits. For text from outside that ends up in an event, a report or a prompt: one runaway
/// answer must not become a multi-megabyte log line.
///
/// ```
/// use queue_core::text::clip;
/// assert_eq!(clip("short", 10), "short");
/// assert_eq!(clip("한국어", 4), "한… [6 more bytes cut]");
/// ```
pub fn clip(s: &str, max: usize) -> Cow<'_, str> {
    if s.len() <= max {
        return Cow::Borrowed(s);
    }
    let mut cut = max;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    Cow::Owned(format!("{}… [{} more bytes cut]", &s[..cut], s.len() - cut))
}

/// Control characters, and the Unicode bidirectional controls that reorder what a terminal shows ("Trojan
/// Source", CVE-2021-42574).
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_a_terminal_would_obey() {
        assert!(matches!(printable("plain text"), Cow::Borrowed(_)));
        assert_eq!(printable("a\r\nb\tc"), "a\\r\\nb\\tc");
        assert_eq!(printable("\u{7f}\u{9b}31m"), "\\u{7f}\\u{9b}31m");
        assert_eq!(printable("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(printable("한국어 요청 😀"), "한국어 요청 😀");
    }
}
