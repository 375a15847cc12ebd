//! Tokens, and scrubbing them out of text that came from git or a forge before it goes into an error or event.

/// A forge token. `Debug` never shows it.
#[derive(Clone)]
pub(crate) struct Token(String);

impl Token {
    pub(crate) fn new(value: String) -> Token {
        Token(value)
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(***)")
    }
}

/// Strings that must never be shown (the token and its encodings), plus URL credentials.
#[derive(Default, Clone)]
pub(crate) struct Secrets(Vec<String>);

impl Secrets {
    /// Adds a string to remove (ignored when too short to be a secret: scrubbing `a` would mangle every text).
    pub(crate) fn add(&mut self, s: impl Into<String>) {
        let s = s.into();
        if s.len() >= 4 && !self.0.contains(&s) {
            self.0.push(s);
        }
    }

    /// `text` with every secret replaced by `***` and `user:password@` removed from URLs.
    pub(crate) fn scrub(&self, text: &str) -> String {
        let mut out = redact_userinfo(text);
        for s in &self.0 {
            out = out.replace(s.as_str(), "***");
        }
        out
    }
}

/// Removes `user[:password]@` after every `scheme://` in `text` (a remote URL with credentials in it).
pub(crate) fn redact_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let end = tail
            .find(|c: char| c == '/' || c.is_whitespace() || c == '\'' || c == '"')
            .unwrap_or(tail.len());
        match tail[..end].rfind('@') {
            Some(at) => {
                out.push_str("***@");
                rest = &tail[at + 1..];
            }
            None => rest = tail,
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_removes_tokens_and_url_credentials() {
        let mut s = Secrets::default();
        s.add("ghp_secret123");
        s.add("x");
        assert_eq!(
            s.scrub("fatal: https://me:ghp_secret123@github.com/o/r.git: ghp_secret123 bad; x"),
            "fatal: https://***@github.com/o/r.git: *** bad; x"
        );
        assert_eq!(
            redact_userinfo("git@github.com:o/r.git and ssh://git@h/o/r"),
            "git@github.com:o/r.git and ssh://***@h/o/r"
        );
        assert_eq!(format!("{:?}", Token::new("abc".into())), "Token(***)");
    }
}
