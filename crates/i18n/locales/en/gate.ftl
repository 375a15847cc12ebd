# `autodev gate` without --json: the verdict's human summary, hook-mode framing, install-hook. Verdicts (PASS,
# FAIL, ERROR), reason codes and check statuses (ok, FAILED, TIMED OUT, skipped) are never translated.

gate-summary = { $verdict }  { $files } file(s), +{ $added } -{ $removed }, checks { $passed }/{ $checks } passed, { $secs }s (base { $base })
## A reason's text after its code: its message, which is also the JSON and what the model is told, so English
## shows it as it is; another language puts what the code means (codes.ftl) on the line before it.
gate-reason = { $message }
gate-seconds = { $secs }s
gate-check = check
gate-full-log = full log: { $path }
gate-fuzzy-note = (fuzzy: the normalised patch is in the --json report)
gate-error = autodev gate: ERROR: { $error }
gate-hook-nothing = autodev gate ({ $hook }): nothing to gate
gate-hook-blocked = autodev gate: blocked. Fix the change, or bypass once with --no-verify.
gate-hook-installed = installed { $path }
gate-hook-removed = removed { $path }
gate-hook-none-installed = no autodev hooks installed

## Why the gate could not judge a patch (after `ERROR:`; the same words as the gate's errors). What git, a
## configuration parser or the hook's input said is inserted as it was said.
gate-err-repo-not-found = { $path } is not a git working tree: { $detail }
gate-err-unknown-base = base revision { $rev } is not a commit in { $repo }
gate-err-git = git { $args } failed in { $dir }: { $stderr }
gate-err-io = i/o error on { $path }: { $error }
gate-err-patch-unreadable = cannot read patch { $path }: { $error }
gate-err-config = invalid { $file }: { $message }
gate-err-slots-busy = all { $slots } checkout slots under { $root } stayed busy for { $waited }
gate-err-spawn = cannot start check { $name }: { $error }
gate-err-foreign-hook = { $path } exists and was not installed by autodev; use --force to replace it (it is kept as a backup)
gate-err-hook-input = hook input: { $detail }
