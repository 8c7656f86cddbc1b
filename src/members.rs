//! A token's header and claims checked as text: one pass validates the JSON object as strictly
//! as [`crate::json::parse_object`] does (RFC 8259 syntax, no duplicate member names at any
//! depth, nesting bounded, numbers within `f64` range, no lone surrogates) and indexes its
//! top-level members, without building maps or values. Verification reads a handful of
//! members; the JS side parses the text itself, so the maps were built only to be dropped.
//! A differential test holds this reader and the strict parser to the same verdicts.

use std::borrow::Cow;

use crate::json::{parse_object, parse_strict};

/// The top-level members of a strictly valid JSON object: names (unescaped) and raw values.
pub(crate) struct Members<'a> {
    list: Vec<(Cow<'a, str>, Member<'a>)>,
}

/// One member's value as JSON text (valid: it was checked with the whole object).
#[derive(Clone, Copy)]
pub(crate) struct Member<'a>(&'a str);

impl<'a> Members<'a> {
    /// Validates `text` as a JSON object nested at most `max_depth` deep and indexes its
    /// members. A refusal carries the strict parser's message (it names line and column).
    pub(crate) fn parse(text: &'a str, max_depth: usize) -> Result<Members<'a>, String> {
        // Room for a typical header or claims set up front.
        let mut scan = Scan { text, at: 0, names: Vec::new(), max_depth };
        let mut list = Vec::with_capacity(8);
        scan.ws();
        let ok = scan.peek() == Some(b'{') && scan.object(0, Some(&mut list)).is_ok() && {
            scan.ws();
            scan.at == text.len()
        };
        if ok {
            return Ok(Members { list });
        }
        // Refusals are rare: the strict parser says why. Should it accept what this reader
        // refused, the text is still refused.
        Err(parse_object(text.as_bytes(), max_depth).err().unwrap_or_else(|| "it is not strictly valid JSON".into()))
    }

    /// The member named `name`.
    pub(crate) fn get(&self, name: &str) -> Option<Member<'a>> {
        self.list.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
    }

    /// Whether a member named `name` is present (with any value, `null` included).
    pub(crate) fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

impl<'a> Member<'a> {
    /// The JSON type, worded as [`crate::json::kind`] words it.
    pub(crate) fn kind(self) -> &'static str {
        match self.0.as_bytes()[0] {
            b'{' => "an object",
            b'[' => "an array",
            b'"' => "a string",
            b't' | b'f' => "a boolean",
            b'n' => "null",
            _ => "a number",
        }
    }

    /// The string, when the value is one.
    pub(crate) fn as_str(self) -> Option<Cow<'a, str>> {
        let mut scan = Scan::known(self.0);
        (scan.peek() == Some(b'"')).then(|| scan.string().ok()).flatten()
    }

    /// The boolean, when the value is one.
    pub(crate) fn as_bool(self) -> Option<bool> {
        match self.0 {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }
    }

    /// The number as `f64`, when the value is one (as `serde_json::Value::as_f64` gives it).
    pub(crate) fn as_f64(self) -> Option<f64> {
        if !matches!(self.0.as_bytes()[0], b'-' | b'0'..=b'9') {
            return None;
        }
        match simple_integer(self.0) {
            true => {
                let digits = self.0.trim_start_matches('-');
                let n = digits.bytes().fold(0i64, |n, d| n * 10 + i64::from(d - b'0'));
                Some(if digits.len() < self.0.len() { -n } else { n } as f64)
            }
            false => number(self.0),
        }
    }

    /// Whether the value is an array.
    pub(crate) fn is_array(self) -> bool {
        self.0.as_bytes()[0] == b'['
    }

    /// The strings of an array of strings; `None` for anything else (an empty array gives
    /// an empty list).
    pub(crate) fn strings(self) -> Option<Vec<Cow<'a, str>>> {
        if !self.is_array() {
            return None;
        }
        let mut scan = Scan::known(self.0);
        let mut out = Vec::new();
        scan.elements(0, |s| {
            if s.peek() != Some(b'"') {
                return Err(Refused);
            }
            out.push(s.string()?);
            Ok(())
        })
        .ok()?;
        Some(out)
    }
}

