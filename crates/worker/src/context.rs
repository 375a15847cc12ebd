//! What the model sees: the target files at the base revision, the repository's file list, and the prompt.

use std::collections::BTreeMap;
use std::path::Path;

use queue_core::Task;

use crate::regions::Region;
use crate::whole::{EditFormat, Plan};

/// Default prompt template, used when the repository has no `.autodev_ssot/prompt.md` at the base revision.
pub const DEFAULT_PROMPT_MD: &str = r#"<!--
autodev prompt template (.autodev_ssot/prompt.md).
The worker fills the {{placeholders}} and sends the result as the user message, after a fixed system message
that describes the answer format (see docs/MODEL_CONTRACT.md). Placeholders:
{{title}} {{intent}} {{work}} {{targets}} {{files}} {{file_list}}
Text inside this comment is removed before sending.
-->
Task ({{intent}}): {{title}}

{{work}}

You may change only these paths: {{targets}}

Files in the repository:
{{file_list}}

Current contents of the files you may change:
{{files}}
"#;

/// The fixed system message: the answer contract.
pub const SYSTEM_PROMPT: &str = "You are a careful software engineer changing a git repository. \
Answer with ONE JSON object and nothing else, of the form \
{\"summary\": \"one line\", \"edits\": [{\"path\": \"file path\", \"search\": \"exact lines copied from the file\", \"replace\": \"the lines that replace them\"}]}. \
Rules: `search` must be copied exactly from the current file contents shown, with enough lines to be unique; \
to create a new file use an empty `search` and put the whole file in `replace`; \
change only the allowed paths; make the smallest correct change.";

/// Most repository paths listed in the prompt.
const MAX_LISTED: usize = 400;

/// The base revision's view of a task's repository.
#[derive(Debug, Clone, Default)]
pub struct BaseFiles {
    /// Target files that exist at the base: path → bytes.
    pub files: BTreeMap<String, Vec<u8>>,
    /// Every path in the base tree (for the prompt's file list), sorted.
    pub all_paths: Vec<String>,
    /// `.autodev_ssot/prompt.md` at the base, if present.
    pub prompt_template: Option<String>,
}

/// Why the base could not be read. Infrastructure: the task is failed with `BASE_UNREADABLE`.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {what} in {repo}: {detail}")]
pub struct ContextError {
    /// The repository.
    pub repo: String,
    /// What was being read.
    pub what: String,
    /// git's message.
    pub detail: String,
}

/// Reads the task's targets (files, or every file under a target folder) and the file list at the base commit.
/// A repository without commits reads as empty.
pub fn read_base(
    repo: &Path,
    base_commit: Option<&str>,
    targets: &[String],
) -> Result<BaseFiles, ContextError> {
    let e = |what: &str, d: git2::Error| ContextError {
        repo: repo.display().to_string(),
        what: what.to_string(),
        detail: d.message().to_string(),
    };
    let mut out = BaseFiles::default();
    let Some(commit) = base_commit else {
        return Ok(out);
    };
    let git = git2::Repository::open(repo).map_err(|d| e("the repository", d))?;
    let oid = git2::Oid::from_str(commit).map_err(|d| e("the base commit id", d))?;
    let tree = git
        .find_commit(oid)
        .and_then(|c| c.tree())
        .map_err(|d| e(&format!("base commit {commit}"), d))?;
    tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        if entry.kind() == Some(git2::ObjectType::Blob) {
            let path = format!("{dir}{}", entry.name().unwrap_or(""));
            let wanted = targets.iter().any(|t| {
                let t = t.trim_end_matches('/');
                path == t || path.strip_prefix(t).is_some_and(|r| r.starts_with('/'))
            });
            if (wanted || path == ".autodev_ssot/prompt.md")
                && let Ok(blob) = git.find_blob(entry.id())
            {
                if path == ".autodev_ssot/prompt.md" {
                    out.prompt_template =
                        Some(String::from_utf8_lossy(blob.content()).into_owned());
                }
                if wanted {
                    out.files.insert(path.clone(), blob.content().to_vec());
                }
            }
            out.all_paths.push(path);
        }
        git2::TreeWalkResult::Ok
    })
    .map_err(|d| e("the base tree", d))?;
    out.all_paths.sort();
    Ok(out)
}

