# The Telegram bot's replies, toasts and notifications. Messages are HTML (parse_mode HTML): every value is
# already escaped by the bot, and only <b>, <i>, <code> and <pre> may be used.

## Access and errors
bot-not-allowed = Not allowed: this bot only obeys the ids in its allow list (your id is { $id }).
bot-not-allowed-anonymous = Not allowed: this bot only obeys the ids in its allow list.
bot-toast-not-allowed = Not allowed
bot-unknown-input = Send /help for what I understand.
bot-unknown-command = Unknown command /{ $name }. Send /help.
bot-internal-error = Internal error; the bot's log says more.
bot-give-id = Give a task id, e.g. <code>/approve T20261125-0001</code>.
bot-not-a-task-id = <b>TASK_UNKNOWN</b>: <code>{ $id }</code> is not a task id (they look like T20261125-0001).

## /lang (each language's text names itself)
bot-lang-set = I answer in English in this chat from now on. /lang ko switches to Korean.
bot-lang-current = This chat gets English. /lang ko switches to Korean, /lang en back.
bot-lang-unknown = I speak English and Korean: send /lang en or /lang ko.

## /help (plain text; the bot escapes it)
bot-work-syntax =
    /work INTENT TARGETS: REQUEST
      e.g. /work fix src/config.rs: parse_port accepts 0, reject it
      TARGETS: repository paths, separated by commas
      INTENT: fix, feat, refactor, test, docs, perf or chore
    or: /work intent=fix target=src/a.rs,src/b.rs REQUEST
    The request needs at least 4 words: what is wrong and what done looks like.
bot-help =
    autodev bot commands

    { $syntax }

    /status [ID] — the queue, or one task
    /approve ID — approve a patch that passed the gate
    /reject ID [reason] — reject it
    /publish ID — push an approved patch and open its pull request
    /stop — workers claim nothing new (running tasks finish)
    /resume — workers claim again
    /lang en|ko — the language of this chat
    /help — this text

    When a patch passes the gate you get it here with Approve / Reject buttons. What happens after an approval is the repository's delivery.toml on_approve: nothing (commit it with `autodev apply ID`, or /publish ID), a commit on branch autodev/ID, or a pushed branch and a pull request — I send the link here.

## /stop and /resume
bot-paused = Paused: workers finish their current task and claim nothing new. /resume to undo.
bot-already-paused = Already paused.
bot-resumed = Resumed: workers claim again.
bot-not-paused = Not paused.

## Buttons and their toasts
bot-button-approve = ✅ Approve
bot-button-reject = ❌ Reject
bot-toast-unknown-button = Unknown button
bot-toast-approved = Approved { $id }
bot-toast-rejected = Rejected { $id }

## /work
bot-queued =
    Queued <code>{ $id }</code>: { $title }
    You get a message when the gate has judged the patch.
bot-not-queued = Not queued:
bot-how-to-write = How to write it:

## /status
bot-status-paused = <b>Paused</b>: workers claim nothing until /resume.
bot-status-corrupt = ⚠️ { $count } unreadable task file(s) (<b>TASK_FILE_CORRUPT</b>); <code>autodev status</code> at the PC lists them.
bot-status-no-tasks = No tasks.
bot-status-count = { $count } task(s): { $counts }
bot-task-summary =
    intent { $intent }, targets { $targets }
    tries { $attempts } of { $max }
bot-task-failure = failure: { $reason }
## A recorded code with what it means (codes.ftl): English shows the code and the recorded detail as it always
## has; the explanation is for the other languages.
bot-task-failure-explained = failure: { $reason }
## For GATE_FAILED, `$reasons` is one line per reason of the gate's last FAIL (each after a line break, as
## bot-gate-reason says it); English shows the worker's message, which has them.
bot-gate-reason = • <b>{ $code }</b> { $explanation }
bot-task-diffstat = { $files } file(s), +{ $added } −{ $removed }
bot-task-unknown = <b>TASK_UNKNOWN</b>: no task { $id }. /status lists them.
bot-task-corrupt = <b>TASK_FILE_CORRUPT</b>: the file of <code>{ $id }</code> is not a task autodev can read ({ $detail }). Restore it or move it out of the queue; other tasks are not affected.
bot-delivery-pushed = pushed: <code>{ $branch }</code> on { $remote }
bot-delivery-pushed-pr = pushed: <code>{ $branch }</code> on { $remote }, pull request { $url }
bot-delivery-failed = delivery failed: <b>{ $code }</b> { $message }
bot-delivery-failed-explained = delivery failed: <b>{ $code }</b> { $message }

## /approve, /reject, /publish
bot-approved = Approved <code>{ $id }</code> (patch sha256 { $sha }…). { $next }
bot-already-approved = <code>{ $id }</code> was already approved for this patch. { $next }
bot-next-publish = It will be pushed and a pull request opened; I send the link here.
bot-next-apply = It will be committed on branch autodev/{ $id }; I tell you here when it is.
bot-next-manual = Commit it with <code>autodev apply { $id }</code> (branch autodev/{ $id }), or push it and open a pull request with /publish { $id }.
bot-not-delivered = Not delivered: <b>{ $code }</b> { $message }
bot-no-deliverer = ⚠️ No <code>autodev deliver</code> is running on this queue: start it (compose profile <code>deliver</code>), or run <code>autodev publish { $id }</code> at the PC.
bot-publish-not-approved = <b>NOT_APPROVED</b>: <code>{ $id }</code> is not approved. /approve { $id } first.
bot-publishing = Publishing <code>{ $id }</code>: pushing branch autodev/{ $id } and opening its pull request. I send the link here.
bot-rejected = Rejected <code>{ $id }</code>.
bot-already-rejected = <code>{ $id }</code> was already rejected.

## Notifications
bot-notify-passed =
    ✅ <code>{ $id }</code> passed the gate
    <b>{ $title }</b>
    { $summary }{ $count } file(s) changed, +{ $added } −{ $removed } lines
    { $files }
    Approve to let <code>autodev apply { $id }</code> commit it on branch autodev/{ $id }.
bot-model-summary = Model's summary: <i>{ $summary }</i>
bot-more-files = … and { $count } more
bot-patch-caption = patch of <code>{ $id }</code>, sha256 { $sha }
bot-notify-applied = 📌 <code>{ $id }</code> committed on branch <code>{ $branch }</code> ({ $commit })
bot-notify-published =
    🚀 <code>{ $id }</code> pushed: branch <code>{ $branch }</code> on { $remote }
    Pull request: { $url }
bot-notify-published-no-pr =
    🚀 <code>{ $id }</code> pushed: branch <code>{ $branch }</code> on { $remote }
    No pull request: the forge is "none" (push only).
bot-delivery-retrying = I try again by myself.
bot-delivery-fix-first = Fix the cause, then /publish again (or <code>autodev publish</code> at the PC).
bot-notify-delivery-failed =
    ⚠️ Delivery of <code>{ $id }</code> failed: <b>{ $code }</b>
    { $message }
    { $next }
bot-notify-delivery-failed-explained =
    ⚠️ Delivery of <code>{ $id }</code> failed: <b>{ $code }</b>
    { $message }
    { $next }
bot-notify-failed =
    ❌ <code>{ $id }</code> failed: <b>{ $reason }</b>
    { $title }
    { $message }
bot-notify-failed-explained =
    ❌ <code>{ $id }</code> failed: <b>{ $reason }</b>
    { $title }
    { $message }
