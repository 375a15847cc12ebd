//! Byte-stream framing: NDJSON lines and server-sent events.
//!
//! Network chunks split the stream anywhere, including inside a JSON object and inside a multi-byte UTF-8
//! character. Bytes are therefore buffered and only *complete* lines are decoded.

use super::error::BackendError;

/// The longest line accepted (a final Ollama line is well under 1 KiB; one content chunk is a token).
const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

/// Buffers bytes and hands out complete `\n`-terminated lines.
#[derive(Debug, Default)]
pub(crate) struct LineBuffer {
    buf: Vec<u8>,
    /// Where the first line not yet handed out begins. Consumed bytes are dropped only when they are at least
    /// half of `buf`, so a network chunk holding thousands of lines is not moved once per line.
    start: usize,
    /// Bytes of `buf` already searched for a newline.
    scanned: usize,
}

impl LineBuffer {
    /// Appends a network chunk.
    pub(crate) fn push(&mut self, bytes: &[u8]) -> Result<(), BackendError> {
        if self.start > 0 && self.start * 2 >= self.buf.len() {
            self.buf.drain(..self.start);
            self.scanned -= self.start;
            self.start = 0;
        }
        self.buf.extend_from_slice(bytes);
        if self.buf.len() - self.start > MAX_LINE_BYTES
            && !self.buf[self.scanned..].contains(&b'\n')
        {
            return Err(BackendError::InvalidResponse {
                detail: format!("a line longer than {MAX_LINE_BYTES} bytes"),
            });
        }
        Ok(())
    }

    /// The next complete line, without its `\n` (and a `\r` before it).
    pub(crate) fn next_line(&mut self) -> Option<Vec<u8>> {
        let Some(pos) = self.buf[self.scanned..].iter().position(|&b| b == b'\n') else {
            self.scanned = self.buf.len();
            return None;
        };
        let end = self.scanned + pos;
        let mut line = &self.buf[self.start..end];
        if line.last() == Some(&b'\r') {
            line = &line[..line.len() - 1];
        }
        let line = line.to_vec();
        self.start = end + 1;
        self.scanned = self.start;
        Some(line)
    }

    /// Whatever is left after the last newline, once the stream has ended (`None` when nothing is).
    pub(crate) fn finish(&mut self) -> Option<Vec<u8>> {
        let rest = self.buf.split_off(self.start);
        self.buf.clear();
        self.start = 0;
        self.scanned = 0;
        if rest.iter().all(u8::is_ascii_whitespace) {
            None
        } else {
            Some(rest)
        }
    }
}

/// Decodes one complete line as UTF-8.
pub(crate) fn decode_line(line: &[u8]) -> Result<&str, BackendError> {
    std::str::from_utf8(line).map_err(|err| BackendError::InvalidResponse {
        detail: format!(
            "a line is not valid UTF-8 ({err}): {}",
            excerpt(&String::from_utf8_lossy(line))
        ),
    })
}

/// Assembles server-sent events from lines: `data:` lines are joined with `\n`, a blank line dispatches the
/// event; comments (`:`) and the `event`, `id` and `retry` fields are ignored.
#[derive(Debug, Default)]
pub(crate) struct SseDecoder {
    data: String,
    has_data: bool,
}

impl SseDecoder {
    /// Feeds one line; returns an event's data when the line ends the event.
    pub(crate) fn feed_line(&mut self, line: &str) -> Option<String> {
        if line.is_empty() {
            return self.take();
        }
        if line.starts_with(':') {
            return None;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        if field == "data" {
            if self.has_data {
                self.data.push('\n');
            }
            self.data.push_str(value);
            self.has_data = true;
        }
        None
    }

    /// The pending event's data when the stream ends without the blank line that should close it.
    pub(crate) fn take(&mut self) -> Option<String> {
        if !self.has_data {
            return None;
        }
        self.has_data = false;
        Some(std::mem::take(&mut self.data))
    }
}

/// The start of `text`, at most 300 characters, for error messages.
pub(crate) fn excerpt(text: &str) -> String {
    const MAX: usize = 300;
    let text = text.trim();
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}
