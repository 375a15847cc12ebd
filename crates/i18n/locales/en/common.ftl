# Shared messages. Values inserted with { $name } are plain text unless a comment says HTML.

## The doc example of the crate.
example-greeting = Found { $name }.

## What the operating system said, by kind (after a path, inside a larger message). The OS's own words (`No such
## file or directory (os error 2)`) are used in English; these are for the Korean half.
io-not-found = No such file or directory
io-permission-denied = Permission denied
io-already-exists = File exists
io-storage-full = No space left on device
io-read-only = Read-only file system
io-not-a-directory = Not a directory
io-is-a-directory = Is a directory
io-directory-not-empty = Directory not empty
io-quota-exceeded = Disk quota exceeded
io-broken-pipe = Broken pipe
io-timed-out = Timed out
io-connection-refused = Connection refused
io-os-error = { $what } (os error { $code })