/// A number's value as serde_json reads it (through the strict parser, whose number code is
/// in the build anyway); `None` when the text is not exactly one number within range.
fn number(text: &str) -> Option<f64> {
    parse_strict(text.as_bytes(), 0).ok()?.as_f64()
}

/// `0|-?[1-9][0-9]{0,17}`: an integer that always fits `i64` (no range check needed). `-0` is
/// not one: serde_json reads it as the float −0.0.
fn simple_integer(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s).as_bytes();
    match digits {
        [b'0'] => digits.len() == s.len(),
        [b'1'..=b'9', rest @ ..] => rest.len() < 18 && rest.iter().all(u8::is_ascii_digit),
        _ => false,
    }
}

/// A position in JSON text being checked, and the member names of the objects open there
/// (for the duplicate check).
struct Scan<'a> {
    text: &'a str,
    at: usize,
    names: Vec<Cow<'a, str>>,
    max_depth: usize,
}

/// A refusal; the strict parser words it (see [`Members::parse`]).
struct Refused;

type Step<T = ()> = Result<T, Refused>;

impl<'a> Scan<'a> {
    /// A scan of text already known to be valid (a member's value), without a depth bound.
    fn known(text: &'a str) -> Scan<'a> {
        Scan { text, at: 0, names: Vec::new(), max_depth: usize::MAX }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn bump(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.at += 1;
        Some(b)
    }

    fn expect(&mut self, b: u8) -> Step {
        match self.bump() {
            Some(c) if c == b => Ok(()),
            _ => Err(Refused),
        }
    }

    /// JSON's four whitespace bytes.
    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\t' | b'\r')) {
            self.at += 1;
        }
    }

    /// One value at nesting `depth` (the number of containers around it).
    fn value(&mut self, depth: usize) -> Step {
        match self.peek() {
            Some(b'{') => self.object(depth, None),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(drop),
            Some(b't') => self.literal("true"),
            Some(b'f') => self.literal("false"),
            Some(b'n') => self.literal("null"),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(Refused),
        }
    }

    fn literal(&mut self, word: &str) -> Step {
        match self.text[self.at..].starts_with(word) {
            true => {
                self.at += word.len();
                Ok(())
            }
            false => Err(Refused),
        }
    }

