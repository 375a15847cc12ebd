# Shared messages. Values inserted with { $name } are plain text unless a comment says HTML.

## The doc example of the crate.
example-greeting = Found { $name }.
