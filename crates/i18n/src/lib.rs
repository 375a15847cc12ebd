//! # i18n
//!
//! What autodev says to people, in English and Korean, from one Fluent catalogue (`locales/<lang>/*.ftl`, built
//! into the binary). Codes (`WORK_TEXT_TOO_SHORT`), JSON, event names and log fields are never translated: only
//! the sentences around them.
//!
//! - [`Lang`]: the language, from `AUTODEV_LANG` (`ko`, `en`), else the locale (`LC_ALL`, `LC_MESSAGES`,
//!   `LANG`: `ko_KR.UTF-8` is Korean), else English.
//! - [`t()`] and [`t!`](crate::t!): one message now; [`Msg`] and [`msg!`](crate::msg!): a message kept as key
//!   and arguments, rendered later in whichever language the reader wants.
//! - [`josa`]: Korean particles after inserted names and numbers, also in the catalogue as
//!   `{ JOSA($name, "을/를") }` (the name and its particle) and `{ PARTICLE($id, "을/를") }` (only the
//!   particle, for a name wrapped in markup).
//!
//! - [`help`]: the Korean text of `autodev --help` (`locales/ko/help.ftl`); English help is the clap definitions'
//!   own doc comments, so this second catalogue has no English half.
//!
//! Fluent's Unicode isolation marks (U+2068/U+2069 around every inserted value) are off: terminals and Telegram
//! show them as stray characters.
//!
//! ```
//! use i18n::{Lang, t};
//! assert_eq!(t!(Lang::En, "example-greeting", name = "git"), "Found git.");
//! assert_eq!(t!(Lang::Ko, "example-greeting", name = "git"), "git을 찾았습니다.");
//! assert_eq!(t!(Lang::Ko, "example-greeting", name = "서버"), "서버를 찾았습니다.");
//! ```

pub mod josa;

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// A language autodev speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// English (the default).
    #[default]
    En,
    /// Korean.
    Ko,
}

impl Lang {
    /// Every language, in catalogue order.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ko];

    /// `en` or `ko`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ko => "ko",
        }
    }

    /// `ko`, `KO`, `ko_KR.UTF-8`, `ko-KR` are Korean; `en…` English; anything else (`C`, `POSIX`, `fr_FR`)
    /// is none of them.
    pub fn parse(s: &str) -> Option<Lang> {
        let primary = s
            .trim()
            .split(['_', '-', '.', '@'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match primary.as_str() {
            "ko" | "kor" | "korean" => Some(Lang::Ko),
            "en" | "eng" | "english" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language of this process: see [`Lang::resolve`].
    pub fn from_env() -> Lang {
        Lang::resolve(|name| std::env::var(name).ok())
    }

    /// `AUTODEV_LANG` when it names a language; else the first non-empty of `LC_ALL`, `LC_MESSAGES`, `LANG`
    /// (as the C library reads them: `LC_ALL=C` means English even with `LANG=ko_KR.UTF-8`); else English.
    pub fn resolve(get: impl Fn(&str) -> Option<String>) -> Lang {
        if let Some(lang) = get("AUTODEV_LANG").as_deref().and_then(Lang::parse) {
            return lang;
        }
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|name| get(name))
            .find(|v| !v.trim().is_empty())
            .and_then(|v| Lang::parse(&v))
            .unwrap_or_default()
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Lang {
    type Err = UnknownLang;
    fn from_str(s: &str) -> Result<Lang, UnknownLang> {
        Lang::parse(s).ok_or_else(|| UnknownLang(s.to_owned()))
    }
}

/// A language name that is neither English nor Korean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownLang(pub String);

impl fmt::Display for UnknownLang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown language `{}`: use en or ko", self.0)
    }
}

impl std::error::Error for UnknownLang {}

/// A value inserted into a message. Numbers stay numbers, so English can say "1 file" and "2 files".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// Text (already escaped where the message is HTML).
    Str(String),
    /// A count or size.
    Num(i64),
    /// Another message, rendered in the same language (a phrase built from parts: "weights 4 GiB + KV cache …").
    Msg(Box<Msg>),
}

impl From<Msg> for Arg {
    fn from(m: Msg) -> Arg {
        Arg::Msg(Box::new(m))
    }
}

/// An optional phrase: nothing when absent.
impl From<Option<Msg>> for Arg {
    fn from(m: Option<Msg>) -> Arg {
        m.map_or_else(|| Arg::Str(String::new()), Arg::from)
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Str(s)
    }
}

impl From<Cow<'_, str>> for Arg {
    fn from(s: Cow<'_, str>) -> Arg {
        Arg::Str(s.into_owned())
    }
}

