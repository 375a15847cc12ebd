//! Korean particles (조사) after an inserted word or number.
//!
//! A Korean particle has two forms, chosen by whether the word before it ends with a final consonant (받침):
//! `파일을` but `코드를`. autodev inserts names it does not know in advance (a task id, a model, a path, a
//! count), so the form is picked here from how the word is *read aloud*: digits by their Sino-Korean reading
//! (`1` 일 ends in ㄹ, `2` 이 in a vowel, `10` 십 in ㅂ, `1000` 천 in ㄴ), Latin letters by their Korean
//! names (`L` 엘, `M` 엠, `N` 엔, `R` 알 end in a consonant; `S` 에스 does not), lowercase English words by
//! a few loanword rules (`git` 깃, `file` 파일, `server` 서버). When nothing readable is found (an emoji, a Han
//! character) both forms are written, as Korean software does: `을(를)`.
//!
//! ```
//! use i18n::josa::attach;
//! assert_eq!(attach("모델", "을/를"), "모델을");
//! assert_eq!(attach("qwen2.5-coder:7b", "을/를"), "qwen2.5-coder:7b를");
//! assert_eq!(attach("T20261125-0001", "이/가"), "T20261125-0001이");
//! assert_eq!(attach("URL", "(으)로"), "URL로");
//! assert_eq!(attach("3", "(으)로"), "3으로");
//! ```

/// How a word's last syllable ends when read aloud.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// A vowel, no final consonant: 가, `2` (이), `B` (비), `server` (서버).
    Vowel,
    /// ㄹ: a final consonant, except that (으)로 takes 로: 일 (`1`), `L` (엘), `file` (파일).
    Rieul,
    /// Any other final consonant: 삼 (`3`), 십 (`10`), `M` (엠), `git` (깃).
    Consonant,
}

/// The particles the helper knows, as (after a final consonant, after a vowel).
const PAIRS: [(&str, &str); 9] = [
    ("은", "는"),
    ("이", "가"),
    ("을", "를"),
    ("과", "와"),
    ("으로", "로"),
    ("이나", "나"),
    ("이라", "라"),
    ("아", "야"),
    ("이에요", "예요"),
];

/// `word` followed by the right form of `pair` (`"을/를"`, `"를/을"`, `"(으)로"`, `"(이)나"` …).
pub fn attach(word: &str, pair: &str) -> String {
    format!("{word}{}", particle(word, pair))
}

/// Only the particle for `word` (for when the word itself is wrapped in markup, e.g. `<code>T1</code>을`).
/// An unknown `pair` is returned as written.
pub fn particle(word: &str, pair: &str) -> String {
    let Some((consonant, vowel)) = parse_pair(pair) else {
        return pair.to_owned();
    };
    let form = match ending(word) {
        Some(Ending::Vowel) => vowel,
        Some(Ending::Rieul) if consonant == "으로" => vowel,
        Some(Ending::Rieul | Ending::Consonant) => consonant,
        // Unreadable: both, the conventional way.
        None if consonant == "으로" => return "(으)로".to_owned(),
        None => return format!("{consonant}({vowel})"),
    };
    form.to_owned()
}

fn parse_pair(pair: &str) -> Option<(&'static str, &'static str)> {
    let pair = pair.trim();
    let (a, b) = match pair {
        "(으)로" => ("으로", "로"),
        "(이)나" => ("이나", "나"),
        "(이)라" => ("이라", "라"),
        _ => pair.split_once('/')?,
    };
    PAIRS
        .iter()
        .find(|(c, v)| (a == *c && b == *v) || (a == *v && b == *c))
        .copied()
}

/// How `word` ends when read aloud; `None` when its end is not Hangul, a digit or a Latin letter. Trailing
/// punctuation, closing brackets, quotes, HTML tags and entities are skipped.
pub fn ending(word: &str) -> Option<Ending> {
    let word = strip_trailing_markup(word);
    let last = word.chars().next_back()?;
    match last {
        '가'..='힣' => Some(syllable(last)),
        'ㄹ' => Some(Ending::Rieul),
        'ㄱ'..='ㅎ' => Some(Ending::Consonant),
        'ㅏ'..='ㅣ' => Some(Ending::Vowel),
        '0'..='9' => number(word),
        c if c.is_ascii_alphabetic() => latin(word),
        _ => None,
    }
}

/// A precomposed Hangul syllable: its final consonant is `(code - 0xAC00) % 28` (0: none, 8: ㄹ).
fn syllable(c: char) -> Ending {
    match (u32::from(c) - 0xAC00) % 28 {
        0 => Ending::Vowel,
        8 => Ending::Rieul,
        _ => Ending::Consonant,
    }
}