    /// A number: RFC 8259's grammar, and within `f64` range as serde_json requires. A short
    /// integer is checked here; any other form by serde_json's own number parser, so that the
    /// two agree on every edge (leading zeros, lone signs and points, overflow).
    fn number(&mut self) -> Step {
        let rest = &self.text.as_bytes()[self.at..];
        // Bytes that may continue a number; a run that is not exactly one number is refused
        // either way (none of them may follow a number in JSON).
        let len = rest
            .iter()
            .position(|b| !matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
            .unwrap_or(rest.len());
        let run = &self.text[self.at..self.at + len];
        if !simple_integer(run) && number(run).is_none() {
            return Err(Refused);
        }
        self.at += len;
        Ok(())
    }

    /// Enters a container at its opening byte, refusing it past the depth bound; `true` when
    /// it closes at once with `close`.
    fn open(&mut self, depth: usize, close: u8) -> Step<bool> {
        if depth >= self.max_depth {
            return Err(Refused);
        }
        self.at += 1;
        self.ws();
        let empty = self.peek() == Some(close);
        if empty {
            self.at += 1;
        }
        Ok(empty)
    }

    fn array(&mut self, depth: usize) -> Step {
        self.elements(depth, |s| s.value(depth + 1))
    }

    /// An array at its opening bracket, `each` reading one element (at its first byte).
    fn elements(&mut self, depth: usize, mut each: impl FnMut(&mut Self) -> Step) -> Step {
        if self.open(depth, b']')? {
            return Ok(());
        }
        loop {
            self.ws();
            each(self)?;
            self.ws();
            match self.bump() {
                Some(b',') => {}
                Some(b']') => return Ok(()),
                _ => return Err(Refused),
            }
        }
    }

    /// An object. With `top`, it is the top level and its members are collected there; a
    /// nested object's names are kept in `self.names` until it closes.
    fn object(&mut self, depth: usize, mut top: Option<&mut Vec<(Cow<'a, str>, Member<'a>)>>) -> Step {
        if self.open(depth, b'}')? {
            return Ok(());
        }
        let first = self.names.len();
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return Err(Refused);
            }
            let name = self.string()?;
            self.ws();
            self.expect(b':')?;
            self.ws();
            let start = self.at;
            self.value(depth + 1)?;
            match top.as_deref_mut() {
                Some(list) => list.push((name, Member(&self.text[start..self.at]))),
                None => self.names.push(name),
            }
            self.ws();
            match self.bump() {
                Some(b',') => {}
                Some(b'}') => break,
                _ => return Err(Refused),
            }
        }
        let unique = match top {
            Some(list) => distinct(list),
            None => distinct(&self.names[first..]),
        };
        self.names.truncate(first);
        if unique {
            Ok(())
        } else {
            Err(Refused)
        }
    }

    /// A string at the opening quote; its value, borrowed from the text unless it has escapes.
    fn string(&mut self) -> Step<Cow<'a, str>> {
        let bytes = self.text.as_bytes();
        let start = self.at + 1;
        // Most strings have no escape: the run up to the closing quote is the value.
        let mut i = plain_run(bytes, start);
        if bytes.get(i) == Some(&b'"') {
            self.at = i + 1;
            return Ok(Cow::Borrowed(&self.text[start..i]));
        }
        let mut out = String::from(&self.text[start..i]);
        loop {
            // Runs between quotes, backslashes and control bytes (all ASCII, so each run ends
            // at a character boundary) are copied whole.
            let run = i;
            i = plain_run(bytes, i);
            out.push_str(&self.text[run..i]);
            match bytes.get(i) {
                Some(b'"') => {
                    self.at = i + 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    let (c, len) = escape(&bytes[i + 1..]).ok_or(Refused)?;
                    out.push(c);
                    i += 1 + len;
                }
                _ => return Err(Refused),
            }
        }
    }
}

/// Bytes that end a run of plain string content: the quote, the backslash and the control
/// bytes below 0x20.
const STRING_STOP: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 0x20 {
        t[c] = true;
        c += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

/// The end of the plain string content starting at `i` (one table lookup per byte).
fn plain_run(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && !STRING_STOP[bytes[i] as usize] {
        i += 1;
    }
    i
}

/// The character an escape stands for (the bytes after the backslash) and how many bytes it
/// took. A `\u` escape of a surrogate must pair a leading one with a trailing one, as
/// serde_json requires for text.
fn escape(b: &[u8]) -> Option<(char, usize)> {
    let simple = match b.first()? {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => {
            let hi = hex4(b.get(1..5)?)?;
            return match hi {
                0xD800..=0xDBFF => {
                    if b.get(5..7)? != b"\\u" {
                        return None;
                    }
                    let lo = hex4(b.get(7..11)?)?;
                    if !(0xDC00..=0xDFFF).contains(&lo) {
                        return None;
                    }
                    char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)).map(|c| (c, 11))
                }
                _ => char::from_u32(hi).map(|c| (c, 5)),
            };
        }
        _ => return None,
    };
    Some((simple, 1))
}

/// Four hex digits (either case).
fn hex4(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0, |n, &c| Some(n << 4 | (c as char).to_digit(16)?))
}

/// A member name, or a member with its name.
trait Named {
    fn name(&self) -> &str;
}

impl Named for Cow<'_, str> {
    fn name(&self) -> &str {
        self
    }
}

impl Named for (Cow<'_, str>, Member<'_>) {
    fn name(&self) -> &str {
        &self.0
    }
}