/// Any displayable value by reference (`&str`, `&String`, `&TaskId`, `&Path::display()`): its text.
impl<T: fmt::Display + ?Sized> From<&T> for Arg {
    fn from(v: &T) -> Arg {
        Arg::Str(v.to_string())
    }
}

macro_rules! num_arg {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Arg {
                Arg::Num(i64::try_from(n).unwrap_or(i64::MAX))
            }
        }
    )*};
}
num_arg!(u8, u16, u32, u64, usize, i8, i16, i32, i64);

/// A message kept as its key and arguments, rendered when the reader's language is known (a submit rejection
/// shown in the CLI's language, a doctor check).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    key: &'static str,
    args: Vec<(&'static str, Arg)>,
}

impl Msg {
    /// A message; prefer the [`msg!`] macro, which the catalogue test can read.
    pub fn new(key: &'static str, args: Vec<(&'static str, Arg)>) -> Msg {
        Msg { key, args }
    }

    /// The catalogue key.
    pub fn key(&self) -> &'static str {
        self.key
    }

    /// The arguments.
    pub fn args(&self) -> &[(&'static str, Arg)] {
        &self.args
    }

    /// The message in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        t(lang, self.key, &self.args)
    }
}

/// What the operating system said in `err`, in `lang`: English keeps the OS's own words (`Permission denied (os
/// error 13)`); Korean says the common kinds (not found, permission denied, disk full, …) in Korean with the same
/// `os error` number, and anything else as the OS says it.
pub fn io_error(err: &std::io::Error, lang: Lang) -> String {
    use std::io::ErrorKind as K;
    if lang == Lang::En {
        return err.to_string();
    }
    let what = match err.kind() {
        K::NotFound => t!(lang, "io-not-found"),
        K::PermissionDenied => t!(lang, "io-permission-denied"),
        K::AlreadyExists => t!(lang, "io-already-exists"),
        K::StorageFull => t!(lang, "io-storage-full"),
        K::ReadOnlyFilesystem => t!(lang, "io-read-only"),
        K::NotADirectory => t!(lang, "io-not-a-directory"),
        K::IsADirectory => t!(lang, "io-is-a-directory"),
        K::DirectoryNotEmpty => t!(lang, "io-directory-not-empty"),
        K::QuotaExceeded => t!(lang, "io-quota-exceeded"),
        K::BrokenPipe => t!(lang, "io-broken-pipe"),
        K::TimedOut => t!(lang, "io-timed-out"),
        K::ConnectionRefused => t!(lang, "io-connection-refused"),
        _ => return err.to_string(),
    };
    match err.raw_os_error() {
        Some(code) => t!(lang, "io-os-error", what = what, code = code),
        None => what,
    }
}

/// `t!(lang, "key", name = value, …)`: the message `key` in `lang`. Numbers by value, anything else that
/// displays by reference (`id = &task.id`).
#[macro_export]
macro_rules! t {
    ($lang:expr, $key:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::t::<&str>($lang, $key, &[$((stringify!($name), $crate::Arg::from($value))),*])
    };
}

/// `msg!("key", name = value, …)`: a [`Msg`] to render later.
#[macro_export]
macro_rules! msg {
    ($key:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::Msg::new($key, vec![$((stringify!($name), $crate::Arg::from($value))),*])
    };
}

/// The message `key` in `lang` with `args`. A key missing in `lang` falls back to English, then to the key
/// itself (the catalogue test keeps both from happening).
pub fn t<N: AsRef<str>>(lang: Lang, key: &str, args: &[(N, Arg)]) -> String {
    let mut fargs = FluentArgs::with_capacity(args.len());
    for (name, value) in args {
        let v = match value {
            Arg::Str(s) => FluentValue::from(s.as_str()),
            Arg::Num(n) => FluentValue::from(*n),
            Arg::Msg(m) => FluentValue::from(m.render(lang)),
        };
        fargs.set(name.as_ref().to_owned(), v);
    }
    [lang, Lang::En]
        .into_iter()
        .find_map(|l| format(bundle(l), key, &fargs))
        .unwrap_or_else(|| key.to_owned())
}

