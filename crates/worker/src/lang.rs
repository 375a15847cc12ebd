//! The language of a request and of the model's summary, by script. Korean requests get a Korean summary: some
//! models drift into Chinese (or English) when the prompt is mostly code; the person who approves reads Korean.

/// Whether `text` is written in Korean: at least two Hangul syllables, and more Hangul than Han ideographs.
pub fn is_korean(text: &str) -> bool {
    let (hangul, han) = counts(text);
    hangul >= 2 && hangul > han
}

/// Whether a summary answers a request in its language: for a Korean request, the summary must be Korean too (a
/// summary in Chinese, English or any other script is not); other requests are not judged.
pub fn summary_fits(request: &str, summary: &str) -> bool {
    !is_korean(request) || is_korean(summary)
}

/// (Hangul syllables and jamo, Han ideographs) in `text`.
fn counts(text: &str) -> (usize, usize) {
    text.chars().fold((0, 0), |(hangul, han), c| match c {
        '\u{AC00}'..='\u{D7A3}' | '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}' => {
            (hangul + 1, han)
        }
        '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}' => {
            (hangul, han + 1)
        }
        _ => (hangul, han),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn korean_is_told_from_chinese_and_english() {
        assert!(is_korean("parse_port가 0을 받아들입니다"));
        assert!(!is_korean("修复 parse_port 接受 0 的问题"));
        assert!(!is_korean("reject port 0"));
        // Hanja in a Korean sentence does not make it Chinese.
        assert!(is_korean("포트 검사(檢査)를 고칩니다"));
        assert!(summary_fits(
            "parse_port가 0을 받아들입니다",
            "0이면 오류를 냅니다"
        ));
        assert!(!summary_fits("parse_port가 0을 받아들입니다", "拒绝端口 0"));
        assert!(!summary_fits(
            "parse_port가 0을 받아들입니다",
            "reject port 0"
        ));
        assert!(
            summary_fits("parse_port accepts 0", "拒绝端口 0"),
            "only Korean requests are judged"
        );
    }
}
