//! Chat commands and the compact `/work` syntax.
//!
//! ```text
//! /work fix src/config.rs: parse_port accepts 0, reject it
//! /work feat src/a.rs,src/b.rs: add a --verbose flag that prints every step
//! /work intent=fix target=src/a.rs,src/b.rs parse_port accepts 0, reject it
//! ```
//!
//! Colon form: before the first `: ` come the intent and the targets (separated by commas or spaces); after it,
//! the request. Key form: leading `intent=`, `target=`/`targets=` and `title=` words (`title=` takes the rest
//! of its word, `_` for spaces), then the request. `/lang ko` or `/lang en` sets the chat's language.

use i18n::{Lang, t};
use queue_core::{TaskId, TaskSpec};

/// A parsed chat command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `/work …`: queue a request.
    Work(String),
    /// `/status [ID]`.
    Status(Option<String>),
    /// `/stop`: pause workers.
    Stop,
    /// `/resume`.
    Resume,
    /// `/approve ID`.
    Approve(String),
    /// `/reject ID [reason]`.
    Reject(String, String),
    /// `/publish ID`: ask `autodev deliver` to push the approved patch and open its pull request.
    Publish(String),
    /// `/lang [ko|en]`: show or set this chat's language.
    Lang(String),
    /// `/help` or `/start`.
    Help,
    /// Anything else starting with `/`.
    Unknown(String),
}

/// Parses a message text; `None` when it is not a command.
pub fn parse(text: &str) -> Option<Command> {
    let text = text.trim();
    let rest = text.strip_prefix('/')?;
    let (head, args) = match rest.find(char::is_whitespace) {
        Some(i) => (&rest[..i], rest[i..].trim()),
        None => (rest, ""),
    };
    // `/work@my_bot` in groups.
    let name = head.split('@').next().unwrap_or(head).to_ascii_lowercase();
    let first_word = || args.split_whitespace().next().unwrap_or("").to_owned();
    Some(match name.as_str() {
        "work" => Command::Work(args.to_owned()),
        "status" => Command::Status(Some(first_word()).filter(|s| !s.is_empty())),
        "stop" | "pause" => Command::Stop,
        "resume" => Command::Resume,
        "approve" => Command::Approve(first_word()),
        "publish" => Command::Publish(first_word()),
        "reject" => {
            let id = first_word();
            let reason = args[id.len()..].trim().to_owned();
            Command::Reject(id, reason)
        }
        "lang" | "language" => Command::Lang(first_word()),
        "help" | "start" => Command::Help,
        _ => Command::Unknown(head.to_owned()),
    })
}

/// Turns `/work` arguments into a task file's fields (validation happens in `submit`).
pub fn parse_work(args: &str) -> TaskSpec {
    let args = args.trim();
    let mut spec = TaskSpec::default();
    let first = args.split_whitespace().next().unwrap_or("");
    if ["intent=", "target=", "targets=", "title="]
        .iter()
        .any(|k| first.starts_with(k))
    {
        let mut rest = args;
        loop {
            let word = rest.split_whitespace().next().unwrap_or("");
            let Some((key, value)) = word.split_once('=') else {
                break;
            };
            match key {
                "intent" => spec.intent = Some(value.to_owned()),
                "target" | "targets" => spec
                    .targets
                    .get_or_insert_with(Vec::new)
                    .extend(split_targets(value)),
                "title" => spec.title = Some(value.replace('_', " ")),
                _ => break,
            }
            rest = rest.trim_start()[word.len()..].trim_start();
        }
        spec.work = Some(rest.to_owned()).filter(|w| !w.is_empty());
        return spec;
    }
    // Colon form: the header ends at the first ':' followed by whitespace or the end.
    let split = args
        .char_indices()
        .find(|&(i, c)| c == ':' && args[i + 1..].chars().next().is_none_or(char::is_whitespace))
        .map(|(i, _)| i);
    let Some(i) = split else {
        spec.work = Some(args.to_owned()).filter(|w| !w.is_empty());
        return spec;
    };
    let header = &args[..i];
    spec.work = Some(args[i + 1..].trim().to_owned()).filter(|w| !w.is_empty());
    let mut words = header.split_whitespace().peekable();
    // The intent comes first unless the first word looks like a path.
    if let Some(w) = words.peek()
        && !w.contains('/')
        && !w.contains('.')
        && !w.contains(',')
    {
        spec.intent = Some((*w).to_owned());
        words.next();
    }
    let targets: Vec<String> = words.flat_map(split_targets).collect();
    if !targets.is_empty() {
        spec.targets = Some(targets);
    }
    spec
}