/// Whether no two names are equal: pairwise for a typical object, by sorting past 16 names
/// (so that an object with thousands of members costs n log n, not n²).
fn distinct<T: Named>(names: &[T]) -> bool {
    if names.len() <= 16 {
        return names.iter().enumerate().all(|(i, a)| names[..i].iter().all(|b| a.name() != b.name()));
    }
    let mut sorted: Vec<&str> = names.iter().map(Named::name).collect();
    heapsort(&mut sorted);
    sorted.windows(2).all(|w| w[0] != w[1])
}

/// Sorts in n log n at worst, in a few hundred bytes of wasm (the standard library's sort
/// added 9 KB to the module for this one rare use).
fn heapsort(v: &mut [&str]) {
    fn sift(v: &mut [&str], mut root: usize, end: usize) {
        loop {
            let mut child = 2 * root + 1;
            if child >= end {
                return;
            }
            if child + 1 < end && v[child] < v[child + 1] {
                child += 1;
            }
            if v[root] >= v[child] {
                return;
            }
            v.swap(root, child);
            root = child;
        }
    }
    for i in (0..v.len() / 2).rev() {
        sift(v, i, v.len());
    }
    for end in (1..v.len()).rev() {
        v.swap(0, end);
        sift(v, 0, end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::{kind, TOKEN_DEPTH};
    use proptest::prelude::*;
    use serde_json::Value;

    /// Same verdict as the strict parser; when both accept, the same members and values.
    fn agrees(text: &str, depth: usize) {
        let strict = parse_object(text.as_bytes(), depth);
        let ours = Members::parse(text, depth);
        match (&strict, &ours) {
            (Ok(map), Ok(m)) => {
                assert_eq!(m.list.len(), map.len(), "{text:?}");
                for ((name, v), (n, member)) in map.iter().zip(&m.list) {
                    assert_eq!(name, n, "{text:?}: member order");
                    assert_eq!(member.kind(), kind(v), "{text:?}: {name}");
                    assert_eq!(member.as_str().as_deref(), v.as_str(), "{text:?}: {name}");
                    assert_eq!(member.as_bool(), v.as_bool(), "{text:?}: {name}");
                    assert_eq!(member.as_f64().map(f64::to_bits), v.as_f64().map(f64::to_bits), "{text:?}: {name}");
                    let strings = v.as_array().and_then(|a| a.iter().map(|x| x.as_str()).collect::<Option<Vec<_>>>());
                    assert_eq!(
                        member.strings().map(|s| s.iter().map(|x| x.to_string()).collect::<Vec<_>>()),
                        strings.map(|s| s.iter().map(|x| x.to_string()).collect()),
                        "{text:?}: {name}"
                    );
                    assert_eq!(serde_json::from_str::<Value>(member.0).ok().as_ref(), Some(v), "{text:?}: {name} text");
                }
            }
            (Err(a), Err(b)) => assert_eq!(a, b, "the refusal carries the strict parser's message"),
            _ => {
                panic!("{text:?} (depth {depth}): strict parser {:?}, member reader {:?}", strict.is_ok(), ours.is_ok())
            }
        }
    }

    #[test]
    fn heapsort_sorts() {
        for n in 0..40usize {
            let words: Vec<String> = (0..n).map(|i| format!("{}", (i * 7919 + 13) % 23)).collect();
            let mut ours: Vec<&str> = words.iter().map(String::as_str).collect();
            let mut reference = ours.clone();
            heapsort(&mut ours);
            reference.sort();
            assert_eq!(ours, reference);
        }
    }

    #[test]
    fn agrees_with_the_strict_parser_on_edge_cases() {
        let cases = [
            r#"{}"#,
            " {} ",
            "\t{\n}\r\n",
            "",
            " ",
            "{",
            "}",
            "[]",
            "1",
            "\"a\"",
            "null",
            "{} {}",
            "{}x",
            "\u{feff}{}",
            r#"{"a":1}"#,
            r#"{"a":1,}"#,
            r#"{,}"#,
            r#"{"a" 1}"#,
            r#"{"a":}"#,
            r#"{"a"}"#,
            r#"{a:1}"#,
            r#"{'a':1}"#,
            r#"{"a":1 "b":2}"#,
            r#"{"a":[1,]}"#,
            r#"{"a":[,1]}"#,
            r#"{"a":[1 2]}"#,
            r#"{"a":[]}"#,
            r#"{"a":[ ]}"#,
            r#"{"a":true,"b":false,"c":null}"#,
            r#"{"a":tru}"#,
            r#"{"a":truex}"#,
            r#"{"a":nul}"#,
            r#"{"a":True}"#,
            r#"{"a":NaN}"#,
            r#"{"a":Infinity}"#,
            r#"{"a":-Infinity}"#,
            r#"{"a":undefined}"#,
            // numbers
            r#"{"a":0}"#,
            r#"{"a":-0}"#,
            r#"{"a":01}"#,
            r#"{"a":-01}"#,
            r#"{"a":-}"#,
            r#"{"a":+1}"#,
            r#"{"a":1.}"#,
            r#"{"a":.5}"#,
            r#"{"a":1.5}"#,
            r#"{"a":1e5}"#,
            r#"{"a":1E+5}"#,
            r#"{"a":1e-5}"#,
            r#"{"a":1e}"#,
            r#"{"a":1e+}"#,
            r#"{"a":1.5e3.2}"#,
            r#"{"a":1-2}"#,
            r#"{"a":1..2}"#,
            r#"{"a":1e400}"#,
            r#"{"a":-1e400}"#,
            r#"{"a":1e-400}"#,
            r#"{"a":1.7976931348623157e308}"#,
            r#"{"a":1.7976931348623159e308}"#,
            r#"{"a":4.9e-324}"#,
            r#"{"a":999999999999999999}"#,
            r#"{"a":9999999999999999999}"#,
            r#"{"a":18446744073709551615}"#,
            r#"{"a":18446744073709551616}"#,
            r#"{"a":-9223372036854775808}"#,
            r#"{"a":-9223372036854775809}"#,
            r#"{"a":123456789012345678901234567890}"#,
            r#"{"a":0.1}"#,
            r#"{"a":100000000000000000000000e-20}"#,
            r#"{"exp":4000000000,"iat":1800000000.5,"nbf":-5}"#,
            // strings
            r#"{"a":"x\"y"}"#,
            r#"{"a":"\\"}"#,
            r#"{"a":"\/"}"#,
            r#"{"a":"\b\f\n\r\t"}"#,
            r#"{"a":"\x"}"#,
            r#"{"a":"\'"}"#,
            r#"{"a":"\u0041"}"#,
            r#"{"a":"\u00e9\u00E9"}"#,
            r#"{"a":"\u004"}"#,
            r#"{"a":"\u00G1"}"#,
            r#"{"a":"\u0000"}"#,
            r#"{"a":"\ud83d\ude00"}"#,
            r#"{"a":"\uD83D\uDE00"}"#,
            r#"{"a":"\ud83d"}"#,
            r#"{"a":"\ud83dx"}"#,
            r#"{"a":"\ud83d\u0041"}"#,
            r#"{"a":"\ude00"}"#,
            r#"{"a":"\ude00\ud83d"}"#,
            r#"{"a":"\ud83d\ud83d\ude00"}"#,
            r#"{"a":"\ud83d\n"}"#,
            r#"{"a":"\ud83d\"}"#,
            r#"{"a":"é🦀"}"#,
            "{\"a\":\"\u{7f}\"}",
            "{\"a\":\"\u{1f}\"}",
            "{\"a\":\"\t\"}",
            "{\"a\":\"\n\"}",
            r#"{"a":"unterminated}"#,
            r#"{"a":"x\"}"#,
            // names and duplicates
            r#"{"a":1,"a":2}"#,
            r#"{"a":1,"\u0061":2}"#,
            r#"{"\u0061":1,"a":2}"#,
            r#"{"a\u0000":1,"a":2}"#,
            r#"{"":1,"":2}"#,
            r#"{"":1}"#,
            r#"{"é":1,"\u00e9":2}"#,
            r#"{"x":{"b":1,"b":1}}"#,
            r#"{"x":[{"b":1},{"b":1}]}"#,
            r#"{"x":{"b":1},"y":{"b":1}}"#,
            r#"{"x":{"x":{"x":1}}}"#,
            r#"{"a\"b":1,"a\"b":2}"#,
            r#"{"a":{"a":1},"b":2}"#,
        ];
        for c in cases {
            agrees(c, TOKEN_DEPTH);
        }
        // Many members: the sorted duplicate check.
        let many: Vec<String> = (0..40).map(|i| format!("\"m{i}\":{i}")).collect();
        agrees(&format!("{{{}}}", many.join(",")), TOKEN_DEPTH);
        agrees(&format!("{{{},\"m7\":0}}", many.join(",")), TOKEN_DEPTH);
        agrees(&format!("{{\"x\":{{{},\"m39\":0}}}}", many.join(",")), TOKEN_DEPTH);
        agrees(&format!("{{{},\"m\\u0033\":0}}", many.join(",")), TOKEN_DEPTH);
        // Depth: exactly at the bound and one past it, through objects and arrays.
        for depth in [1, 2, 4, 16] {
            for extra in 0..3 {
                let levels = depth - 1 + extra;
                agrees(&format!("{{\"a\":{}1{}}}", "[".repeat(levels), "]".repeat(levels)), depth);
                agrees(&format!("{{\"a\":{}1{}}}", "{\"b\":".repeat(levels), "}".repeat(levels)), depth);
            }
        }
        agrees(&format!("{{\"a\":{}", "[".repeat(100_000)), TOKEN_DEPTH);
    }

    /// A JSON value as text, with duplicates, escapes, surrogates and odd numbers in the mix.
    fn json_text() -> impl Strategy<Value = String> {
        let name = prop_oneof![
            Just("a".to_string()),
            Just("\\u0061".to_string()),
            Just("b".to_string()),
            Just("exp".to_string()),
            Just("\\ud83d\\ude00".to_string()),
            Just("\\n".to_string()),
            "[a-c]{0,2}",
        ];
        let leaf = prop_oneof![
            Just("null".to_string()),
            Just("true".to_string()),
            Just("false".to_string()),
            any::<i64>().prop_map(|n| n.to_string()),
            any::<u64>().prop_map(|n| n.to_string()),
            any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| format!("{f:e}")),
            "-?[0-9]{1,25}(\\.[0-9]{1,5})?([eE][-+]?[0-9]{1,4})?",
            "\"([a-zé🦀 ]|\\\\[nrt\"/\\\\bf]|\\\\u[0-9a-fA-F]{4}|\\\\u[dD][89abAB][0-9a-f]{2}\\\\u[dD][c-fC-F][0-9a-f]{2}){0,6}\"",
        ];
        leaf.prop_recursive(5, 48, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(|v| format!("[{}]", v.join(","))),
                prop::collection::vec((name.clone(), inner), 0..6).prop_map(|m| {
                    format!("{{{}}}", m.iter().map(|(k, v)| format!("\"{k}\" : {v}")).collect::<Vec<_>>().join(","))
                }),
            ]
        })
        .prop_map(|v| format!("{{\"v\":{v},\"x\":1}}"))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2048, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn agrees_on_generated_json(text in json_text(), depth in 1usize..8) {
            agrees(&text, depth);
        }

        /// Damaged JSON: a byte range replaced by JSON's significant characters.
        #[test]
        fn agrees_on_damaged_json(text in json_text(), at in any::<prop::sample::Index>(), cut in 0usize..3, with in "[\\[\\]{}\",:\\\\u0-9eE+.\\- tfn\\x00\\x1f]{0,3}") {
            let bytes = text.as_bytes();
            let i = at.index(bytes.len() + 1);
            let j = (i + cut).min(bytes.len());
            let damaged = [&bytes[..i], with.as_bytes(), &bytes[j..]].concat();
            if let Ok(s) = String::from_utf8(damaged) {
                agrees(&s, TOKEN_DEPTH);
            }
        }
    }
}
