# One line per stable code, for a reader who sees the code next to a detail recorded in English (a task's failure
# reason, a gate reason, a delivery failure): what the code means. The code itself is never translated. English
# output shows the code and the recorded detail as it always has; these lines are what the other languages add.

## Why a task failed (`failure_reason`, `TASK_FAILED`): the worker's codes (protocol::WorkerCode)
worker-code-base-unreadable = the target files cannot be read at the task's base commit
worker-code-base-unborn = the repository had no commits when the task was submitted
worker-code-no-attempt = no try ran
worker-code-context-too-large = the task's prompt does not fit the model's context window
worker-code-context-truncated = the model server cut the prompt (it did not fit the server's context)
worker-code-answer-truncated = the model stopped at its token limit in the middle of its answer
worker-code-answer-too-large = the answer grew past the worker's byte limit and was cut off
worker-code-answer-too-slow = the answer took longer than the worker's time limit and was cut off
worker-code-output-truncated = the model server's own output limit cut the answer
worker-code-answer-repeated = the answer makes the same change as one the gate already refused
worker-code-edit-format-invalid = the answer is not in the edit format asked for
worker-code-edit-no-edits = the answer holds no edits
worker-code-edit-too-many = more edits than AUTODEV_MAX_EDITS allows
worker-code-edit-outside-targets = an edit touches a path outside the task's targets
worker-code-edit-path-invalid = an edit's path is not a repository path (absolute, or with `..`)
worker-code-edit-text-invalid = an edit's text cannot be used (control characters, too long)
worker-code-edit-no-match = an edit's SEARCH text is not in the file
worker-code-edit-ambiguous = an edit's SEARCH text is in the file more than once
worker-code-edit-too-costly = matching the edits would take more than the work budget
worker-code-edit-no-change = the edits change nothing
worker-code-edit-elided = a whole-file answer left part of the file out
worker-code-edit-refused = the edits were refused
worker-code-edit-internal-error = the worker failed while applying the edits
worker-code-gate-passed = the gate passed the patch
worker-code-gate-failed = the gate failed the patch
worker-code-gate-error = the gate could not reach a verdict
worker-code-backend-unreachable = nothing answered at the model server's address
worker-code-model-not-found = the model is not installed on the model server
worker-code-backend-busy = the model server stayed busy (503) through every retry
worker-code-first-byte-timeout = the model server sent nothing within the first-byte timeout
worker-code-idle-timeout = the model server's stream went quiet past the idle timeout
worker-code-stream-cut = the model server's stream ended without its final record
worker-code-server-error = the model server failed (5xx, or an error in the stream)
worker-code-http-error = the model server answered with another HTTP error
worker-code-invalid-response = the model server's answer does not follow its protocol
worker-code-backend-config-invalid = the model server settings cannot be used
worker-code-shutdown = the worker was told to stop in the middle of the task
worker-code-artifact-write-failed = a result file (patch, gate.json, report.json) could not be written
worker-code-event-log-write-failed = an event could not be appended to events.ndjson

## Why a task failed: the queue's own codes
queue-code-max-attempts-exceeded = its lease expired with no tries left (the worker stopped or died in the middle of it)
queue-code-recovered-after-crash = the worker died after failing the task, before logging why (its report says)
queue-code-task-file-corrupt = the task's file cannot be read; it was moved to corrupt/

## The gate's reasons for a FAIL (protocol::ReasonCode; docs/GATE.md has the table)
gate-reason-patch-does-not-apply = a hunk's lines are not in the file (or a file to create exists, or one to change is missing)
gate-reason-patch-ambiguous = a hunk's context matches in more than one place
gate-reason-patch-too-costly = locating the hunks would take more than the gate's work budget
gate-reason-patch-malformed = the patch is not a valid unified diff
gate-reason-policy-protected-path = the patch touches a protected path
gate-reason-policy-outside-targets = the patch touches a path outside the task's targets or the allowed paths
gate-reason-policy-path-escape = a path is absolute, or has `..`, a backslash or a control character
gate-reason-policy-too-large = the patch is over a size limit (bytes, files or changed lines)
gate-reason-policy-symlink = the patch creates or changes a symlink, or writes through one
gate-reason-policy-executable = the patch adds an executable bit the policy does not allow
gate-reason-binary-patch = the patch has a binary change the policy does not allow
gate-reason-empty-patch = the patch is empty or changes nothing
gate-reason-check-failed = a check failed (exited non-zero)
gate-reason-check-timeout = a check ran past its time limit and was stopped

## Why a delivery failed (`DELIVERY_FAILED`): delivery's codes
delivery-code-config = .autodev_ssot/delivery.toml cannot be used
delivery-code-remote-unknown = the repository has no git remote of that name
delivery-code-token-missing = the forge's token variable is unset or empty
delivery-code-remote-unreachable = git could not reach the remote
delivery-code-remote-branch-moved = the remote branch moved to another commit (autodev never force-pushes)
delivery-code-push-rejected = the remote refused the push
delivery-code-forge-auth = the forge refused the token
delivery-code-forge-not-found = the forge does not know the repository
delivery-code-forge-rate-limited = the forge's rate limit is spent
delivery-code-forge-error = talking to the forge failed

## Why a delivery failed: apply's codes (approval)
approval-code-task-unknown = no such task in the queue
approval-code-task-file-corrupt = the task's file cannot be read
approval-code-not-gate-passed = the task has no patch that passed the gate
approval-code-not-approved = nobody approved the task
approval-code-already-rejected = the task was rejected
approval-code-already-approved = the task was already approved
approval-code-approval-hash-mismatch = the patch file changed after it was approved or reported
approval-code-patch-not-gated = the patch file is not the one the gate passed
approval-code-approval-not-in-log = an approval record the audit log does not confirm
approval-code-task-not-as-submitted = the task file is not the task as submitted
approval-code-apply-policy-refused = the repository's policy refuses the patch
approval-code-patch-does-not-apply = the patch no longer applies to its base
approval-code-branch-exists = branch autodev/<id> exists and is not autodev's commit
approval-code-queue-error = the queue or its log could not be read or written
approval-code-git-error = a local git command failed
approval-code-gate-error = the policy could not be read to judge the patch again
approval-code-io-error = a file could not be read or written
