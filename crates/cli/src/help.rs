//! `--help` in the reader's language. English is the clap definitions' doc comments, untouched. In Korean the
//! built command tree is walked and every text `--help` shows comes from the `--help` catalogue
//! (`crates/i18n/locales/ko/help.ftl`, see [`i18n::help`]): each command's about, long about and after-help, each
//! argument's help and possible values, and clap's own words (`Usage:`, the section headings, `[default: …]`,
//! `-h`/`--help`, `-V`/`--version`, the `help` subcommand).
//!
//! A text's key is its command path and what it describes: `help-about` (the top), `help-submit-about`,
//! `help-submit-long-about`, `help-gate-install-hook-arg-force`, `help-submit-arg-targets` (the argument's id),
//! `help-gate-arg-hook-value-pre-push`; a global argument keeps the key of the command that defines it. A key the
//! catalogue lacks leaves the English text (the tests walk the tree so that none is missing).

use std::collections::BTreeMap;

use clap::builder::StyledStr;
use clap::{Arg, ArgAction, Command, CommandFactory};
use i18n::Lang;

use crate::cli::Cli;

/// The clap command of `autodev` with its `--help` in `lang`.
pub fn command(lang: Lang) -> Command {
    let cmd = Cli::command();
    match lang {
        Lang::En => cmd,
        Lang::Ko => localize(cmd, &mut |key, _| i18n::help(Lang::Ko, key)),
    }
}

/// Every key the Korean `--help` uses, with the English text it replaces (empty for clap's own words): what the
/// catalogue must hold.
pub fn keys() -> Vec<(String, String)> {
    let mut out = Vec::new();
    localize(Cli::command(), &mut |key, english| {
        out.push((key.to_owned(), english.to_owned()));
        None
    });
    out
}

/// Finds a translation for a key, given the English text it replaces.
type Lookup<'a> = dyn FnMut(&str, &str) -> Option<String> + 'a;

/// Builds `cmd` (so that clap's `--help`, `--version` and `help` exist and global arguments reach every
/// subcommand), then replaces its texts with what `lookup` finds.
fn localize(mut cmd: Command, lookup: &mut Lookup<'_>) -> Command {
    cmd.build();
    let labels = Labels::new(lookup);
    walk(cmd, "help", "help", &BTreeMap::new(), &labels, lookup)
}

/// clap's own words in the reader's language.
struct Labels {
    usage: String,
    commands: String,
    arguments: String,
    options: String,
    default: String,
    env: String,
    possible_values: String,
}

impl Labels {
    /// Each word from the catalogue (`help-label-usage`, …), else clap's English.
    fn new(lookup: &mut Lookup<'_>) -> Labels {
        let mut get = |what: &str, english: &str| {
            lookup(&format!("help-label-{what}"), "").unwrap_or_else(|| english.to_owned())
        };
        Labels {
            usage: get("usage", "Usage"),
            commands: get("commands", "Commands"),
            arguments: get("arguments", "Arguments"),
            options: get("options", "Options"),
            default: get("default", "default"),
            env: get("env", "env"),
            possible_values: get("possible-values", "possible values"),
        }
    }
}

