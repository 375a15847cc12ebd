//! Functions that have no body yet: a placeholder (`raise NotImplementedError`, `pass`, `...`; `todo!()`,
//! `unimplemented!()`) after the signature and the documentation.
//!
//! Why the prompt points them out: shown a file whose function already reads as complete, a small model writes the
//! placeholder back (Qwen2.5-Coder-1.5B answered three of 20 "implement `f` as its docstring says" requests with
//! the file unchanged; pointing at the placeholder, none, docs/BENCHMARKS.md).

use crate::defs::Lang;

/// A function whose body is only a placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stub {
    /// The function's name.
    pub name: String,
    /// The placeholder as written, e.g. `raise NotImplementedError`.
    pub placeholder: String,
}

/// The functions of `text` (a file of `lang`) whose body is only a placeholder, in file order. Empty when the file
/// does not parse.
pub fn find(lang: Lang, text: &str) -> Vec<Stub> {
    let mut parser = tree_sitter::Parser::new();
    if parser.set_language(&lang.grammar()).is_err() {
        return Vec::new();
    }
    let Some(tree) = parser.parse(text, None) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut cursor = tree.walk();
    loop {
        let node = cursor.node();
        if let Some(stub) = stub_of(lang, &node, text) {
            out.push(stub);
        }
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return out;
            }
        }
    }
}

fn stub_of(lang: Lang, node: &tree_sitter::Node, text: &str) -> Option<Stub> {
    let wanted = match lang {
        Lang::Python => "function_definition",
        Lang::Rust => "function_item",
    };
    if node.kind() != wanted {
        return None;
    }
    let name = text.get(node.child_by_field_name("name")?.byte_range())?;
    let body = node.child_by_field_name("body")?;
    let mut cursor = body.walk();
    let statements: Vec<tree_sitter::Node> = body
        .named_children(&mut cursor)
        .filter(|n| !n.kind().ends_with("comment"))
        .collect();
    let rest = match (lang, statements.as_slice()) {
        // A docstring first.
        (Lang::Python, [doc, rest]) if is_docstring(doc) => rest,
        (_, [rest]) => rest,
        _ => return None,
    };
    let placeholder = text.get(rest.byte_range())?.trim();
    is_placeholder(lang, placeholder).then(|| Stub {
        name: name.to_owned(),
        placeholder: placeholder.to_owned(),
    })
}

fn is_docstring(node: &tree_sitter::Node) -> bool {
    node.kind() == "expression_statement"
        && node
            .named_child(0)
            .is_some_and(|c| c.kind() == "string" || c.kind() == "concatenated_string")
}

fn is_placeholder(lang: Lang, s: &str) -> bool {
    match lang {
        Lang::Python => {
            s == "pass"
                || s == "..."
                || s.strip_prefix("raise NotImplementedError")
                    .is_some_and(|r| r.is_empty() || r.starts_with('('))
        }
        Lang::Rust => ["todo!", "unimplemented!"]
            .iter()
            .any(|m| s.starts_with(m) && s.trim_end_matches(';').ends_with(')')),
    }
}

/// The placeholders among `stubs` that `request` names (as a whole word, with or without backticks).
pub fn named_in<'s>(stubs: &'s [Stub], request: &str) -> Vec<&'s Stub> {
    stubs
        .iter()
        .filter(|s| names_word(request, &s.name))
        .collect()
}

fn names_word(text: &str, word: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(lang: Lang, text: &str) -> Vec<(String, String)> {
        find(lang, text)
            .into_iter()
            .map(|s| (s.name, s.placeholder))
            .collect()
    }

    #[test]
    fn python_placeholders_after_a_docstring_or_alone() {
        let src = "def encode(s):\n    \"\"\"Done.\"\"\"\n    return s[::-1]\n\n\ndef decode(s: str):\n    \"\"\"\n    Undo encode.\n    \"\"\"\n    raise NotImplementedError\n\n\nclass C:\n    def m(self):\n        pass\n\n    def n(self):\n        # later\n        ...\n\n    def o(self):\n        raise NotImplementedError(\"o\")\n\n    def p(self):\n        raise NotImplementedErrorish\n";
        assert_eq!(
            names(Lang::Python, src),
            [
                ("decode".to_owned(), "raise NotImplementedError".to_owned()),
                ("m".to_owned(), "pass".to_owned()),
                ("n".to_owned(), "...".to_owned()),
                (
                    "o".to_owned(),
                    "raise NotImplementedError(\"o\")".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn a_body_with_more_than_the_placeholder_is_no_stub() {
        let src = "def f(x):\n    \"\"\"Doc.\"\"\"\n    if x:\n        raise NotImplementedError\n    return 1\n";
        assert!(find(Lang::Python, src).is_empty());
    }

    #[test]
    fn rust_todo_and_unimplemented() {
        let src = "/// Parses.\npub fn parse(s: &str) -> u16 {\n    todo!()\n}\n\nimpl P {\n    fn get(&self) -> u8 {\n        unimplemented!(\"later\");\n    }\n    fn ok(&self) -> u8 {\n        1\n    }\n}\n";
        assert_eq!(
            names(Lang::Rust, src),
            [
                ("parse".to_owned(), "todo!()".to_owned()),
                ("get".to_owned(), "unimplemented!(\"later\");".to_owned()),
            ]
        );
    }

    #[test]
    fn only_the_stubs_the_request_names_count() {
        let stubs = find(
            Lang::Python,
            "def decode(s):\n    pass\n\n\ndef decoder(s):\n    pass\n\n\ndef other():\n    pass\n",
        );
        let named: Vec<&str> = named_in(&stubs, "feat: implement `decode` as its docstring says")
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(named, ["decode"]);
        assert!(named_in(&stubs, "make decoders faster").is_empty());
    }
}
