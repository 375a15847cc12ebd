//! The default `.autodev_ssot/` files `autodev init` writes: the single source of truth for policy, gate checks,
//! the prompt and the task schema.

/// Folder name, at the top of the target repository.
pub const DIR: &str = ".autodev_ssot";

/// The default prompt template the worker fills in.
pub const DEFAULT_PROMPT_MD: &str = r#"<!--
autodev prompt template (.autodev_ssot/prompt.md).
The worker fills the {{placeholders}} and sends the result as the user message. Keep the answer-format section:
the worker only accepts answers in the format described in docs/MODEL_CONTRACT.md.
Placeholders: {{title}} {{intent}} {{work}} {{targets}} {{files}} {{file_list}} {{feedback}}
-->
You are changing a git repository. Make the smallest correct change that does what is asked.

Task ({{intent}}): {{title}}

{{work}}

You may only change these paths: {{targets}}

Files in the repository:
{{file_list}}

Current contents of the target files:
{{files}}

{{feedback}}
"#;

/// The files `init` writes (name, contents), in order.
pub fn default_files() -> Vec<(&'static str, String)> {
    vec![
        ("policy.toml", gate::DEFAULT_POLICY_TOML.to_string()),
        ("gate.toml", gate::DEFAULT_GATE_TOML.to_string()),
        ("prompt.md", DEFAULT_PROMPT_MD.to_string()),
        ("task.schema.json", submit::task_schema()),
    ]
}
