//! Measuring request text fairly across scripts.

use unicode_normalization::UnicodeNormalization;

/// Sizes of a request text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkStats {
    /// Non-whitespace Unicode characters after NFC normalisation.
    pub chars: usize,
    /// Words (see [`count_words`]).
    pub words: usize,
}

impl WorkStats {
    /// Measures `text`.
    pub fn of(text: &str) -> Self {
        let nfc: String = text.nfc().collect();
        Self {
            chars: nfc.chars().filter(|c| !c.is_whitespace()).count(),
            words: count_words(&nfc),
        }
    }
}

/// Counts words: whitespace-separated tokens that contain a letter or digit. Hangul is written with spaces, so
/// it counts like English; in a token of Han or Kana (written without spaces) every two such characters count as
/// one word.
pub fn count_words(text: &str) -> usize {
    text.split_whitespace()
        .map(|tok| {
            if !tok.chars().any(char::is_alphanumeric) {
                return 0;
            }
            let unspaced = tok.chars().filter(|c| is_unspaced_script(*c)).count();
            if unspaced >= 2 {
                unspaced.div_ceil(2).max(1)
                    + usize::from(tok.chars().any(|c| c.is_ascii_alphanumeric()))
            } else {
                1
            }
        })
        .sum()
}

/// Scripts that do not separate words with spaces.
fn is_unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF   // Hiragana, Katakana
        | 0x3400..=0x4DBF // CJK Extension A
        | 0x4E00..=0x9FFF // CJK Unified Ideographs
        | 0xF900..=0xFAFF // CJK Compatibility Ideographs
        | 0x0E00..=0x0E7F // Thai
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hangul_counts_characters_not_bytes() {
        let s =
            WorkStats::of("parse_port 함수가 0을 허용합니다. 0이면 오류를 반환하게 고쳐 주세요");
        assert_eq!(s.words, 9);
        assert!(s.chars > 30);
        let short = WorkStats::of("고쳐줘");
        assert_eq!(short, WorkStats { chars: 3, words: 1 });
    }

    #[test]
    fn decomposed_hangul_is_normalised() {
        // "한글" as conjoining jamo (NFD) is 6 code points but 2 characters once composed.
        let nfd = "\u{1112}\u{1161}\u{11AB}\u{1100}\u{1173}\u{11AF}";
        assert_eq!(WorkStats::of(nfd).chars, 2);
    }

    #[test]
    fn han_without_spaces_counts_pairs() {
        assert_eq!(count_words("修复端口解析函数接受零的问题"), 7);
        assert_eq!(count_words("fix the bug"), 3);
        assert_eq!(count_words("- -- ..."), 0);
    }
}
