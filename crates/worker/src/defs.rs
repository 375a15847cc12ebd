//! The definitions answer format: the model writes out only the functions, classes (Python) or items (Rust) it
//! changes or adds, each in full, and the worker puts each one in place of the definition of the same name.
//!
//! Why: asked to write a whole file back, a small model spends its answer copying lines it does not change, and
//! must copy them exactly; the function alone is what it writes best (it is how it answers when asked once in
//! plain words), and the worker, not the model, keeps the rest of the file as it was. The same format serves a
//! large file shown in parts: no line numbers to copy. Measured: docs/MODEL_CONTRACT.md.
//!
//! How a block is merged into the file ([`merge`]), with tree-sitter:
//! - a top-level definition replaces the top-level definition of the same name; a class (Python) or `impl`
//!   (Rust) that leaves out members the file has is merged member by member instead, so an answer that shows a
//!   class with one method changes that method only;
//! - a definition the file has only nested (a method written on its own) replaces that one, indented as it was;
//! - a definition the file lacks is added at its end; an import (`import`, `from … import`, `use`) the file lacks
//!   is added after its imports;
//! - anything else (example calls, `if __name__ == "__main__":` blocks, comments) is left out: the request is
//!   about definitions, and a call added at module level would run on every import;
//! - a block that holds every import and top-level definition of the file (and every member of its classes) is
//!   the whole file, taken as it is;
//! - in a file shown in parts, only code inside the shown parts may be replaced.
//!
//! Files in other languages are written whole ([`crate::whole`]).

use std::collections::BTreeMap;

use protocol::WorkerCode;

use crate::edits::{Answer, EditError, WholeFile};
use crate::regions::Region;

/// A language the definitions format can merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// `.py`, `.pyi`
    Python,
    /// `.rs`
    Rust,
}

impl Lang {
    /// The language of `path`, if the format supports it.
    pub fn of(path: &str) -> Option<Lang> {
        match path.rsplit_once('.').map(|(_, e)| e) {
            Some("py" | "pyi") => Some(Lang::Python),
            Some("rs") => Some(Lang::Rust),
            _ => None,
        }
    }

    /// The tree-sitter grammar (shared with [`crate::regions`], which finds the parts of a large file to show).
    pub(crate) fn grammar(self) -> tree_sitter::Language {
        match self {
            Lang::Python => tree_sitter_python::LANGUAGE.into(),
            Lang::Rust => tree_sitter_rust::LANGUAGE.into(),
        }
    }

    /// Blank lines between top-level definitions, as the language's style guide has it.
    fn gap(self) -> &'static str {
        match self {
            Lang::Python => "\n\n",
            Lang::Rust => "\n",
        }
    }
}

/// What a top-level node of a file is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// A named definition; `container` when its members can be merged one by one (a class, an `impl`).
    Def {
        name: String,
        container: bool,
    },
    Import,
    Other,
}

/// One top-level node: its kind and its bytes, decorators and attributes included.
#[derive(Debug, Clone)]
struct Item {
    kind: Kind,
    start: usize,
    end: usize,
    /// The bytes of the definition node itself (inside its decorators), to find it again in the tree.
    node: (usize, usize),
}

impl Item {
    fn name(&self) -> Option<&str> {
        match &self.kind {
            Kind::Def { name, .. } => Some(name),
            _ => None,
        }
    }
}

/// A parsed file: its text and its top-level items.
struct Parsed<'a> {
    text: &'a str,
    tree: tree_sitter::Tree,
    items: Vec<Item>,
}

fn parse(lang: Lang, text: &str) -> Option<Parsed<'_>> {
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&lang.grammar()).ok()?;
    let tree = parser.parse(text, None)?;
    let items = children(lang, tree.root_node(), text);
    Some(Parsed { text, tree, items })
}

