//! XML for the SAML add-ons: a writer whose output is already in Exclusive XML
//! Canonicalization form (so the bytes we digest are the bytes we send), and a small reader
//! for the flat answers of token endpoints (AWS STS). No DTDs, no entities beyond XML's five.

use std::fmt::Write as _;

/// Writes elements in exclusive-c14n form: start and end tags for empty elements, namespace
/// declarations first and attributes sorted by name, canonical escaping, no XML declaration.
/// A value that XML 1.0 cannot carry (control characters, U+FFFE/U+FFFF) is recorded and
/// reported by [`Writer::finish`], so no caller can forget the check.
#[derive(Default)]
pub(crate) struct Writer {
    out: String,
    bad: Option<String>,
}

/// Whether XML 1.0 can carry `c` (its `Char` production).
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

impl Writer {
    /// Opens `name` with an optional namespace declaration `(prefix, uri)` and attributes
    /// (sorted here; c14n orders unqualified attributes by name).
    pub fn open(&mut self, name: &str, ns: Option<(&str, &str)>, attrs: &[(&str, &str)]) {
        self.out.push('<');
        self.out.push_str(name);
        if let Some((prefix, uri)) = ns {
            let _ = write!(self.out, " xmlns:{prefix}=\"");
            self.escape(uri, true);
            self.out.push('"');
        }
        let mut sorted: Vec<&(&str, &str)> = attrs.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        for (k, v) in sorted {
            let _ = write!(self.out, " {k}=\"");
            self.escape(v, true);
            self.out.push('"');
        }
        self.out.push('>');
    }

    /// Closes `name`.
    pub fn close(&mut self, name: &str) {
        let _ = write!(self.out, "</{name}>");
    }

    /// Character data.
    pub fn text(&mut self, s: &str) {
        self.escape(s, false);
    }

    /// An element holding only text.
    pub fn leaf(&mut self, name: &str, ns: Option<(&str, &str)>, attrs: &[(&str, &str)], text: &str) {
        self.open(name, ns, attrs);
        self.text(text);
        self.close(name);
    }

    /// Bytes that are already canonical XML (a signature we built).
    pub fn raw(&mut self, xml: &str) {
        self.out.push_str(xml);
    }

    /// The document, or the first value XML cannot carry.
    pub fn finish(self) -> Result<String, String> {
        match self.bad {
            Some(b) => Err(b),
            None => Ok(self.out),
        }
    }

    /// Canonical escaping (C14N 1.0 §2.3): text escapes `& < >` and CR; attribute values
    /// escape `& < "` and TAB, LF, CR (a parser would normalize them to spaces otherwise).
    fn escape(&mut self, s: &str, attr: bool) {
        for c in s.chars() {
            match c {
                '&' => self.out.push_str("&amp;"),
                '<' => self.out.push_str("&lt;"),
                '>' if !attr => self.out.push_str("&gt;"),
                '"' if attr => self.out.push_str("&quot;"),
                '\t' if attr => self.out.push_str("&#x9;"),
                '\n' if attr => self.out.push_str("&#xA;"),
                '\r' => self.out.push_str("&#xD;"),
                c if xml_char(c) => self.out.push(c),
                c => {
                    if self.bad.is_none() {
                        self.bad = Some(format!("U+{:04X}", c as u32));
                    }
                }
            }
        }
    }
}

/// Whether every character of `s` can be written as XML 1.0.
pub(crate) fn is_xml_text(s: &str) -> bool {
    s.chars().all(xml_char)
}

/// An element read back: its local name (prefix dropped), text, children.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Element {
    pub name: String,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The text of the first child named `name`.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str())
    }
}

/// Largest document [`read`] accepts, and its deepest nesting.
const MAX_READ: usize = 256 * 1024;
const MAX_DEPTH: usize = 16;

