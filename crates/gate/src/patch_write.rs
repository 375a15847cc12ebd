//! Writes a parsed [`Patch`] back as a canonical `git diff`: the bytes handed to `git apply` are then exactly
//! what the gate parsed and judged, never text the parser skipped (prose, a section hidden after binary data).

use crate::patch::{FilePatch, Hunk, HunkLine, MODE_FILE, Patch};

/// Why a parsed patch cannot be written back for `git apply`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteError {
    pub file: String,
    pub message: String,
}

impl Patch {
    /// The patch as `git diff --binary` would write it: `diff --git` headers, mode, rename/copy and index lines,
    /// `---`/`+++`, hunks with recomputed counts, binary blocks as read. Fails for a hunk without line numbers
    /// (a lenient `@@ @@` header), which `git apply` cannot place.
    pub fn to_git_bytes(&self) -> Result<Vec<u8>, WriteError> {
        let mut out = Vec::new();
        for fp in &self.files {
            write_section(fp, &mut out)?;
        }
        Ok(out)
    }
}

fn write_section(fp: &FilePatch, out: &mut Vec<u8>) -> Result<(), WriteError> {
    let old = fp.old_path.as_deref();
    let new = fp.new_path.as_deref();
    let (a, b) = match (old, new) {
        (Some(o), Some(n)) => (o, n),
        (Some(o), None) => (o, o),
        (None, Some(n)) => (n, n),
        (None, None) => {
            return Err(WriteError {
                file: "<unknown>".into(),
                message: "a section with no path".into(),
            });
        }
    };
    line(
        out,
        &[b"diff --git ", &quote("a/", a), b" ", &quote("b/", b)],
    );
    match (old, new) {
        (None, _) => line(
            out,
            &[format!("new file mode {:o}", fp.new_mode.unwrap_or(MODE_FILE)).as_bytes()],
        ),
        (_, None) => line(
            out,
            &[format!("deleted file mode {:o}", fp.old_mode.unwrap_or(MODE_FILE)).as_bytes()],
        ),
        (Some(_), Some(_)) => {
            if let (Some(om), Some(nm)) = (fp.old_mode, fp.new_mode)
                && om != nm
            {
                line(out, &[format!("old mode {om:o}").as_bytes()]);
                line(out, &[format!("new mode {nm:o}").as_bytes()]);
            }
        }
    }
    if old.is_some() && new.is_some() && (fp.is_rename || fp.is_copy) {
        let verb: &[u8] = if fp.is_rename { b"rename" } else { b"copy" };
        line(out, &[verb, b" from ", &quote("", a)]);
        line(out, &[verb, b" to ", &quote("", b)]);
    }
    if let Some((from, to)) = &fp.index {
        let mut idx = format!("index {from}..{to}");
        if old.is_some()
            && new.is_some()
            && let Some(m) = fp.new_mode.filter(|m| Some(*m) == fp.old_mode)
        {
            idx.push_str(&format!(" {m:o}"));
        }
        line(out, &[idx.as_bytes()]);
    }
    if fp.binary_data {
        line(out, &[b"GIT binary patch"]);
        for l in &fp.binary_lines {
            line(out, &[l]);
        }
        return Ok(());
    }
    if fp.binary {
        let side = |prefix: &str, p: Option<&str>| match p {
            Some(p) => quote(prefix, p),
            None => b"/dev/null".to_vec(),
        };
        line(
            out,
            &[
                b"Binary files ",
                &side("a/", old),
                b" and ",
                &side("b/", new),
                b" differ",
            ],
        );
        return Ok(());
    }
    if fp.hunks.is_empty() {
        return Ok(());
    }
    let side = |prefix: &str, p: Option<&str>| match p {
        Some(p) => quote(prefix, p),
        None => b"/dev/null".to_vec(),
    };
    line(out, &[b"--- ", &side("a/", old)]);
    line(out, &[b"+++ ", &side("b/", new)]);
    for hunk in &fp.hunks {
        write_hunk(fp, hunk, out)?;
    }
    Ok(())
}

fn write_hunk(fp: &FilePatch, hunk: &Hunk, out: &mut Vec<u8>) -> Result<(), WriteError> {
    let (Some(old_start), Some(new_start)) = (hunk.old_start, hunk.new_start) else {
        return Err(WriteError {
            file: fp.display_path().to_owned(),
            message: format!(
                "hunk {:?} has no line numbers, which git apply needs to apply this patch (it has binary sections)",
                hunk.header
            ),
        });
    };
    let old_count = hunk
        .lines
        .iter()
        .filter(|l| !matches!(l, HunkLine::Add(_)))
        .count();
    let new_count = hunk
        .lines
        .iter()
        .filter(|l| !matches!(l, HunkLine::Remove(_)))
        .count();
    let header = format!("@@ -{old_start},{old_count} +{new_start},{new_count} @@");
    line(out, &[header.as_bytes()]);
    let last_old = hunk
        .lines
        .iter()
        .rposition(|l| !matches!(l, HunkLine::Add(_)));
    let last_new = hunk
        .lines
        .iter()
        .rposition(|l| !matches!(l, HunkLine::Remove(_)));
    for (i, l) in hunk.lines.iter().enumerate() {
        let sign: &[u8] = match l {
            HunkLine::Context(_) => b" ",
            HunkLine::Remove(_) => b"-",
            HunkLine::Add(_) => b"+",
        };
        line(out, &[sign, l.text()]);
        let ends_old = hunk.old_no_newline && last_old == Some(i);
        let ends_new = hunk.new_no_newline && last_new == Some(i);
        if ends_old || ends_new {
            line(out, &[b"\\ No newline at end of file"]);
        }
    }
    Ok(())
}

fn line(out: &mut Vec<u8>, parts: &[&[u8]]) {
    for p in parts {
        out.extend_from_slice(p);
    }
    out.push(b'\n');
}

/// `prefix` + `path`, C-quoted as git quotes names (`"a/t\303\251st"`) when it holds anything but plain
/// printable ASCII without spaces or quotes.
fn quote(prefix: &str, path: &str) -> Vec<u8> {
    let full = format!("{prefix}{path}");
    let plain = full
        .bytes()
        .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\');
    if plain {
        return full.into_bytes();
    }
    let mut out = vec![b'"'];
    for b in full.bytes() {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b' ' => out.push(b' '),
            b if b.is_ascii_graphic() => out.push(b),
            b => out.extend_from_slice(format!("\\{b:03o}").as_bytes()),
        }
    }
    out.push(b'"');
    out
}