/// The items directly inside `node` (a module, a class body, an `impl` body), with Rust's attributes and doc
/// comments joined to the item they precede.
fn children(lang: Lang, node: tree_sitter::Node<'_>, text: &str) -> Vec<Item> {
    let mut out: Vec<Item> = Vec::new();
    let mut pending: Option<usize> = None;
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        let kind = child.kind();
        if lang == Lang::Rust
            && (kind == "attribute_item"
                || (kind == "line_comment" && text[child.byte_range()].starts_with("///")))
        {
            pending.get_or_insert(child.start_byte());
            continue;
        }
        let start = pending.take().unwrap_or(child.start_byte());
        let def = match child.kind() {
            "decorated_definition" => child.child_by_field_name("definition").unwrap_or(child),
            _ => child,
        };
        out.push(Item {
            kind: classify(lang, child, text),
            start,
            end: child.end_byte(),
            node: (def.start_byte(), def.end_byte()),
        });
    }
    out
}

fn classify(lang: Lang, node: tree_sitter::Node<'_>, text: &str) -> Kind {
    let name = |n: tree_sitter::Node<'_>, field: &str| {
        n.child_by_field_name(field)
            .and_then(|f| text.get(f.byte_range()))
            .map(str::to_owned)
    };
    match (lang, node.kind()) {
        (Lang::Python, "decorated_definition") => node
            .child_by_field_name("definition")
            .map_or(Kind::Other, |d| classify(lang, d, text)),
        (Lang::Python, "function_definition") => {
            name(node, "name").map_or(Kind::Other, |n| Kind::Def {
                name: n,
                container: false,
            })
        }
        (Lang::Python, "class_definition") => {
            name(node, "name").map_or(Kind::Other, |n| Kind::Def {
                name: n,
                container: true,
            })
        }
        (
            Lang::Python,
            "import_statement" | "import_from_statement" | "future_import_statement",
        ) => Kind::Import,
        (Lang::Rust, "use_declaration" | "extern_crate_declaration") => Kind::Import,
        // `impl Config` and `impl Display for Config` are different blocks: the name holds both parts.
        (Lang::Rust, "impl_item") => {
            let ty = name(node, "type").unwrap_or_default();
            let name = match name(node, "trait") {
                Some(t) => format!("impl {t} for {ty}"),
                None => format!("impl {ty}"),
            };
            Kind::Def {
                name,
                container: true,
            }
        }
        (Lang::Rust, kind) if crate::regions::RUST_NAMED_ITEMS.contains(&kind) => {
            // A `mod` or `trait` answered with one member changes that member: `mod tests` keeps its other tests.
            name(node, "name").map_or(Kind::Other, |n| Kind::Def {
                name: n,
                container: matches!(kind, "mod_item" | "trait_item"),
            })
        }
        _ => Kind::Other,
    }
}

/// The body node whose children are a container's members.
fn body<'t>(tree: &'t tree_sitter::Tree, item: &Item) -> Option<tree_sitter::Node<'t>> {
    // The smallest node spanning the definition's bytes is the definition: its children are all smaller.
    let node = tree
        .root_node()
        .descendant_for_byte_range(item.node.0, item.node.1)?;
    node.child_by_field_name("body")
}

/// One change to the old text: bytes `start..end` become `text`.
struct Splice {
    start: usize,
    end: usize,
    text: String,
}