/// One command: its texts under `prefix`, its arguments, its help template, then its subcommands, whose keys
/// start with `children` (clap's `help` subcommand holds copies of its parent's subcommands: they take the
/// originals' keys). `inherited` maps the ids of global arguments defined above to their keys.
fn walk(
    mut cmd: Command,
    prefix: &str,
    children: &str,
    inherited: &BTreeMap<String, String>,
    labels: &Labels,
    lookup: &mut Lookup<'_>,
) -> Command {
    let key = |suffix: &str| format!("{prefix}-{suffix}");
    if let Some(t) = translate(lookup, &key("about"), cmd.get_about()) {
        cmd = cmd.about(reflow(&t));
    }
    if let Some(t) = translate(lookup, &key("long-about"), cmd.get_long_about()) {
        cmd = cmd.long_about(reflow(&t));
    }
    if let Some(t) = translate(lookup, &key("before-help"), cmd.get_before_help()) {
        cmd = cmd.before_help(reflow(&t));
    }
    if let Some(t) = translate(lookup, &key("before-long-help"), cmd.get_before_long_help()) {
        cmd = cmd.before_long_help(reflow(&t));
    }
    // After-help is examples and lists: its lines are kept as written.
    if let Some(t) = translate(lookup, &key("after-help"), cmd.get_after_help()) {
        cmd = cmd.after_help(t);
    }
    if let Some(t) = translate(lookup, &key("after-long-help"), cmd.get_after_long_help()) {
        cmd = cmd.after_long_help(t);
    }

    let mut globals = inherited.clone();
    for arg in cmd.get_arguments() {
        let id = arg.get_id().as_str();
        if arg.is_global_set() && !inherited.contains_key(id) {
            globals.insert(id.to_owned(), arg_key(prefix, id));
        }
    }
    cmd = cmd.mut_args(|arg| {
        let key = match arg.get_action() {
            ArgAction::Help | ArgAction::HelpShort | ArgAction::HelpLong => {
                "help-flag-help".to_owned()
            }
            ArgAction::Version => "help-flag-version".to_owned(),
            _ => globals
                .get(arg.get_id().as_str())
                .cloned()
                .unwrap_or_else(|| arg_key(prefix, arg.get_id().as_str())),
        };
        localize_arg(arg, &key, labels, lookup)
    });
    let template = template(&cmd, labels);
    cmd = cmd.help_template(template);
    // A usage of several lines continues under the first, past the heading: wider in Korean than `Usage: `.
    let usage = cmd.render_usage().to_string();
    if let Some(body) = usage.strip_prefix("Usage: ")
        && body.contains('\n')
    {
        let indent = " ".repeat(crate::commands::columns(&labels.usage) + 2);
        let lines: Vec<&str> = body.lines().map(str::trim_start).collect();
        cmd = cmd.override_usage(lines.join(&format!("\n{indent}")));
    }
    cmd.mut_subcommands(|sub| {
        // clap's own `help` subcommand reads the same everywhere.
        if sub.get_name() == "help" {
            walk(sub, "help-command-help", children, &globals, labels, lookup)
        } else {
            let prefix = format!("{children}-{}", sub.get_name());
            walk(sub, &prefix, &prefix, &globals, labels, lookup)
        }
    })
}

/// The translation of `key`, when there is an English text to replace and the catalogue has one.
fn translate(lookup: &mut Lookup<'_>, key: &str, english: Option<&StyledStr>) -> Option<String> {
    lookup(key, &english?.to_string())
}

fn arg_key(prefix: &str, id: &str) -> String {
    format!("{prefix}-arg-{}", id.replace('_', "-"))
}

