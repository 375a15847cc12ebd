//! HTML for `parse_mode: HTML`: escaping, and fitting into Telegram's length limits as Telegram counts them.
//!
//! Telegram counts a text's length in UTF-16 code units: a Hangul syllable is one, most emoji are two, a
//! family emoji joined with U+200D is eight. That count is never below the number of characters, so it is the
//! stricter of the two and the one used here. Cuts fall between grapheme clusters (what a reader sees as one
//! character), so no emoji, flag or combining sequence is split.

use unicode_segmentation::UnicodeSegmentation;

/// `sendMessage` text limit, in UTF-16 code units.
pub const MAX_MESSAGE_LEN: usize = 4096;
/// Caption limit, in UTF-16 code units.
pub const MAX_CAPTION_LEN: usize = 1024;
/// `answerCallbackQuery` toast limit, in UTF-16 code units.
pub const MAX_TOAST_LEN: usize = 200;

/// The length of `s` as Telegram counts it: UTF-16 code units (≥ its characters).
pub fn tg_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

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
/// ([`queue_core::text::printable`]), so a newline cannot start a forged line; at most `max` UTF-16 code units,
/// with `…` when cut.
pub fn clip(s: &str, max: usize) -> String {
    cut(&queue_core::text::printable(s), max)
}

/// A multi-line body (a failure message, a check's output): lines kept, every other control character escaped;
/// at most `max` UTF-16 code units.
pub fn clip_text(s: &str, max: usize) -> String {
    let lines: Vec<_> = s.split('\n').map(queue_core::text::printable).collect();
    cut(&lines.join("\n"), max)
}

/// Plain text cut to at most `max` UTF-16 code units between grapheme clusters, with `…` when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if tg_len(s) <= max {
        return s.to_owned();
    }
    let mut out = take_units(s, max.saturating_sub(1));
    out.push('…');
    out
}

/// The longest prefix of whole grapheme clusters within `units` UTF-16 code units.
fn take_units(s: &str, units: usize) -> String {
    let mut n = 0;
    let mut out = String::new();
    for g in s.graphemes(true) {
        n += tg_len(g);
        if n > units {
            break;
        }
        out.push_str(g);
    }
    out
}

fn cut(s: &str, max: usize) -> String {
    truncate(s, max)
}

/// Fits already-built HTML into `max` UTF-16 code units (counting the markup too, which Telegram does not:
/// the result is always accepted): cuts between grapheme clusters outside any tag or entity and closes the
/// tags left open (the bot only uses `<b>`, `<i>`, `<code>` and `<pre>`).
pub fn fit(html: &str, max: usize) -> String {
    if tg_len(html) <= max {
        return html.to_owned();
    }
    // Room for "…" and closing tags; deeper nesting than the bot writes only costs another round.
    let mut budget = max.saturating_sub(40);
    loop {
        let out = cut_html(html, budget);
        if tg_len(&out) <= max || budget == 0 {
            return out;
        }
        budget = budget.saturating_sub(40);
    }
}

fn cut_html(html: &str, budget: usize) -> String {
    let mut cut = take_units(html, budget);
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
        let f = fit(&long, MAX_MESSAGE_LEN);
        assert!(tg_len(&f) <= MAX_MESSAGE_LEN);
        assert!(f.ends_with("…</b>"), "{}", &f[f.len() - 20..]);
        let body = f.trim_end_matches("…</b>");
        assert!(body.ends_with("&amp;b ") || body.ends_with('a') || body.ends_with("b "));
        let kor = "가".repeat(5000);
        assert_eq!(fit(&kor, 4096).chars().count(), 4096 - 40 + 1);
        assert_eq!(
            tg_len(&fit(&kor, 4096)),
            4096 - 40 + 1,
            "a Hangul syllable is one unit"
        );
        assert_eq!(fit("short", 10), "short");
    }

    #[test]
    fn clip_counts_utf16_units_and_never_splits_what_a_reader_sees_as_one_character() {
        assert_eq!(clip("한국어입니다", 3), "한국…");
        assert_eq!(clip("abc", 3), "abc");
        // Two units per emoji: 5 of them are 10 units.
        assert_eq!(clip("😀😀😀😀😀", 10), "😀😀😀😀😀");
        assert_eq!(clip("😀😀😀😀😀", 9), "😀😀😀😀…");
        // A family (8 units) and a flag (4) are kept whole or left out.
        let family = "👨\u{200d}👩\u{200d}👧";
        assert_eq!(tg_len(family), 8);
        assert_eq!(clip(&format!("가{family}"), 8), "가…");
        assert_eq!(clip(&format!("가{family}나"), 10), format!("가{family}나"));
        assert_eq!(clip(&format!("가{family}나"), 9), "가…");
        assert_eq!(clip(&format!("가{family}나다"), 10), format!("가{family}…"));
        assert_eq!(clip("🇰🇷🇰🇷", 7), "🇰🇷…");
        // Hangul written as jamo (NFD) is one syllable to the reader.
        assert_eq!(
            clip("\u{1112}\u{1161}\u{11ab}\u{1100}\u{1173}\u{11af}", 4),
            "\u{1112}\u{1161}\u{11ab}…"
        );
    }

    #[test]
    fn fit_counts_utf16_units_so_emoji_heavy_text_is_never_over_the_limit() {
        let emoji = "😀".repeat(3000);
        assert_eq!(emoji.chars().count(), 3000, "under 4096 characters …");
        assert_eq!(tg_len(&emoji), 6000, "… but over 4096 units");
        let f = fit(&format!("<b>{emoji}</b>"), MAX_MESSAGE_LEN);
        assert!(tg_len(&f) <= MAX_MESSAGE_LEN, "{}", tg_len(&f));
        assert!(
            tg_len(&f) > MAX_MESSAGE_LEN - 50,
            "cut no shorter than needed"
        );
        assert!(f.ends_with("…</b>"));
        assert!(
            f.trim_end_matches("…</b>")
                .trim_start_matches("<b>")
                .chars()
                .all(|c| c == '😀')
        );
        let family = "👨\u{200d}👩\u{200d}👧";
        let f = fit(&format!("한국어 {}", family.repeat(1000)), MAX_CAPTION_LEN);
        assert!(tg_len(&f) <= MAX_CAPTION_LEN);
        let body = f.trim_start_matches("한국어 ").trim_end_matches('…');
        assert!(body.replace(family, "").is_empty(), "a family cut apart");
    }

    #[test]
    fn outside_text_cannot_forge_lines() {
        assert_eq!(clip("fix\n✅ Approved T1", 100), "fix\\n✅ Approved T1");
        assert_eq!(clip_text("a\nb\u{1b}[1m", 100), "a\nb\\u{1b}[1m");
    }
}
