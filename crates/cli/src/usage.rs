//! Parsing the command line, and its usage errors in the reader's language. English is clap's own output,
//! untouched. In Korean a usage error (`unexpected argument '--bogus' found`) is said again from its
//! [`ErrorKind`] and context (the argument, the value, clap's suggestions, the usage line) with catalogue
//! sentences; its exit code stays clap's (2). Help and version are printed as clap prints them, from the
//! command [`crate::help::command`] built in the reader's language.

use std::ffi::OsString;

use clap::FromArgMatches;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use i18n::{Lang, t};

use crate::cli::Cli;

/// Parses `args` (the program name first) with help in `lang`. On a usage error, `--help` or `--version`, the
/// text has been printed and the exit code is returned.
pub fn parse<I, T>(args: I, lang: Lang) -> Result<Cli, u8>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let mut cmd = crate::help::command(lang);
    // As `Parser::parse` does: the parser's errors come formatted, the derive's are formatted here.
    let parsed = cmd.try_get_matches_from_mut(args).and_then(|mut m| {
        Cli::from_arg_matches_mut(&mut m).map_err(|e| e.format(&mut crate::help::command(lang)))
    });
    parsed.map_err(|e| {
        match render(&e, lang) {
            Some(text) => eprint!("{text}"),
            None => {
                let _ = e.print();
            }
        }
        u8::try_from(e.exit_code()).unwrap_or(2)
    })
}

/// `err` in `lang`; `None` where clap's own text is the answer: in English, and for help and version (already
/// in the reader's language) and the kinds that carry no usage mistake.
pub fn render(err: &clap::Error, lang: Lang) -> Option<String> {
    if lang == Lang::En {
        return None;
    }
    let message = message(err, lang)?;
    let mut out = t!(lang, "cli-error", message = &message);
    let tips = tips(err, lang);
    if !tips.is_empty() {
        out.push('\n');
        for tip in tips {
            out.push('\n');
            out.push_str(&format!("  {}", t!(lang, "cli-usage-tip", tip = &tip)));
        }
    }
    let usage = usage(err, lang);
    if let Some((usage, _)) = &usage {
        out.push_str("\n\n");
        out.push_str(usage);
    }
    out.push_str("\n\n");
    out.push_str(&match usage {
        Some((_, command)) => t!(lang, "cli-usage-more", command = &command),
        // Without a usage line (a value that does not parse) clap does not say which command: `--help` of it.
        None => t!(lang, "cli-usage-more-here"),
    });
    out.push('\n');
    Some(out)
}

fn string(err: &clap::Error, kind: ContextKind) -> Option<&str> {
    match err.get(kind)? {
        ContextValue::String(s) => Some(s),
        _ => None,
    }
}