fn strip_trailing_markup(mut s: &str) -> &str {
    loop {
        let before = s;
        s = s.trim_end_matches(|c: char| {
            c.is_whitespace()
                || matches!(
                    c,
                    ')' | ']'
                        | '}'
                        | '"'
                        | '\''
                        | '`'
                        | '.'
                        | ','
                        | '!'
                        | '?'
                        | ':'
                        | ';'
                        | '…'
                        | '」'
                        | '』'
                        | '’'
                        | '”'
                )
        });
        if let Some(rest) = s.strip_suffix('>')
            && let Some(i) = rest.rfind('<')
        {
            s = &rest[..i];
        }
        // An HTML entity (`&amp;`): its text is not what is read.
        if let Some(i) = s.rfind('&')
            && s[i + 1..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '#')
            && before.len() > s.len()
            && before[s.len()..].starts_with(';')
        {
            s = &s[..i];
        }
        if s.len() == before.len() {
            return s;
        }
    }
}

/// Digits: a decimal's last digit is read alone (3.14: …사); an integer by its last unit (10 십, 100 백,
/// 1000 천, 10000 만, 10^8 억, 10^12 조).
fn number(word: &str) -> Option<Ending> {
    let bytes = word.as_bytes();
    let mut start = bytes.len();
    while start > 0 && (bytes[start - 1].is_ascii_digit() || bytes[start - 1] == b',') {
        start -= 1;
    }
    let run: Vec<u8> = bytes[start..]
        .iter()
        .copied()
        .filter(u8::is_ascii_digit)
        .collect();
    let decimal = start >= 2 && bytes[start - 1] == b'.' && bytes[start - 2].is_ascii_digit();
    let last = *run.last()?;
    if decimal {
        return Some(digit(last));
    }
    let zeros = run.iter().rev().take_while(|&&d| d == b'0').count();
    let Some(&nonzero) = run.iter().rev().find(|&&d| d != b'0') else {
        return Some(Ending::Consonant); // 영
    };
    match (zeros, zeros % 4) {
        (0, _) => Some(digit(nonzero)),
        (_, 1..=3) => Some(Ending::Consonant), // 십, 백, 천
        // 만, 억, 조, 경, 해
        (4, _) | (8, _) | (16, _) => Some(Ending::Consonant),
        (12, _) | (20, _) => Some(Ending::Vowel),
        _ => None,
    }
}

/// 영 일 이 삼 사 오 육 칠 팔 구.
fn digit(d: u8) -> Ending {
    match d {
        b'1' | b'7' | b'8' => Ending::Rieul,
        b'0' | b'3' | b'6' => Ending::Consonant,
        _ => Ending::Vowel,
    }
}

/// Latin letters: an acronym or a single letter by the Korean name of its last letter; a lowercase word by a
/// few loanword rules.
fn latin(word: &str) -> Option<Ending> {
    let run: &str = {
        let start = word
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_ascii_alphabetic())
            .last()
            .map_or(word.len(), |(i, _)| i);
        &word[start..]
    };
    // The last word of camelCase or PascalCase ("OllamaServer" → "Server"), or the trailing capitals.
    let tail = match run
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_ascii_uppercase())
    {
        Some((i, _)) if i + 1 == run.len() => {
            let caps = run
                .char_indices()
                .rev()
                .take_while(|(_, c)| c.is_ascii_uppercase())
                .last()
                .map_or(i, |(j, _)| j);
            return letter(run[caps..].chars().next_back()?);
        }
        Some((i, _)) => &run[i..],
        None => run,
    };
    if tail.len() == 1 {
        return letter(tail.chars().next()?);
    }
    Some(english_word(&tail.to_ascii_lowercase()))
}

/// The Korean names of the letters: 에이 비 씨 디 이 에프 지 에이치 아이 제이 케이 엘 엠 엔 오 피 큐 알 에스 티 유
/// 브이 더블유 엑스 와이 지.
fn letter(c: char) -> Option<Ending> {
    Some(match c.to_ascii_uppercase() {
        'L' | 'R' => Ending::Rieul,
        'M' | 'N' => Ending::Consonant,
        'A'..='Z' => Ending::Vowel,
        _ => return None,
    })
}

