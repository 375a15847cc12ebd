//! HTML for `parse_mode: HTML`: escaping and fitting into Telegram's length limits.

/// `sendMessage` text limit, in characters.
pub const MAX_MESSAGE_CHARS: usize = 4096;
/// Caption limit, in characters.
pub const MAX_CAPTION_CHARS: usize = 1024;

/// Escapes `<`, `>`, `&` and `"` (the only entities Telegram's HTML mode needs).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// One line of outside text (a title, a name, a command): control characters written as escapes
/// ([`queue_core::text::printable`]), so a newline cannot start a forged line; at most `max` characters, with `…`
/// when cut.
pub fn clip(s: &str, max: usize) -> String {
    cut(&queue_core::text::printable(s), max)
}

/// A multi-line body (a failure message, a check's output): lines kept, every other control character escaped;
/// at most `max` characters.
pub fn clip_text(s: &str, max: usize) -> String {
    let lines: Vec<_> = s.split('\n').map(queue_core::text::printable).collect();
    cut(&lines.join("\n"), max)
}

fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Fits already-built HTML into `max` characters: cuts at a character boundary outside any tag or entity and
/// closes the tags left open (the bot only uses `<b>`, `<i>`, `<code>` and `<pre>`).
pub fn fit(html: &str, max: usize) -> String {
    if html.chars().count() <= max {
        return html.to_owned();
    }
    // Room for "…" and closing tags.
    let budget = max.saturating_sub(40);
    let mut cut: String = html.chars().take(budget).collect();
    let last_amp = cut.rfind('&');
    let last_semi = cut.rfind(';');
    if let Some(a) = last_amp
        && last_semi.is_none_or(|s| s < a)
    {
        cut.truncate(a);
    }
    let last_lt = cut.rfind('<');
    let last_gt = cut.rfind('>');
    if let Some(l) = last_lt
        && last_gt.is_none_or(|g| g < l)
    {
        cut.truncate(l);
    }
    let mut open: Vec<&str> = Vec::new();
    let mut rest = cut.as_str();
    while let Some(i) = rest.find('<') {
        let after = &rest[i + 1..];
        let Some(j) = after.find('>') else { break };
        let tag = &after[..j];
        if let Some(name) = tag.strip_prefix('/') {
            if let Some(pos) = open.iter().rposition(|t| *t == name) {
                open.remove(pos);
            }
        } else {
            let name = tag.split_whitespace().next().unwrap_or(tag);
            open.push(name);
        }
        rest = &after[j + 1..];
    }
    let closing: String = open.iter().rev().map(|t| format!("</{t}>")).collect();
    format!("{cut}…{closing}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_the_three_specials_and_quotes() {
        assert_eq!(escape("a<b>&\"c\""), "a&lt;b&gt;&amp;&quot;c&quot;");
        assert_eq!(escape("한국어"), "한국어");
    }

    #[test]
    fn fit_never_exceeds_the_limit_nor_cuts_an_entity_or_leaves_a_tag_open() {
        let long = format!("<b>{}</b>", escape(&"a&b ".repeat(3000)));
        let f = fit(&long, MAX_MESSAGE_CHARS);
        assert!(f.chars().count() <= MAX_MESSAGE_CHARS);
        assert!(f.ends_with("…</b>"), "{}", &f[f.len() - 20..]);
        let body = f.trim_end_matches("…</b>");
        assert!(body.ends_with("&amp;b ") || body.ends_with('a') || body.ends_with("b "));
        let kor = "가".repeat(5000);
        assert_eq!(fit(&kor, 4096).chars().count(), 4096 - 40 + 1);
        assert_eq!(fit("short", 10), "short");
    }

    #[test]
    fn clip_counts_characters() {
        assert_eq!(clip("한국어입니다", 3), "한국…");
        assert_eq!(clip("abc", 3), "abc");
    }

    #[test]
    fn outside_text_cannot_forge_lines() {
        assert_eq!(clip("fix\n✅ Approved T1", 100), "fix\\n✅ Approved T1");
        assert_eq!(clip_text("a\nb\u{1b}[1m", 100), "a\nb\\u{1b}[1m");
    }
}