/// Merges the definitions in `block` into `old` (see the module's docs). `Ok(None)` when the block is to be taken
/// as the whole file. `shown`: the parts of a large file the prompt showed; only code inside them may be replaced
/// (`EDIT_NO_MATCH` otherwise), and the block is never the whole file.
pub fn merge(
    lang: Lang,
    path: &str,
    old: &str,
    block: &str,
    shown: Option<&[Region]>,
) -> Result<Option<String>, EditError> {
    let (Some(old_p), Some(new_p)) = (parse(lang, old), parse(lang, block)) else {
        return Ok(None);
    };
    let old_defs: Vec<&Item> = old_p.items.iter().filter(|i| i.name().is_some()).collect();
    let new_defs: Vec<&Item> = new_p.items.iter().filter(|i| i.name().is_some()).collect();
    if old_defs.is_empty() {
        return Ok(None);
    }
    if new_defs.is_empty() {
        return Err(EditError::new(
            WorkerCode::EditFormatInvalid,
            format!(
                "the block for {path} holds no complete definition; write each function or class you change out \
                 in full, from its `def`/`fn`/`class` line to its end"
            ),
        ));
    }
    if shown.is_none() && covers(lang, &old_p, &new_p) {
        return Ok(None);
    }
    let mut splices: Vec<Splice> = Vec::new();
    let mut added: Vec<String> = Vec::new();
    let mut imports: Vec<String> = Vec::new();
    let old_lines: std::collections::HashSet<&str> = old.lines().map(str::trim).collect();
    for item in &new_p.items {
        let text = &block[item.start..item.end];
        match &item.kind {
            Kind::Import => {
                if !old_lines.contains(text.trim()) {
                    imports.push(text.trim().to_owned());
                }
            }
            Kind::Other => {}
            Kind::Def { name, container } => {
                let same = old_p.items.iter().find(|o| o.name() == Some(name));
                match same {
                    Some(o) if *container => {
                        splices.extend(merge_members(lang, &old_p, o, &new_p, item)?);
                    }
                    Some(o) => splices.push(Splice {
                        start: o.start,
                        end: o.end,
                        text: text.to_owned(),
                    }),
                    None => match nested(lang, &old_p, name) {
                        Nested::One(start, end, indent) => splices.push(Splice {
                            start,
                            end,
                            text: reindent(&line_start_text(block, item.start, item.end), &indent),
                        }),
                        Nested::Many => {
                            return Err(EditError::new(
                                WorkerCode::EditAmbiguous,
                                format!(
                                    "{path} has several definitions named `{name}` inside others; write the \
                                     enclosing class or impl with the changed one in it"
                                ),
                            ));
                        }
                        Nested::None => added.push(text.to_owned()),
                    },
                }
            }
        }
    }
    if let Some(shown) = shown {
        check_shown(path, old, &splices, shown)?;
    }
    Ok(Some(apply(lang, old, &old_p, splices, imports, added)))
}

/// Refuses a change to code the prompt did not show: each replaced span (or insertion point) must lie inside one
/// shown part.
fn check_shown(
    path: &str,
    old: &str,
    splices: &[Splice],
    shown: &[Region],
) -> Result<(), EditError> {
    let line_of = |at: usize| old[..at].matches('\n').count();
    for s in splices {
        let (first, last) = (line_of(s.start), line_of(s.end.max(s.start + 1) - 1));
        if !shown.iter().any(|r| r.start <= first && last < r.end) {
            let list = shown
                .iter()
                .map(|r| format!("{path} lines {}-{}", r.shown().0, r.shown().1))
                .collect::<Vec<_>>()
                .join(", ");
            return Err(EditError::new(
                WorkerCode::EditNoMatch,
                format!(
                    "lines {}-{} of {path} were not shown and cannot be changed; only what these parts define \
                     can: {list}",
                    first + 1,
                    last + 1
                ),
            ));
        }
    }
    Ok(())
}

/// Whether the block has every import and definition of the file, and every member of each class or `impl` in
/// it: then it is the whole file (its module-level lines count too). A block with the file's one function but not
/// its imports is that function: the imports stay.
fn covers(lang: Lang, old: &Parsed<'_>, new: &Parsed<'_>) -> bool {
    let new_lines: std::collections::HashSet<&str> = new.text.lines().map(str::trim).collect();
    let imports_kept = old
        .items
        .iter()
        .filter(|i| i.kind == Kind::Import)
        .all(|i| new_lines.contains(old.text[i.start..i.end].trim()));
    if !imports_kept {
        return false;
    }
    let member_names = |p: &Parsed<'_>, item: &Item| -> Vec<String> {
        body(&p.tree, item).map_or_else(Vec::new, |b| {
            children(lang, b, p.text)
                .iter()
                .filter_map(|m| m.name().map(str::to_owned))
                .collect()
        })
    };
    old.items.iter().filter(|o| o.name().is_some()).all(|o| {
        new.items.iter().any(|n| {
            n.name() == o.name()
                && (!matches!(
                    o.kind,
                    Kind::Def {
                        container: true,
                        ..
                    }
                ) || {
                    let theirs = member_names(new, n);
                    member_names(old, o).iter().all(|m| theirs.contains(m))
                })
        })
    })
}