fn strings(err: &clap::Error, kind: ContextKind) -> Vec<String> {
    match err.get(kind) {
        Some(ContextValue::Strings(v)) => v.clone(),
        Some(ContextValue::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

fn number(err: &clap::Error, kind: ContextKind) -> Option<isize> {
    match err.get(kind)? {
        ContextValue::Number(n) => Some(*n),
        _ => None,
    }
}

/// The sentence after `오류:`, from the error's kind and context.
fn message(err: &clap::Error, lang: Lang) -> Option<String> {
    let arg = string(err, ContextKind::InvalidArg);
    let value = string(err, ContextKind::InvalidValue);
    let list = |label: &str, values: Vec<String>| {
        if values.is_empty() {
            String::new()
        } else {
            let values = values.join(", ");
            format!(
                "\n  [{}]",
                t!(lang, "cli-usage-list", label = label, values = &values)
            )
        }
    };
    Some(match err.kind() {
        ErrorKind::UnknownArgument => t!(lang, "cli-usage-unknown-argument", arg = arg?),
        ErrorKind::InvalidSubcommand => {
            let name = string(err, ContextKind::InvalidSubcommand)?;
            t!(lang, "cli-usage-unknown-subcommand", name = name)
        }
        ErrorKind::InvalidValue if value == Some("") => {
            t!(lang, "cli-usage-value-missing", arg = arg?)
        }
        ErrorKind::InvalidValue => {
            let said = t!(
                lang,
                "cli-usage-value-not-allowed",
                arg = arg?,
                value = value?
            );
            let valid = strings(err, ContextKind::ValidValue);
            said + &list(&t!(lang, "cli-usage-possible-values"), valid)
        }
        ErrorKind::ValueValidation => {
            let (arg, value) = (arg?, value?);
            let reason = reason(err, value, lang);
            t!(
                lang,
                "cli-usage-value-invalid",
                arg = arg,
                value = value,
                reason = &reason
            )
        }
        ErrorKind::MissingRequiredArgument => {
            let missing = strings(err, ContextKind::InvalidArg);
            if missing.is_empty() {
                return None;
            }
            let lines: String = missing.iter().map(|m| format!("\n  {m}")).collect();
            t!(lang, "cli-usage-missing-arguments") + &lines
        }
        ErrorKind::MissingSubcommand => {
            let name = string(err, ContextKind::InvalidSubcommand)?;
            let valid = strings(err, ContextKind::ValidSubcommand);
            t!(lang, "cli-usage-missing-subcommand", name = name)
                + &list(&t!(lang, "cli-usage-subcommands"), valid)
        }
        ErrorKind::ArgumentConflict => conflict(err, lang)?,
        ErrorKind::NoEquals => t!(lang, "cli-usage-no-equals", arg = arg?),
        ErrorKind::TooManyValues => {
            t!(
                lang,
                "cli-usage-too-many-values",
                arg = arg?,
                value = value?
            )
        }
        ErrorKind::TooFewValues => {
            let actual = number(err, ContextKind::ActualNumValues)?;
            let min = number(err, ContextKind::MinValues)?;
            t!(
                lang,
                "cli-usage-too-few-values",
                arg = arg?,
                expected = &min,
                actual = &actual
            )
        }
        ErrorKind::WrongNumberOfValues => {
            let actual = number(err, ContextKind::ActualNumValues)?;
            let expected = number(err, ContextKind::ExpectedNumValues)?;
            t!(
                lang,
                "cli-usage-wrong-number-of-values",
                arg = arg?,
                expected = &expected,
                actual = &actual
            )
        }
        ErrorKind::InvalidUtf8 => t!(lang, "cli-usage-invalid-utf8"),
        _ => return None,
    })
}

/// `--a` cannot be used with `--b` (or twice).
fn conflict(err: &clap::Error, lang: Lang) -> Option<String> {
    let arg = string(err, ContextKind::InvalidArg)
        .or_else(|| string(err, ContextKind::InvalidSubcommand))?;
    let prior = strings(err, ContextKind::PriorArg);
    Some(match prior.as_slice() {
        [one] if one == arg => t!(lang, "cli-usage-used-twice", arg = arg),
        [] => t!(lang, "cli-usage-conflict-other", arg = arg),
        [one] => t!(lang, "cli-usage-conflict", arg = arg, other = one),
        many => {
            let lines: String = many.iter().map(|m| format!("\n  {m}")).collect();
            t!(lang, "cli-usage-conflict-many", arg = arg) + &lines
        }
    })
}

/// Why a value did not parse: the value parsers autodev's arguments use, in `lang`; anything else as it says
/// it.
fn reason(err: &clap::Error, value: &str, lang: Lang) -> String {
    use std::error::Error as _;
    let Some(source) = err.source() else {
        return String::new();
    };
    if source
        .downcast_ref::<queue_core::id::ParseTaskIdError>()
        .is_some()
    {
        return t!(lang, "cli-usage-reason-task-id");
    }
    if let Some(e) = source.downcast_ref::<std::num::ParseIntError>() {
        use std::num::IntErrorKind;
        return match e.kind() {
            IntErrorKind::Empty => t!(lang, "cli-usage-reason-empty"),
            IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => {
                t!(lang, "cli-usage-reason-too-large")
            }
            _ => t!(lang, "cli-usage-reason-not-a-number"),
        };
    }
    if source.downcast_ref::<std::net::AddrParseError>().is_some() {
        return t!(lang, "cli-usage-reason-address");
    }
    // A ranged integer: "<value> is not in <a>..=<b>".
    let said = source.to_string();
    if let Some(range) = said
        .strip_prefix(value)
        .and_then(|r| r.strip_prefix(" is not in "))
    {
        return t!(lang, "cli-usage-reason-range", value = value, range = range);
    }
    said
}

/// clap's suggestions (`a similar argument exists`, `to pass '-x' as a value, use '-- -x'`), in `lang`.
fn tips(err: &clap::Error, lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    let quoted = |v: Vec<String>| {
        v.iter()
            .map(|s| format!("'{s}'"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let subs = strings(err, ContextKind::SuggestedSubcommand);
    if !subs.is_empty() {
        out.push(t!(
            lang,
            "cli-usage-similar-subcommand",
            names = &quoted(subs)
        ));
    }
    let args = strings(err, ContextKind::SuggestedArg);
    if !args.is_empty() {
        out.push(t!(
            lang,
            "cli-usage-similar-argument",
            names = &quoted(args)
        ));
    }
    let values = strings(err, ContextKind::SuggestedValue);
    if !values.is_empty() {
        out.push(t!(lang, "cli-usage-similar-value", names = &quoted(values)));
    }
    if let Some(ContextValue::StyledStrs(said)) = err.get(ContextKind::Suggested) {
        for s in said {
            out.push(suggestion(&s.to_string(), lang));
        }
    }
    out
}

/// One of clap's free-text suggestions, recognised by its shape; one autodev does not know stays as clap says
/// it.
fn suggestion(said: &str, lang: Lang) -> String {
    // to pass '-x' as a value, use '-- -x'
    if let Some(rest) = said.strip_prefix("to pass '")
        && let Some((arg, rest)) = rest.split_once("' as a value, use '")
        && let Some(instead) = rest.strip_suffix('\'')
    {
        return t!(lang, "cli-usage-tip-as-value", arg = arg, instead = instead);
    }
    // subcommand 'x' exists; to use it, remove the '--' before it
    if let Some(rest) = said.strip_prefix("subcommand '")
        && let Some(name) = rest.strip_suffix("' exists; to use it, remove the '--' before it")
    {
        return t!(lang, "cli-usage-tip-remove-dashes", name = name);
    }
    // 'sub --flag' exists
    if let Some(rest) = said.strip_prefix('\'')
        && let Some(what) = rest.strip_suffix("' exists")
    {
        return t!(lang, "cli-usage-tip-exists", what = what);
    }
    said.to_owned()
}

/// The usage line(s) with the heading in `lang`, and the command they are about (`autodev submit`).
fn usage(err: &clap::Error, lang: Lang) -> Option<(String, String)> {
    let Some(ContextValue::StyledStr(usage)) = err.get(ContextKind::Usage) else {
        return None;
    };
    let usage = usage.to_string();
    let body = usage.strip_prefix("Usage: ")?;
    let heading = format!("{}: ", i18n::help(lang, "help-label-usage")?);
    let indent = " ".repeat(crate::commands::columns(&heading));
    let lines: Vec<&str> = body.lines().map(str::trim_start).collect();
    let command = lines
        .first()?
        .split_whitespace()
        .take_while(|w| !w.starts_with(['[', '<', '-']))
        .collect::<Vec<_>>()
        .join(" ");
    Some((
        format!("{heading}{}", lines.join(&format!("\n{indent}"))),
        command,
    ))
}

#[cfg(test)]
mod tests;