fn format(bundle: &Bundle, key: &str, args: &FluentArgs<'_>) -> Option<String> {
    let pattern = bundle.get_message(key)?.value()?;
    let mut errors = Vec::new();
    Some(
        bundle
            .format_pattern(pattern, Some(args), &mut errors)
            .into_owned(),
    )
}

type Bundle = FluentBundle<FluentResource>;

/// The catalogue files of each language, embedded at compile time.
pub mod sources {
    /// `(file name, Fluent source)` for English.
    pub const EN: &[(&str, &str)] = &[
        ("common.ftl", include_str!("../locales/en/common.ftl")),
        ("bot.ftl", include_str!("../locales/en/bot.ftl")),
        ("cli.ftl", include_str!("../locales/en/cli.ftl")),
        ("submit.ftl", include_str!("../locales/en/submit.ftl")),
        ("doctor.ftl", include_str!("../locales/en/doctor.ftl")),
        ("gate.ftl", include_str!("../locales/en/gate.ftl")),
        ("errors.ftl", include_str!("../locales/en/errors.ftl")),
        ("codes.ftl", include_str!("../locales/en/codes.ftl")),
    ];
    /// `(file name, Fluent source)` for Korean.
    pub const KO: &[(&str, &str)] = &[
        ("common.ftl", include_str!("../locales/ko/common.ftl")),
        ("bot.ftl", include_str!("../locales/ko/bot.ftl")),
        ("cli.ftl", include_str!("../locales/ko/cli.ftl")),
        ("submit.ftl", include_str!("../locales/ko/submit.ftl")),
        ("doctor.ftl", include_str!("../locales/ko/doctor.ftl")),
        ("gate.ftl", include_str!("../locales/ko/gate.ftl")),
        ("errors.ftl", include_str!("../locales/ko/errors.ftl")),
        ("codes.ftl", include_str!("../locales/ko/codes.ftl")),
    ];

    /// `(file name, Fluent source)` of the Korean `--help` text (see [`crate::help`]).
    pub const HELP_KO: &[(&str, &str)] = &[("help.ftl", include_str!("../locales/ko/help.ftl"))];

    /// The files of `lang`.
    pub fn of(lang: super::Lang) -> &'static [(&'static str, &'static str)] {
        match lang {
            super::Lang::En => EN,
            super::Lang::Ko => KO,
        }
    }
}

fn bundle(lang: Lang) -> &'static Bundle {
    static BUNDLES: OnceLock<[Bundle; 2]> = OnceLock::new();
    let all = BUNDLES.get_or_init(|| {
        [
            build(Lang::En, sources::of(Lang::En)),
            build(Lang::Ko, sources::of(Lang::Ko)),
        ]
    });
    &all[lang as usize]
}

/// The Korean `--help` text of `key` (`help-submit-about`, `help-submit-arg-targets`: the command path, then what
/// it describes), or `None`: always in English, whose help is the clap definitions' doc comments, and for a key
/// the catalogue lacks (the CLI's test walks every command and argument, so a released binary lacks none).
pub fn help(lang: Lang, key: &str) -> Option<String> {
    static HELP: OnceLock<Bundle> = OnceLock::new();
    if lang != Lang::Ko {
        return None;
    }
    let bundle = HELP.get_or_init(|| build(Lang::Ko, sources::HELP_KO));
    format(bundle, key, &FluentArgs::new())
}

/// One language's bundle. A file that does not parse keeps the messages that do (the catalogue test fails on
/// any error, so a released binary has none).
fn build(lang: Lang, files: &[(&str, &str)]) -> Bundle {
    let id = lang.code().parse().unwrap_or_default();
    let mut b = FluentBundle::new_concurrent(vec![id]);
    b.set_use_isolating(false);
    let _ = b.add_function("JOSA", |pos, _| {
        let (word, pair) = word_and_pair(pos);
        FluentValue::from(josa::attach(&word, &pair))
    });
    let _ = b.add_function("PARTICLE", |pos, _| {
        let (word, pair) = word_and_pair(pos);
        FluentValue::from(josa::particle(&word, &pair))
    });
    for (_, src) in files {
        let res = FluentResource::try_new((*src).to_owned()).unwrap_or_else(|(res, _)| res);
        b.add_resource_overriding(res);
    }
    b
}