/// How a lowercase English word usually ends in Korean writing: `-ng`, `-m`, `-n` keep a final consonant
/// (스트링, 아이템, 토큰), `-l`/`-le` a ㄹ (툴, 파일), a short vowel before a final `p`, `t`, `k`, `b` makes one
/// (깃, 앱, 봇, 웹) while a cluster or long vowel adds 으 (테스트, 루트); everything else ends in a vowel (서버,
/// 코드, 리눅스).
fn english_word(w: &str) -> Ending {
    let b = w.as_bytes();
    let n = b.len();
    let vowel = |c: u8| matches!(c, b'a' | b'e' | b'i' | b'o' | b'u');
    let last = b[n - 1];
    match last {
        b'm' | b'n' => Ending::Consonant,
        b'g' if w.ends_with("ng") => Ending::Consonant,
        b'l' => Ending::Rieul,
        // A silent e: what comes before it is what is read (file 파일, name 네임, line 라인, code 코드).
        b'e' if n >= 3 && !vowel(b[n - 2]) => match b[n - 2] {
            b'l' => Ending::Rieul,
            b'm' | b'n' => Ending::Consonant,
            _ => Ending::Vowel,
        },
        b'p' | b't' | b'k' | b'b' => {
            // Strip a doubled final (app, commit's tt) or "ck" (stack).
            let mut end = n - 1;
            if end >= 1 && (b[end - 1] == last || (last == b'k' && b[end - 1] == b'c')) {
                end -= 1;
            }
            let short = end >= 1 && vowel(b[end - 1]) && (end < 2 || !vowel(b[end - 2]));
            if short {
                Ending::Consonant
            } else {
                Ending::Vowel
            }
        }
        _ => Ending::Vowel,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hangul_by_its_final_consonant() {
        assert_eq!(attach("파일", "을/를"), "파일을");
        assert_eq!(attach("코드", "을/를"), "코드를");
        assert_eq!(attach("서울", "(으)로"), "서울로");
        assert_eq!(attach("부산", "(으)로"), "부산으로");
        assert_eq!(attach("사과", "과/와"), "사과와");
        assert_eq!(attach("책", "와/과"), "책과");
        assert_eq!(attach("작업", "은/는"), "작업은");
        assert_eq!(attach("패치", "이/가"), "패치가");
    }

    #[test]
    fn numbers_by_their_korean_reading() {
        for (n, want) in [
            ("0", "을"),
            ("1", "을"),
            ("2", "를"),
            ("3", "을"),
            ("4", "를"),
            ("5", "를"),
            ("6", "을"),
            ("7", "을"),
            ("8", "을"),
            ("9", "를"),
            ("10", "을"),
            ("20", "을"),
            ("100", "을"),
            ("1000", "을"),
            ("10000", "을"),
            ("1,000", "을"),
            ("1000000000000", "를"), // 일조
            ("12", "를"),
            ("3.14", "를"),
            ("2.0", "을"),
            ("0001", "을"),
        ] {
            assert_eq!(particle(n, "을/를"), want, "{n}");
        }
        assert_eq!(attach("1", "(으)로"), "1로");
        assert_eq!(attach("3", "(으)로"), "3으로");
        assert_eq!(attach("2", "(으)로"), "2로");
        assert_eq!(attach("10", "(으)로"), "10으로");
    }

    #[test]
    fn latin_letters_by_their_korean_names() {
        for (w, want) in [
            ("L", "이"),
            ("M", "이"),
            ("N", "이"),
            ("R", "이"),
            ("S", "가"),
            ("A", "가"),
            ("API", "가"),
            ("URL", "이"),
            ("PR", "이"),
            ("iOS", "가"),
        ] {
            assert_eq!(particle(w, "이/가"), want, "{w}");
        }
        assert_eq!(attach("L", "(으)로"), "L로");
        assert_eq!(attach("M", "(으)로"), "M으로");
    }

    #[test]
    fn english_words_by_loanword_rules() {
        for (w, want) in [
            ("git", "을"),
            ("file", "을"),
            ("server", "를"),
            ("token", "을"),
            ("string", "을"),
            ("test", "를"),
            ("root", "를"),
            ("app", "을"),
            ("commit", "을"),
            ("stack", "을"),
            ("code", "를"),
            ("name", "을"),
            ("linux", "를"),
            ("ollama", "를"),
            ("OllamaServer", "를"),
            ("src/config.rs", "를"),
            ("qwen2.5-coder:7b", "를"),
        ] {
            assert_eq!(particle(w, "을/를"), want, "{w}");
        }
    }

    #[test]
    fn markup_and_punctuation_are_skipped_and_the_unreadable_gets_both_forms() {
        assert_eq!(particle("<code>T20261125-0002</code>", "을/를"), "를");
        assert_eq!(particle("\"파일\"", "을/를"), "을");
        assert_eq!(particle("R&amp;", "을/를"), "을", "R, not the entity");
        assert_eq!(particle("AT&T", "을/를"), "를");
        assert_eq!(particle("(3)", "이/가"), "이");
        assert_eq!(particle("🚀", "을/를"), "을(를)");
        assert_eq!(particle("漢字", "(으)로"), "(으)로");
        assert_eq!(particle("", "은/는"), "은(는)");
        assert_eq!(
            particle("x", "요/오"),
            "요/오",
            "an unknown pair is left as written"
        );
        assert_eq!(particle("모델", "를/을"), "을", "either order");
        assert_eq!(particle("모델", "(이)나"), "이나");
    }
}