/// An argument's help, long help and possible values; its default, environment variable and possible values
/// written by us in the reader's words (clap would write `[default: …]`).
fn localize_arg(mut arg: Arg, key: &str, labels: &Labels, lookup: &mut Lookup<'_>) -> Arg {
    // `-h` says "see more with '--help'" where the command has a long help: another sentence, another key.
    let (help_key, long_key) = if key == "help-flag-help" && arg.get_long_help().is_some() {
        (
            "help-flag-help-short".to_owned(),
            "help-flag-help-long".to_owned(),
        )
    } else {
        (key.to_owned(), format!("{key}-long"))
    };
    // The translation, else the English text (a missing key is caught by the tests, not by the reader).
    let mut tr = |k: &str, english: Option<&StyledStr>| {
        let english = english?.to_string();
        Some(lookup(k, &english).map_or(english, |t| reflow(&t)))
    };
    let help = tr(&help_key, arg.get_help());
    let long = tr(&long_key, arg.get_long_help());
    let values: Vec<(String, Option<String>)> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| {
            let name = v.get_name().to_owned();
            let help = tr(&format!("{key}-value-{name}"), v.get_help());
            (name, help)
        })
        .collect();

    let mut specs = Vec::new();
    if let Some(env) = arg.get_env().filter(|_| !arg.is_hide_env_set()) {
        let name = env.to_string_lossy();
        let value = if arg.is_hide_env_values_set() {
            String::new()
        } else {
            let v = std::env::var_os(env).unwrap_or_default();
            format!("={}", v.to_string_lossy())
        };
        specs.push(format!("[{}: {name}{value}]", labels.env));
    }
    if arg.get_action().takes_values()
        && !arg.is_hide_default_value_set()
        && !arg.get_default_values().is_empty()
    {
        let values: Vec<String> = arg
            .get_default_values()
            .iter()
            .map(|v| quoted(&v.to_string_lossy()))
            .collect();
        specs.push(format!("[{}: {}]", labels.default, values.join(" ")));
    }
    let listed = !arg.is_hide_possible_values_set() && !values.is_empty();
    if listed {
        let names: Vec<String> = values.iter().map(|(n, _)| quoted(n)).collect();
        specs.push(format!(
            "[{}: {}]",
            labels.possible_values,
            names.join(", ")
        ));
    }
    arg = arg
        .hide_env(true)
        .hide_default_value(true)
        .hide_possible_values(true);

    let short = join(help.as_deref(), &specs.join(" "), " ");
    // The long form: each value with its help, then the specs on lines of their own (clap's layout).
    let mut long_text = long.clone().or_else(|| help.clone()).unwrap_or_default();
    let described = listed && values.iter().any(|(_, h)| h.is_some());
    if described {
        let list: Vec<String> = values
            .iter()
            .map(|(n, h)| match h {
                Some(h) => format!("- {n}: {h}"),
                None => format!("- {n}"),
            })
            .collect();
        let list = format!(
            "{}:\n{}",
            capitalised(&labels.possible_values),
            list.join("\n")
        );
        long_text = join(Some(&long_text), &list, "\n\n");
        specs.retain(|s| !s.starts_with(&format!("[{}:", labels.possible_values)));
    }
    let long_text = join(Some(&long_text), &specs.join("\n"), "\n\n");
    if !short.is_empty() {
        arg = arg.help(short);
    }
    if long.is_some() || described || !specs.is_empty() {
        arg = arg.long_help(long_text);
    }
    arg
}

fn join(first: Option<&str>, second: &str, sep: &str) -> String {
    match (first.filter(|f| !f.is_empty()), second.is_empty()) {
        (Some(f), true) => f.to_owned(),
        (Some(f), false) => format!("{f}{sep}{second}"),
        (None, _) => second.to_owned(),
    }
}

/// A value as clap shows it: quoted when empty or holding whitespace.
fn quoted(v: &str) -> String {
    if v.is_empty() || v.contains(char::is_whitespace) {
        format!("{v:?}")
    } else {
        v.to_owned()
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// clap's default layout with our headings: about, usage, then commands, arguments and options, each only when
/// there is something to list, then after-help.
fn template(cmd: &Command, labels: &Labels) -> String {
    let styles = cmd.get_styles();
    let (h, u) = (styles.get_header(), styles.get_usage());
    let mut sections = Vec::new();
    if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
        sections.push(format!("{h}{}:{h:#}\n{{subcommands}}", labels.commands));
    }
    if cmd.get_positionals().any(|a| !a.is_hide_set()) {
        sections.push(format!("{h}{}:{h:#}\n{{positionals}}", labels.arguments));
    }
    if cmd
        .get_arguments()
        .any(|a| !a.is_positional() && !a.is_hide_set())
    {
        sections.push(format!("{h}{}:{h:#}\n{{options}}", labels.options));
    }
    let mut t = format!(
        "{{before-help}}{{about-with-newline}}\n{u}{}:{u:#} {{usage}}",
        labels.usage
    );
    if !sections.is_empty() {
        t.push_str("\n\n");
        t.push_str(&sections.join("\n\n"));
    }
    t.push_str("{after-help}");
    t
}

/// Catalogue text as clap wants it: a line break inside a paragraph is a space (clap wraps to the terminal),
/// a blank line separates paragraphs, and a line starting with `- ` starts a list item.
fn reflow(text: &str) -> String {
    text.split("\n\n")
        .map(|para| {
            let mut out = String::new();
            for line in para.lines().map(str::trim).filter(|l| !l.is_empty()) {
                if !out.is_empty() {
                    out.push(if line.starts_with("- ") { '\n' } else { ' ' });
                }
                out.push_str(line);
            }
            out
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[cfg(test)]
mod tests;
