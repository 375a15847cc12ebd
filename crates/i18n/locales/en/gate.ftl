# `autodev gate` without --json: the verdict's human summary, hook-mode framing, install-hook. Verdicts (PASS,
# FAIL, ERROR), reason codes and check statuses (ok, FAILED, TIMED OUT, skipped) are never translated.

gate-summary = { $verdict }  { $files } file(s), +{ $added } -{ $removed }, checks { $passed }/{ $checks } passed, { $secs }s (base { $base })
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