fn word_and_pair(pos: &[FluentValue<'_>]) -> (String, String) {
    let text = |v: Option<&FluentValue<'_>>| match v {
        Some(FluentValue::String(s)) => s.to_string(),
        Some(FluentValue::Number(n)) => n.as_string().into_owned(),
        _ => String::new(),
    };
    (text(pos.first()), text(pos.get(1)))
}

/// Problems in the catalogue of `lang`: Fluent syntax errors and keys defined twice. Empty when all is well
/// (the catalogue test asserts it).
pub fn catalogue_errors(lang: Lang) -> Vec<String> {
    errors_in(lang, sources::of(lang))
}

/// Problems in the Korean `--help` catalogue, as [`catalogue_errors`] finds them.
pub fn help_errors() -> Vec<String> {
    errors_in(Lang::Ko, sources::HELP_KO)
}

fn errors_in(lang: Lang, files: &[(&str, &str)]) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (file, src) in files {
        let res = match FluentResource::try_new((*src).to_owned()) {
            Ok(r) => r,
            Err((r, errs)) => {
                out.extend(errs.iter().map(|e| format!("{lang}/{file}: {e:?}")));
                r
            }
        };
        for entry in res.entries() {
            if let fluent_syntax::ast::Entry::Message(m) = entry
                && !seen.insert(m.id.name.to_owned())
            {
                out.push(format!("{lang}/{file}: {} is defined twice", m.id.name));
            }
        }
    }
    out
}

/// Every message key of `lang`, sorted.
pub fn keys(lang: Lang) -> Vec<String> {
    keys_in(sources::of(lang))
}

/// Every key of the Korean `--help` catalogue, sorted.
pub fn help_keys() -> Vec<String> {
    keys_in(sources::HELP_KO)
}

fn keys_in(files: &[(&str, &str)]) -> Vec<String> {
    let mut keys: Vec<String> = files
        .iter()
        .filter_map(|(_, src)| FluentResource::try_new((*src).to_owned()).ok())
        .flat_map(|res| {
            res.entries()
                .filter_map(|e| match e {
                    fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
        .collect();
    keys.sort();
    keys
}

/// The variables (`$name`) message `key` of `lang` refers to, including inside selectors and function
/// calls; `None` when there is no such message.
pub fn variables(lang: Lang, key: &str) -> Option<Vec<String>> {
    use fluent_syntax::ast;
    fn pattern(p: &ast::Pattern<&str>, out: &mut Vec<String>) {
        for el in &p.elements {
            if let ast::PatternElement::Placeable { expression } = el {
                expr(expression, out);
            }
        }
    }
    fn expr(e: &ast::Expression<&str>, out: &mut Vec<String>) {
        match e {
            ast::Expression::Select { selector, variants } => {
                inline(selector, out);
                for v in variants {
                    pattern(&v.value, out);
                }
            }
            ast::Expression::Inline(i) => inline(i, out),
        }
    }
    fn inline(i: &ast::InlineExpression<&str>, out: &mut Vec<String>) {
        match i {
            ast::InlineExpression::VariableReference { id } => out.push(id.name.to_owned()),
            ast::InlineExpression::FunctionReference { arguments, .. } => {
                for a in &arguments.positional {
                    inline(a, out);
                }
                for n in &arguments.named {
                    inline(&n.value, out);
                }
            }
            ast::InlineExpression::Placeable { expression } => expr(expression, out),
            _ => {}
        }
    }
    for (_, src) in sources::of(lang) {
        let Ok(res) = FluentResource::try_new((*src).to_owned()) else {
            continue;
        };
        for entry in res.entries() {
            if let ast::Entry::Message(m) = entry
                && m.id.name == key
            {
                let mut out = Vec::new();
                if let Some(v) = &m.value {
                    pattern(v, &mut out);
                }
                out.sort();
                out.dedup();
                return Some(out);
            }
        }
    }
    None
}