/// Reads a small XML document into a tree: elements, text (five entities and character
/// references), CDATA; the declaration, comments and processing instructions are skipped.
/// Attributes are read past, not kept. DOCTYPE is refused (no entity expansion, ever).
pub(crate) fn read(doc: &str) -> Result<Element, String> {
    if doc.len() > MAX_READ {
        return Err(format!("the document is over {MAX_READ} bytes"));
    }
    let mut stack: Vec<Element> = vec![Element::default()];
    let mut rest = doc;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = &after[after.find("-->").ok_or("an unterminated comment")? + 3..];
        } else if let Some(after) = rest.strip_prefix("<?") {
            rest = &after[after.find("?>").ok_or("an unterminated processing instruction")? + 2..];
        } else if let Some(after) = rest.strip_prefix("<![CDATA[") {
            let end = after.find("]]>").ok_or("an unterminated CDATA section")?;
            stack.last_mut().ok_or("text outside the root")?.text.push_str(&after[..end]);
            rest = &after[end + 3..];
        } else if rest.starts_with("<!") {
            return Err("DOCTYPE and other declarations are not accepted".into());
        } else if let Some(after) = rest.strip_prefix("</") {
            let end = after.find('>').ok_or("an unterminated end tag")?;
            let name = local(after[..end].trim());
            let el = stack.pop().filter(|_| !stack.is_empty()).ok_or("an end tag without a start tag")?;
            if el.name != name {
                return Err(format!("the end tag </{name}> does not match <{}>", el.name));
            }
            stack.last_mut().ok_or("an end tag without a start tag")?.children.push(el);
            rest = &after[end + 1..];
        } else if let Some(after) = rest.strip_prefix('<') {
            let end = tag_end(after).ok_or("an unterminated start tag")?;
            let tag = &after[..end];
            let (tag, empty) = match tag.strip_suffix('/') {
                Some(t) => (t, true),
                None => (tag, false),
            };
            let name = local(tag.split(|c: char| c.is_ascii_whitespace()).next().unwrap_or(""));
            if name.is_empty() {
                return Err("a start tag without a name".into());
            }
            let el = Element { name: name.to_owned(), ..Element::default() };
            if empty {
                stack.last_mut().ok_or("an element after the root")?.children.push(el);
            } else {
                if stack.len() > MAX_DEPTH {
                    return Err(format!("elements nest deeper than {MAX_DEPTH}"));
                }
                stack.push(el);
            }
            rest = &after[end + 1..];
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            let text = unescape(&rest[..end])?;
            stack.last_mut().ok_or("text outside the root")?.text.push_str(&text);
            rest = &rest[end..];
        }
    }
    let mut top = stack.pop().ok_or("no root element")?;
    if !stack.is_empty() {
        return Err("an element is not closed".into());
    }
    if top.children.len() != 1 || !top.text.trim().is_empty() {
        return Err("the document must have exactly one root element".into());
    }
    Ok(top.children.remove(0))
}

/// The `>` closing a start tag, skipping quoted attribute values.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(i),
            (None, '<') => return None,
            _ => {}
        }
    }
    None
}

fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

fn unescape(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let end = after.find(';').filter(|e| *e <= 10).ok_or("a bare & in text")?;
        let c = match &after[..end] {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            r => {
                let n = match r.strip_prefix("#x") {
                    Some(h) => u32::from_str_radix(h, 16).ok(),
                    None => r.strip_prefix('#').and_then(|d| d.parse().ok()),
                };
                n.and_then(char::from_u32).filter(|c| xml_char(*c)).ok_or_else(|| format!("unknown entity &{r};"))?
            }
        };
        out.push(c);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writer_is_canonical() {
        let mut w = Writer::default();
        w.open("a:x", Some(("a", "urn:a")), &[("z", "1\t\n\r\"<&>"), ("B", "2")]);
        w.text("t<&>\r\n\"'");
        w.leaf("a:y", None, &[], "");
        w.close("a:x");
        assert_eq!(
            w.finish().unwrap(),
            "<a:x xmlns:a=\"urn:a\" B=\"2\" z=\"1&#x9;&#xA;&#xD;&quot;&lt;&amp;>\">t&lt;&amp;&gt;&#xD;\n\"'<a:y></a:y></a:x>"
        );
        let mut w = Writer::default();
        w.leaf("x", None, &[], "a\u{1}b");
        assert_eq!(w.finish().unwrap_err(), "U+0001");
    }

    #[test]
    fn reader_reads_and_refuses() {
        let doc = "<?xml version=\"1.0\"?><!-- c --><r xmlns=\"urn:x\"><a k='>'>1 &amp; &#x41;</a><b/><c><![CDATA[<x>]]></c></r>";
        let r = read(doc).unwrap();
        assert_eq!(r.name, "r");
        assert_eq!(r.child_text("a"), Some("1 & A"));
        assert_eq!(r.child_text("b"), Some(""));
        assert_eq!(r.child_text("c"), Some("<x>"));
        for bad in [
            "<!DOCTYPE r [<!ENTITY e \"x\">]><r>&e;</r>",
            "<r><a></r>",
            "<r>&e;</r>",
            "<r>",
            "</r>",
            "<r/><s/>",
            "text",
            "<r>&#0;</r>",
        ] {
            assert!(read(bad).is_err(), "{bad}");
        }
        let deep = "<a>".repeat(40) + &"</a>".repeat(40);
        assert!(read(&deep).is_err());
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            /// Whatever a provider sends, reading it returns (no panic, bounded nesting).
            #[test]
            fn read_never_panics(doc in "[<>/!?&;#x\\[\\]a-c:= \"'-]{0,64}") {
                let _ = read(&doc);
            }

            /// Text and attribute values written by the writer read back unchanged.
            #[test]
            fn written_text_reads_back(text in "\\PC{0,40}", attr in "[ -~\t\r\n]{0,20}") {
                let mut w = Writer::default();
                w.open("r", None, &[("a", &attr)]);
                w.text(&text);
                w.close("r");
                let doc = w.finish().unwrap();
                prop_assert_eq!(read(&doc).unwrap().text, text);
            }
        }
    }
}