/// Replaces or adds the members of the answer's container `new` in the file's container `old`; the whole
/// container when the answer has all of the file's members (it may have reordered or removed none).
fn merge_members(
    lang: Lang,
    old_p: &Parsed<'_>,
    old: &Item,
    new_p: &Parsed<'_>,
    new: &Item,
) -> Result<Vec<Splice>, EditError> {
    let whole = || {
        vec![Splice {
            start: old.start,
            end: old.end,
            text: new_p.text[new.start..new.end].to_owned(),
        }]
    };
    let (Some(old_body), Some(new_body)) = (body(&old_p.tree, old), body(&new_p.tree, new)) else {
        return Ok(whole());
    };
    let old_members = children(lang, old_body, old_p.text);
    let new_members = children(lang, new_body, new_p.text);
    let names = |m: &[Item]| {
        m.iter()
            .filter_map(|i| i.name().map(str::to_owned))
            .collect::<Vec<_>>()
    };
    let (old_names, new_names) = (names(&old_members), names(&new_members));
    if old_names.iter().all(|n| new_names.contains(n)) {
        return Ok(whole());
    }
    let indent = line_indent(
        old_p.text,
        old_members
            .first()
            .map_or(old_body.start_byte(), |m| m.start),
    );
    let mut out = Vec::new();
    let mut appended = String::new();
    for m in &new_members {
        let Some(name) = m.name() else { continue };
        let text = reindent(&line_start_text(new_p.text, m.start, m.end), &indent);
        match old_members.iter().find(|o| o.name() == Some(name)) {
            Some(o) => out.push(Splice {
                start: line_start(old_p.text, o.start),
                end: o.end,
                text: text.trim_end().to_owned(),
            }),
            None => {
                // One blank line between members, in both languages.
                appended.push_str("\n\n");
                appended.push_str(text.trim_end());
            }
        }
    }
    if !appended.is_empty() {
        let at = old_members.last().map_or(old_body.end_byte(), |m| m.end);
        out.push(Splice {
            start: at,
            end: at,
            text: appended,
        });
    }
    Ok(out)
}

enum Nested {
    None,
    /// Bytes from the start of its first line, and that line's indentation.
    One(usize, usize, String),
    Many,
}

/// The one definition named `name` below the top level of the file, if there is exactly one.
fn nested(lang: Lang, old: &Parsed<'_>, name: &str) -> Nested {
    let mut found = Vec::new();
    for top in &old.items {
        if !matches!(
            top.kind,
            Kind::Def {
                container: true,
                ..
            }
        ) {
            continue;
        }
        if let Some(b) = body(&old.tree, top) {
            for m in children(lang, b, old.text) {
                if m.name() == Some(name) {
                    found.push(m);
                }
            }
        }
    }
    match found.as_slice() {
        [] => Nested::None,
        [m] => Nested::One(
            line_start(old.text, m.start),
            m.end,
            line_indent(old.text, m.start),
        ),
        _ => Nested::Many,
    }
}

fn apply(
    lang: Lang,
    old: &str,
    old_p: &Parsed<'_>,
    mut splices: Vec<Splice>,
    imports: Vec<String>,
    added: Vec<String>,
) -> String {
    if !imports.is_empty() {
        // After the file's last top-level import, else before its first definition.
        let at = old_p
            .items
            .iter()
            .filter(|i| i.kind == Kind::Import)
            .map(|i| i.end)
            .max()
            .map(|end| (end, format!("\n{}", imports.join("\n"))))
            .or_else(|| {
                old_p
                    .items
                    .iter()
                    .find(|i| i.name().is_some())
                    .map(|i| (i.start, format!("{}\n\n", imports.join("\n"))))
            });
        if let Some((at, text)) = at {
            splices.push(Splice {
                start: at,
                end: at,
                text,
            });
        }
    }
    splices.sort_by_key(|s| std::cmp::Reverse((s.start, s.end)));
    let mut out = old.to_owned();
    for s in splices {
        out.replace_range(s.start..s.end, &s.text);
    }
    if !added.is_empty() {
        let mut tail = out.trim_end().to_owned();
        for a in added {
            tail.push('\n');
            tail.push_str(lang.gap());
            tail.push_str(a.trim_end());
        }
        tail.push('\n');
        out = tail;
    }
    out
}

fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

