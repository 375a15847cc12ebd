//! The default `.autodev_ssot/` files `autodev init` writes: the single source of truth for policy, gate checks,
//! the prompt, the task schema, the worker settings and delivery (push, pull requests).

/// Folder name, at the top of the target repository.
pub const DIR: &str = ".autodev_ssot";

/// The files `init` writes (name, contents), in order.
pub fn default_files() -> Vec<(&'static str, String)> {
    vec![
        ("policy.toml", gate::DEFAULT_POLICY_TOML.to_string()),
        ("gate.toml", gate::DEFAULT_GATE_TOML.to_string()),
        ("prompt.md", worker::context::DEFAULT_PROMPT_MD.to_string()),
        ("worker.toml", worker::config::default_worker_toml()),
        ("task.schema.json", submit::task_schema()),
        ("delivery.toml", delivery::DEFAULT_DELIVERY_TOML.to_string()),
    ]
}