/// Fills the template for `task`, showing the files the way `format` asks the answer to write them.
pub fn render_prompt(task: &Task, base: &BaseFiles, plan: &Plan) -> String {
    let format = plan.format;
    let template = base.prompt_template.as_deref().unwrap_or(DEFAULT_PROMPT_MD);
    let template = strip_html_comments(template);
    let mut listed: Vec<&str> = base
        .all_paths
        .iter()
        .take(MAX_LISTED)
        .map(String::as_str)
        .collect();
    if base.all_paths.len() > MAX_LISTED {
        listed.push("… (more files not shown)");
    }
    let file_list = if listed.is_empty() {
        "(empty repository)".to_string()
    } else {
        listed.join("\n")
    };
    let mut files = String::new();
    for t in &task.targets {
        let under: Vec<(&String, &Vec<u8>)> = base
            .files
            .iter()
            .filter(|(p, _)| {
                *p == t
                    || p.strip_prefix(t.trim_end_matches('/'))
                        .is_some_and(|r| r.starts_with('/'))
            })
            .collect();
        if under.is_empty() {
            files.push_str(
                match format {
                    EditFormat::SearchReplace => {
                        format!("--- {t} (does not exist yet; create it with an empty search)\n\n")
                    }
                    EditFormat::Whole | EditFormat::Definitions => {
                        format!("{t} (does not exist yet; write it in full)\n\n")
                    }
                }
                .as_str(),
            );
        }
        for (p, body) in under {
            let text = String::from_utf8_lossy(body);
            let newline = if body.ends_with(b"\n") { "" } else { "\n" };
            match format {
                EditFormat::SearchReplace => {
                    files.push_str(&format!("--- {p}\n{text}{newline}\n"));
                }
                EditFormat::Whole | EditFormat::Definitions => match plan.regions.get(p) {
                    None => {
                        let lang = crate::whole::fence_language(p);
                        let fence = crate::whole::fence_for(&text);
                        files.push_str(&format!("{p}\n{fence}{lang}\n{text}{newline}{fence}\n\n"));
                    }
                    Some(parts) => files.push_str(&render_parts(p, &text, parts)),
                },
            }
        }
    }
    template
        .replace("{{title}}", &task.title)
        .replace("{{intent}}", task.intent.as_str())
        .replace("{{work}}", &task.work)
        .replace("{{targets}}", &task.targets.join(", "))
        .replace("{{file_list}}", &file_list)
        .replace("{{files}}", files.trim_end())
        .trim()
        .to_string()
        + &stub_notes(task, base, format)
        + summary_language(&task.work, format)
}

/// For each function of a target file that the request names and that has only a placeholder for a body: a
/// sentence saying so (see [`crate::stubs`]).
fn stub_notes(task: &Task, base: &BaseFiles, format: EditFormat) -> String {
    let request = format!("{}\n{}", task.title, task.work);
    let mut out = String::new();
    for (path, body) in &base.files {
        let Some(lang) = crate::defs::Lang::of(path) else {
            continue;
        };
        let text = String::from_utf8_lossy(body);
        let stubs = crate::stubs::find(lang, &text);
        for stub in crate::stubs::named_in(&stubs, &request) {
            let (name, placeholder) = (&stub.name, &stub.placeholder);
            let write = match format {
                EditFormat::SearchReplace => {
                    format!(
                        "replace `{placeholder}` with the code that does what its documentation says"
                    )
                }
                EditFormat::Whole | EditFormat::Definitions => format!(
                    "answer with the whole function `{name}` (signature, docstring and the code that does what \
                     it says)"
                ),
            };
            out.push_str(&format!(
                "\n\n`{name}` in {path} has no body yet: `{placeholder}` stands in for it. Write the body: {write}."
            ));
        }
    }
    out
}

/// A large file's parts, each under its `path lines A-B` header.
fn render_parts(path: &str, text: &str, parts: &[Region]) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let lang = crate::whole::fence_language(path);
    let mut out = String::new();
    for r in parts {
        let body = lines[r.start.min(lines.len())..r.end.min(lines.len())].join("\n");
        let fence = crate::whole::fence_for(&body);
        let (a, b) = r.shown();
        out.push_str(&format!(
            "{path} lines {a}-{b} (of {}; only these lines are shown)\n{fence}{lang}\n{body}\n{fence}\n\n",
            lines.len()
        ));
    }
    out
}

/// A Korean request gets its summary in Korean: the person who approves reads it.
fn summary_language(work: &str, format: EditFormat) -> &'static str {
    match (crate::lang::is_korean(work), format) {
        (false, _) => "",
        (true, EditFormat::SearchReplace) => {
            "\n\nWrite `summary` in Korean (한국어), the language of the request."
        }
        (true, EditFormat::Whole | EditFormat::Definitions) => {
            "\n\nWrite the SUMMARY line in Korean (한국어), the language of the request."
        }
    }
}

fn strip_html_comments(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("<!--") {
        out.push_str(&rest[..i]);
        match rest[i..].find("-->") {
            Some(j) => rest = &rest[i + j + 3..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}
