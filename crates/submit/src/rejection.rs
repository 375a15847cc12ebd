//! Stable rejection codes.

use std::fmt;

use i18n::{Lang, Msg};
use serde::Serialize;

/// Why input was refused. The string forms (`WORK_TEXT_TOO_SHORT`, …) are stable: scripts and the Telegram bot
/// match on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum Code {
    /// The request text is missing.
    WorkMissing,
    /// The request text is too short to act on.
    WorkTextTooShort,
    /// No intent given.
    IntentMissing,
    /// The intent is not one of the known kinds.
    IntentUnknown,
    /// No target paths given.
    TargetMissing,
    /// A target is an absolute path.
    TargetAbsolute,
    /// A target contains `..`.
    TargetEscapes,
    /// A target leads outside the repository through a symlink.
    TargetOutsideRepo,
    /// A target is inside a path autodev never changes (`.git/`, the queue, the policy folder).
    TargetProtected,
    /// A target is empty, has control characters or backslashes.
    TargetInvalid,
    /// More targets than allowed.
    TargetsTooMany,
    /// The title has line breaks or control characters.
    TitleInvalid,
    /// A check command is empty or too long.
    ChecksInvalid,
    /// The repository path does not exist.
    RepoNotFound,
    /// The repository path is not a git work tree.
    RepoNotGit,
    /// The base revision does not resolve to a commit.
    BaseUnknown,
    /// The task file is larger than allowed.
    FileTooLarge,
    /// A field is longer than allowed.
    FieldTooLong,
    /// The task file is not valid UTF-8.
    InvalidUtf8,
    /// The task file is not valid JSON or not a JSON object.
    InvalidJson,
    /// The task file nests JSON deeper than allowed.
    JsonTooDeep,
    /// The task file has a field autodev does not know.
    UnknownField,
    /// A field has the wrong JSON type.
    InvalidFieldType,
    /// A field appears twice.
    DuplicateField,
}

impl Code {
    /// Every code, for documentation and exhaustive tests.
    pub const ALL: [Code; 24] = [
        Code::WorkMissing,
        Code::WorkTextTooShort,
        Code::IntentMissing,
        Code::IntentUnknown,
        Code::TargetMissing,
        Code::TargetAbsolute,
        Code::TargetEscapes,
        Code::TargetOutsideRepo,
        Code::TargetProtected,
        Code::TargetInvalid,
        Code::TargetsTooMany,
        Code::TitleInvalid,
        Code::ChecksInvalid,
        Code::RepoNotFound,
        Code::RepoNotGit,
        Code::BaseUnknown,
        Code::FileTooLarge,
        Code::FieldTooLong,
        Code::InvalidUtf8,
        Code::InvalidJson,
        Code::JsonTooDeep,
        Code::UnknownField,
        Code::InvalidFieldType,
        Code::DuplicateField,
    ];

    /// The stable string form.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::WorkMissing => "WORK_MISSING",
            Code::WorkTextTooShort => "WORK_TEXT_TOO_SHORT",
            Code::IntentMissing => "INTENT_MISSING",
            Code::IntentUnknown => "INTENT_UNKNOWN",
            Code::TargetMissing => "TARGET_MISSING",
            Code::TargetAbsolute => "TARGET_ABSOLUTE",
            Code::TargetEscapes => "TARGET_ESCAPES",
            Code::TargetOutsideRepo => "TARGET_OUTSIDE_REPO",
            Code::TargetProtected => "TARGET_PROTECTED",
            Code::TargetInvalid => "TARGET_INVALID",
            Code::TargetsTooMany => "TARGETS_TOO_MANY",
            Code::TitleInvalid => "TITLE_INVALID",
            Code::ChecksInvalid => "CHECKS_INVALID",
            Code::RepoNotFound => "REPO_NOT_FOUND",
            Code::RepoNotGit => "REPO_NOT_GIT",
            Code::BaseUnknown => "BASE_UNKNOWN",
            Code::FileTooLarge => "FILE_TOO_LARGE",
            Code::FieldTooLong => "FIELD_TOO_LONG",
            Code::InvalidUtf8 => "INVALID_UTF8",
            Code::InvalidJson => "INVALID_JSON",
            Code::JsonTooDeep => "JSON_TOO_DEEP",
            Code::UnknownField => "UNKNOWN_FIELD",
            Code::InvalidFieldType => "INVALID_FIELD_TYPE",
            Code::DuplicateField => "DUPLICATE_FIELD",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One refused piece of input: a stable code, the field concerned and a sentence saying what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejection {
    /// Stable code.
    pub code: Code,
    /// The field at fault (`work`, `targets[1]`, …), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// What is wrong and how to fix it, in English: what JSON output, logs and scripts see.
    pub message: String,
    /// The same sentence as a catalogue message, for [`Rejection::localized`].
    #[serde(skip)]
    text: Msg,
}

impl Rejection {
    pub(crate) fn new(code: Code, field: impl Into<Option<String>>, text: Msg) -> Self {
        Self {
            code,
            field: field.into(),
            message: text.render(Lang::En),
            text,
        }
    }

    /// The sentence in `lang` (the code stays as it is).
    pub fn localized(&self, lang: Lang) -> String {
        self.text.render(lang)
    }

    /// `CODE (field): sentence` with the sentence in `lang`.
    pub fn line(&self, lang: Lang) -> String {
        match &self.field {
            Some(field) => format!("{} ({field}): {}", self.code, self.localized(lang)),
            None => format!("{}: {}", self.code, self.localized(lang)),
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{} ({field}): {}", self.code, self.message),
            None => write!(f, "{}: {}", self.code, self.message),
        }
    }
}
