# The libraries' errors where a person reads them (after `error:` or a code, in the CLI and the bot): the queue's,
# approval's and delivery's, each said by its crate's `localized`. English is the same words as the error's own
# Display (tests hold them equal), which logs and JSON keep; what git, a forge or a parser said is inserted as it
# was said.

## The queue (queue-core)
queue-err-io = filesystem error at { $path }: { $error }
queue-err-not-initialised = no queue at { $path }: run `autodev init` first (or pass --queue / set AUTODEV_QUEUE)
queue-err-corrupt = corrupt queue file { $path }: { $detail }
queue-err-lease-lost = lease on { $task } lost (expired and taken back, or finished elsewhere)
queue-err-unknown-task = no task { $id } in this queue
queue-err-ids-exhausted = task ids for { $day } are exhausted
queue-err-log-append = could not append { $event } to { $path } after { $tries } tries: { $error }; free disk space, or fix whatever keeps the log from being written (permissions, mount), then try again
queue-err-task-corrupt = task { $id }'s file { $path } cannot be read: { $detail }; restore it from a backup, or move it out of the queue
queue-err-database = the queue's database { $location }: { $detail }
queue-err-schema-too-new = the queue's database has schema version { $found }, newer than the { $known } this autodev knows: upgrade autodev on this machine (nothing was changed)

## Approval refusals (the sentence after the code)
approval-task-unknown = no task { $id } in this queue; `autodev status` lists them
approval-task-file-corrupt = task { $id }'s file { $path } cannot be read: { $detail }; nothing was changed. Restore it, or move it out of the queue
approval-not-gate-passed = task { $id } has no patch that passed the gate: { $detail }
approval-not-approved = task { $id } is not approved; run `autodev approve { $id }` after reviewing its patch
approval-already-rejected = task { $id } was rejected by { $by }; submit the work again for a new patch
approval-already-rejected-because = task { $id } was rejected by { $by } ({ $reason }); submit the work again for a new patch
approval-already-approved = task { $id } was already approved by { $by } (patch sha256 { $sha256 })
approval-hash-mismatch-approved = the patch of task { $id } changed after it was approved: expected sha256 { $expected }, the file now has { $actual }; nothing was applied
approval-hash-mismatch-reported = the patch of task { $id } changed after it was reported by the worker: expected sha256 { $expected }, the file now has { $actual }; nothing was applied
approval-patch-not-gated = the patch of task { $id } is not the one the gate passed: { $detail }; nothing was changed
approval-not-in-log = { $path } says task { $id } is approved, but the audit log has no matching APPROVED event: autodev approve did not write it (a check run by the gate may have). It does not count; read the patch, then run `autodev reject { $id }`, and remove the file once you know who wrote it
approval-task-not-as-submitted = task { $id }'s task file is not the task as submitted: { $detail }; nothing was changed. Reject it and submit the work again
approval-policy-refused = the repository's policy at the task's base refuses the patch of task { $id }; nothing was committed: { $reasons }
approval-does-not-apply-base = the patch of task { $id } does not apply to base { $commit }; nothing was changed: { $stderr }
approval-does-not-apply-worktree = the patch of task { $id } does not apply to the working tree; nothing was changed: { $stderr }
approval-branch-exists = branch { $branch } already exists at { $commit } and is not autodev's commit for this task; delete or rename it (`git branch -m { $branch } { $branch }-old`) and apply again

## Approval's infrastructure errors
approval-err-gate = cannot judge the patch by the repository's policy: { $error }

## Shared by several crates
err-git = git { $args } in { $dir }: { $stderr }
err-path-io = { $path }: { $error }
err-corrupt-file = corrupt file { $path }: { $detail }

## Delivery (publish, deliver, the bot's note after an approval)
delivery-err-config = { $file }: { $message }
delivery-err-remote-unknown = the repository has no remote { $quoted }; add it (`git remote add { $remote } URL`) or pass --remote
delivery-err-token-missing = { $forge } needs a token: set { $variables } (see docs/DELIVERY.md); nothing was pushed
delivery-err-remote-unreachable = cannot reach remote { $remote } ({ $url }): { $stderr }
delivery-err-remote-branch-moved = { $remote }/{ $branch } is at { $theirs }, not at autodev's commit { $ours }: it moved on the remote; nothing was pushed (autodev never force-pushes). Look at it, then delete the remote branch to publish again
delivery-err-push-rejected = { $remote } refused the push of { $branch }: { $message }
delivery-err-forge-auth = { $forge } refused the token ({ $status }): { $message }
delivery-err-forge-not-found = { $forge } has no repository { $repository } at { $api } (404): { $message }
delivery-err-rate-limited-until = { $forge } rate limit reached; try again after { $at }
delivery-err-rate-limited = { $forge } rate limit reached; try again later
delivery-err-forge = { $forge } API: { $message }
