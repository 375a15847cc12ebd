//! The model OpenClaw's agent uses, read from `~/.openclaw/openclaw.json` (JSON5: comments, trailing commas,
//! unquoted keys and single-quoted strings allowed), for the drift check.
//!
//! OpenClaw names models `<provider>/<model>`: `agents.defaults.model.primary: "ollama/qwen2.5-coder:7b"`
//! (or `model: "ollama/…"` as a plain string). Only the `ollama/` provider can drift from autodev's
//! `OLLAMA_MODEL`.

/// What OpenClaw's config says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenClawModel {
    /// The provider (`ollama`, `anthropic`, …).
    pub provider: String,
    /// The model name without the provider.
    pub model: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Str(String),
    Ident(String),
    Punct(char),
}

/// Splits JSON5 text into strings, bare words and punctuation, dropping comments and whitespace.
fn tokens(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '/' if chars.get(i + 1) == Some(&'/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if chars.get(i + 1) == Some(&'*') => {
                i += 2;
                while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                    i += 1;
                }
                i += 2;
            }
            '"' | '\'' => {
                let quote = c;
                let mut s = String::new();
                i += 1;
                while i < chars.len() && chars[i] != quote {
                    if chars[i] == '\\' && i + 1 < chars.len() {
                        i += 1;
                    }
                    s.push(chars[i]);
                    i += 1;
                }
                i += 1;
                out.push(Token::Str(s));
            }
            c if c.is_whitespace() => i += 1,
            '{' | '}' | '[' | ']' | ':' | ',' => {
                out.push(Token::Punct(c));
                i += 1;
            }
            _ => {
                let mut s = String::new();
                while i < chars.len()
                    && !chars[i].is_whitespace()
                    && !"{}[]:,\"'".contains(chars[i])
                {
                    s.push(chars[i]);
                    i += 1;
                }
                out.push(Token::Ident(s));
            }
        }
    }
    out
}

/// The string value of the first `key: "value"` pair.
fn string_value(tokens: &[Token], key: &str) -> Option<String> {
    tokens.windows(3).find_map(|w| match w {
        [
            Token::Str(k) | Token::Ident(k),
            Token::Punct(':'),
            Token::Str(v),
        ] if k == key => Some(v.clone()),
        _ => None,
    })
}

/// The agent's default model: `primary`, else a `model` string of the form `provider/model`.
pub fn agent_model(text: &str) -> Option<OpenClawModel> {
    let t = tokens(text);
    let value = string_value(&t, "primary")
        .or_else(|| string_value(&t, "model").filter(|v| v.contains('/')))?;
    let (provider, model) = value.split_once('/')?;
    Some(OpenClawModel {
        provider: provider.to_string(),
        model: model.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_primary_model_from_json5() {
        let text = r#"{
  // my setup
  models: { providers: { ollama: { baseUrl: "http://127.0.0.1:11434", models: [{ id: 'qwen3:32b', }], }, }, },
  /* agents */
  agents: { defaults: { model: { primary: 'ollama/qwen3:32b', fallbacks: ["anthropic/x"] } } },
}"#;
        assert_eq!(
            agent_model(text),
            Some(OpenClawModel {
                provider: "ollama".into(),
                model: "qwen3:32b".into()
            })
        );
    }

    #[test]
    fn plain_json_and_string_shorthand() {
        let text = r#"{"agents":{"defaults":{"model":"ollama/qwen2.5-coder:7b"}}}"#;
        assert_eq!(
            agent_model(text).map(|m| m.model),
            Some("qwen2.5-coder:7b".into())
        );
        assert_eq!(agent_model("{}"), None);
        assert_eq!(agent_model("not json at all {"), None);
    }

    #[test]
    fn comment_markers_inside_strings_are_text() {
        let text = r#"{ baseUrl: "http://host:11434", agents: { defaults: { model: { primary: "ollama/a//b" } } } }"#;
        assert_eq!(agent_model(text).map(|m| m.model), Some("a//b".into()));
    }
}