fn line_indent(text: &str, at: usize) -> String {
    let from = line_start(text, at);
    text[from..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect()
}

/// The text of `start..end`, from the start of its first line (so the first line keeps its indentation).
fn line_start_text(text: &str, start: usize, end: usize) -> String {
    text[line_start(text, start)..end].to_owned()
}

/// `text` with the smallest indentation of its non-blank lines removed.
fn dedent(text: &str) -> String {
    let cut = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    text.lines()
        .map(|l| l.get(cut..).unwrap_or(l.trim_start()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `text` moved to `indent`: its smallest indentation replaced by `indent` on every non-blank line.
fn reindent(text: &str, indent: &str) -> String {
    dedent(text)
        .lines()
        .map(|l| {
            if l.trim().is_empty() {
                String::new()
            } else {
                format!("{indent}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Turns each definitions block of `answer` into the whole new file, for files in a language [`merge`] supports
/// that exist at the base; `shown` holds the parts of the files shown only in parts. Blocks of other files are
/// whole files.
pub fn expand(
    answer: &mut Answer,
    base: &BTreeMap<String, Vec<u8>>,
    shown: &BTreeMap<String, Vec<Region>>,
) -> Result<(), EditError> {
    let mut merged: BTreeMap<String, String> = BTreeMap::new();
    for f in std::mem::take(&mut answer.files) {
        let (Some(lang), Some(old)) = (Lang::of(&f.path), base.get(&f.path)) else {
            answer.files.push(f);
            continue;
        };
        // Two blocks for one file (a model that writes each function in its own block) merge one after the other.
        let old = merged
            .remove(&f.path)
            .unwrap_or_else(|| String::from_utf8_lossy(old).into_owned());
        let parts = shown.get(&f.path).map(Vec::as_slice);
        let content = merge(lang, &f.path, &old, &f.content, parts)?.unwrap_or(f.content);
        merged.insert(f.path, content);
    }
    answer
        .files
        .extend(merged.into_iter().map(|(path, content)| WholeFile {
            path,
            content,
            lines: None,
        }));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn py(old: &str, block: &str) -> Option<String> {
        merge(Lang::Python, "m.py", old, block, None).unwrap()
    }

    const STUB: &str = "from typing import List\n\n\ndef helper(x):\n    return x * 2\n\n\ndef total(xs: List[int]) -> int:\n    \"\"\"Sum of doubles.\n    >>> total([1, 2])\n    6\n    \"\"\"\n    raise NotImplementedError\n\n\ndef other():\n    return 1\n";

    #[test]
    fn a_function_replaces_the_one_of_its_name_and_example_calls_are_left_out() {
        let block = "def total(xs: List[int]) -> int:\n    \"\"\"Sum of doubles.\"\"\"\n    return sum(helper(x) for x in xs)\n\n\nprint(total([1, 2]))\nif __name__ == \"__main__\":\n    import doctest\n    doctest.testmod()\n";
        let out = py(STUB, block).unwrap();
        assert_eq!(
            out,
            "from typing import List\n\n\ndef helper(x):\n    return x * 2\n\n\ndef total(xs: List[int]) -> int:\n    \"\"\"Sum of doubles.\"\"\"\n    return sum(helper(x) for x in xs)\n\n\ndef other():\n    return 1\n"
        );
    }

    #[test]
    fn a_new_import_goes_after_the_imports_and_a_new_function_at_the_end() {
        let block = "import math\nfrom typing import List\n\ndef total(xs: List[int]) -> int:\n    return math.fsum(xs)\n\ndef extra():\n    return 2\n";
        let out = py(STUB, block).unwrap();
        assert!(
            out.starts_with("from typing import List\nimport math\n\n\ndef helper"),
            "{out}"
        );
        assert!(out.contains("    return math.fsum(xs)\n\n\ndef other():\n    return 1\n\n\ndef extra():\n    return 2\n"), "{out}");
        assert_eq!(out.matches("from typing import List").count(), 1);
    }

    #[test]
    fn a_block_with_every_import_and_definition_is_the_whole_file() {
        let block = "from typing import List\nLIMIT = 3\n\ndef helper(x):\n    return x\n\ndef total(xs):\n    return 0\n\ndef other():\n    return 3\n";
        assert_eq!(py(STUB, block), None);
        // The file's only function without the file's import: the function, merged; the import stays.
        let old = "from typing import List\n\n\ndef f(xs: List[int]) -> int:\n    raise NotImplementedError\n";
        assert_eq!(
            py(old, "def f(xs: List[int]) -> int:\n    return len(xs)\n").unwrap(),
            "from typing import List\n\n\ndef f(xs: List[int]) -> int:\n    return len(xs)\n"
        );
    }

    #[test]
    fn a_class_with_one_method_changes_that_method_only() {
        let old = "class Config:\n    \"\"\"Settings.\"\"\"\n\n    def __init__(self):\n        self.port = 0\n\n    @property\n    def url(self):\n        return 'x'\n\n    def load(self, path):\n        raise NotImplementedError\n";
        let block = "class Config:\n    def load(self, path):\n        with open(path) as f:\n            self.port = int(f.read())\n\n    def save(self):\n        pass\n";
        let out = py(old, block).unwrap();
        assert_eq!(
            out,
            "class Config:\n    \"\"\"Settings.\"\"\"\n\n    def __init__(self):\n        self.port = 0\n\n    @property\n    def url(self):\n        return 'x'\n\n    def load(self, path):\n        with open(path) as f:\n            self.port = int(f.read())\n\n    def save(self):\n        pass\n"
        );
    }

    #[test]
    fn a_method_written_on_its_own_replaces_it_at_its_indentation() {
        let old = "class A:\n    def f(self):\n        return 1\n\n    def g(self):\n        return 2\n\n\ndef top():\n    pass\n";
        let out = py(old, "def g(self):\n    return 3\n").unwrap();
        assert_eq!(
            out,
            "class A:\n    def f(self):\n        return 1\n\n    def g(self):\n        return 3\n\n\ndef top():\n    pass\n"
        );
    }

    #[test]
    fn a_name_defined_in_two_classes_is_ambiguous_and_no_definition_is_invalid() {
        let old = "class A:\n    def f(self):\n        return 1\n\n\nclass B:\n    def f(self):\n        return 2\n";
        let e = merge(
            Lang::Python,
            "m.py",
            old,
            "def f(self):\n    return 3\n",
            None,
        )
        .unwrap_err();
        assert_eq!(e.code, WorkerCode::EditAmbiguous);
        let e = merge(Lang::Python, "m.py", STUB, "    return sum(xs)\n", None).unwrap_err();
        assert_eq!(e.code, WorkerCode::EditFormatInvalid);
        assert!(e.message.contains("m.py"), "{}", e.message);
    }

    #[test]
    fn decorators_move_with_their_function() {
        let old = "import functools\n\n\n@functools.cache\ndef f(n):\n    return n\n\n\ndef g():\n    pass\n";
        let out = py(
            old,
            "@functools.lru_cache(None)\ndef f(n):\n    return n + 1\n",
        )
        .unwrap();
        assert_eq!(
            out,
            "import functools\n\n\n@functools.lru_cache(None)\ndef f(n):\n    return n + 1\n\n\ndef g():\n    pass\n"
        );
    }

    #[test]
    fn rust_items_and_impl_members_are_merged_by_name() {
        let old = "use std::fmt;\n\n/// A port.\n#[derive(Debug)]\npub struct Port(u16);\n\nimpl Port {\n    pub fn new(p: u16) -> Self {\n        Port(p)\n    }\n\n    pub fn get(&self) -> u16 {\n        0\n    }\n}\n\nimpl fmt::Display for Port {\n    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {\n        write!(f, \"{}\", self.0)\n    }\n}\n\nfn parse(s: &str) -> u16 {\n    0\n}\n";
        let block = "use std::str::FromStr;\n\nimpl Port {\n    /// The number.\n    pub fn get(&self) -> u16 {\n        self.0\n    }\n}\n\nfn parse(s: &str) -> u16 {\n    u16::from_str(s).unwrap_or(0)\n}\n";
        let out = merge(Lang::Rust, "src/port.rs", old, block, None)
            .unwrap()
            .unwrap();
        assert_eq!(
            out,
            "use std::fmt;\nuse std::str::FromStr;\n\n/// A port.\n#[derive(Debug)]\npub struct Port(u16);\n\nimpl Port {\n    pub fn new(p: u16) -> Self {\n        Port(p)\n    }\n\n    /// The number.\n    pub fn get(&self) -> u16 {\n        self.0\n    }\n}\n\nimpl fmt::Display for Port {\n    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {\n        write!(f, \"{}\", self.0)\n    }\n}\n\nfn parse(s: &str) -> u16 {\n    u16::from_str(s).unwrap_or(0)\n}\n"
        );
    }

    #[test]
    fn other_languages_and_new_files_are_not_merged() {
        let mut answer = Answer {
            files: vec![
                crate::edits::WholeFile {
                    path: "a.js".into(),
                    content: "x\n".into(),
                    lines: None,
                },
                crate::edits::WholeFile {
                    path: "new.py".into(),
                    content: "y = 1\n".into(),
                    lines: None,
                },
            ],
            ..Answer::default()
        };
        let base =
            std::collections::BTreeMap::from([("a.js".to_string(), b"function a() {}\n".to_vec())]);
        expand(&mut answer, &base, &BTreeMap::new()).unwrap();
        assert_eq!(answer.files[0].content, "x\n");
        assert_eq!(answer.files[1].content, "y = 1\n");
    }

    #[test]
    fn in_a_file_shown_in_parts_only_the_shown_definitions_change() {
        let old =
            "def a():\n    return 1\n\n\ndef b():\n    return 2\n\n\ndef c():\n    return 3\n";
        let shown = [Region { start: 4, end: 6 }];
        let out = merge(
            Lang::Python,
            "big.py",
            old,
            "def b():\n    return 20\n",
            Some(&shown),
        )
        .unwrap()
        .unwrap();
        assert_eq!(out, old.replace("return 2", "return 20"));
        // Every definition written out is still not the whole file: `a` was never shown.
        let all = "def a():\n    return 10\n\ndef b():\n    return 2\n\ndef c():\n    return 3\n";
        let e = merge(Lang::Python, "big.py", old, all, Some(&shown)).unwrap_err();
        assert_eq!(e.code, WorkerCode::EditNoMatch);
        assert!(e.message.contains("big.py lines 5-6"), "{}", e.message);
    }

    #[test]
    fn two_blocks_for_one_file_are_merged_one_after_the_other() {
        let wf = |content: &str| WholeFile {
            path: "m.py".into(),
            content: content.into(),
            lines: None,
        };
        let mut answer = Answer {
            files: vec![
                wf("def total(xs):\n    return 1\n"),
                wf("def other():\n    return 2\n"),
            ],
            ..Answer::default()
        };
        let base = BTreeMap::from([("m.py".to_string(), STUB.as_bytes().to_vec())]);
        expand(&mut answer, &base, &BTreeMap::new()).unwrap();
        assert_eq!(answer.files.len(), 1);
        let out = &answer.files[0].content;
        assert!(
            out.contains("def total(xs):\n    return 1\n")
                && out.contains("def other():\n    return 2\n")
        );
        assert!(out.contains("def helper(x):"), "{out}");
    }

    #[test]
    fn a_rust_test_module_answered_with_one_test_keeps_the_others() {
        let old = "pub fn f() -> u8 {\n    1\n}\n\n#[cfg(test)]\nmod tests {\n    use super::*;\n\n    #[test]\n    fn one() {\n        assert_eq!(f(), 1);\n    }\n\n    #[test]\n    fn two() {\n        assert!(f() > 0);\n    }\n}\n";
        let block =
            "mod tests {\n    #[test]\n    fn three() {\n        assert_ne!(f(), 2);\n    }\n}\n";
        let out = merge(Lang::Rust, "src/lib.rs", old, block, None)
            .unwrap()
            .unwrap();
        assert!(
            out.contains("fn one()") && out.contains("fn two()"),
            "{out}"
        );
        assert!(out.contains("        assert!(f() > 0);\n    }\n\n    #[test]\n    fn three() {\n        assert_ne!(f(), 2);\n    }\n}\n"), "{out}");
        assert!(
            out.contains("#[cfg(test)]\nmod tests {\n    use super::*;"),
            "{out}"
        );
    }
}