fn split_targets(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Button payloads: `a:<id>` approves, `r:<id>` rejects: ASCII, at most 17 bytes (Telegram allows 1–64 bytes;
/// ASCII keeps bytes and characters the same, whatever the chat's language).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Button {
    /// Approve.
    Approve(TaskId),
    /// Reject.
    Reject(TaskId),
}

impl Button {
    /// The `callback_data`.
    pub fn data(self) -> String {
        match self {
            Button::Approve(id) => format!("a:{id}"),
            Button::Reject(id) => format!("r:{id}"),
        }
    }

    /// Parses a `callback_data`.
    pub fn parse(data: &str) -> Option<Button> {
        let (kind, id) = data.split_once(':')?;
        let id: TaskId = id.parse().ok()?;
        match kind {
            "a" => Some(Button::Approve(id)),
            "r" => Some(Button::Reject(id)),
            _ => None,
        }
    }
}

/// How to write `/work`, shown in `/help` and after a rejected request (plain; escape before sending as HTML).
pub fn work_syntax(lang: Lang) -> String {
    t!(lang, "bot-work-syntax")
}

/// The `/help` text (plain; escape before sending as HTML).
pub fn help(lang: Lang) -> String {
    t!(lang, "bot-help", syntax = &work_syntax(lang))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse_with_bot_suffix_and_arguments() {
        assert_eq!(parse("hello"), None);
        assert_eq!(parse("/help"), Some(Command::Help));
        assert_eq!(parse("/status@autodev_bot"), Some(Command::Status(None)));
        assert_eq!(
            parse("/status T20261125-0001"),
            Some(Command::Status(Some("T20261125-0001".into())))
        );
        assert_eq!(
            parse("/reject T20261125-0001 wrong file, try again"),
            Some(Command::Reject(
                "T20261125-0001".into(),
                "wrong file, try again".into()
            ))
        );
        assert_eq!(parse("/approve"), Some(Command::Approve(String::new())));
        assert_eq!(
            parse("/publish T20261125-0001"),
            Some(Command::Publish("T20261125-0001".into()))
        );
        assert_eq!(parse("/lang ko"), Some(Command::Lang("ko".into())));
        assert_eq!(
            parse("/lang@autodev_bot"),
            Some(Command::Lang(String::new()))
        );
        assert_eq!(
            parse("/frobnicate x"),
            Some(Command::Unknown("frobnicate".into()))
        );
    }

    #[test]
    fn work_colon_form() {
        let s = parse_work("fix src/config.rs: parse_port accepts 0, reject it");
        assert_eq!(s.intent.as_deref(), Some("fix"));
        assert_eq!(s.targets, Some(vec!["src/config.rs".to_string()]));
        assert_eq!(s.work.as_deref(), Some("parse_port accepts 0, reject it"));

        let s = parse_work("feat src/a.rs, src/b.rs: add a flag: --verbose prints steps");
        assert_eq!(s.targets, Some(vec!["src/a.rs".into(), "src/b.rs".into()]));
        assert_eq!(
            s.work.as_deref(),
            Some("add a flag: --verbose prints steps")
        );

        let s = parse_work("src/a.rs: no intent given here at all");
        assert_eq!(s.intent, None);
        assert_eq!(s.targets, Some(vec!["src/a.rs".into()]));

        let s = parse_work("just some words without a header");
        assert_eq!(s.intent, None);
        assert_eq!(s.targets, None);
        assert_eq!(s.work.as_deref(), Some("just some words without a header"));
        // A colon inside a word (a URL, a path:line) does not end the header.
        let s = parse_work("fix a.rs: see http://x/y and a.rs:12 please");
        assert_eq!(s.work.as_deref(), Some("see http://x/y and a.rs:12 please"));
    }

    #[test]
    fn work_key_form() {
        let s = parse_work(
            "intent=fix target=src/a.rs,src/b.rs title=Port_zero reject port 0 please now",
        );
        assert_eq!(s.intent.as_deref(), Some("fix"));
        assert_eq!(s.targets, Some(vec!["src/a.rs".into(), "src/b.rs".into()]));
        assert_eq!(s.title.as_deref(), Some("Port zero"));
        assert_eq!(s.work.as_deref(), Some("reject port 0 please now"));
    }

    #[test]
    fn buttons_round_trip_within_64_bytes() {
        let id: TaskId = "T20261125-0001".parse().unwrap();
        for b in [Button::Approve(id), Button::Reject(id)] {
            assert!(b.data().is_ascii() && !b.data().is_empty() && b.data().len() <= 64);
            assert_eq!(Button::parse(&b.data()), Some(b));
        }
        assert_eq!(Button::parse("x:T20261125-0001"), None);
        assert_eq!(Button::parse("a:nope"), None);
    }
}
