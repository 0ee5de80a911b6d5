//! serde's messages in the words of the reader of a scenario, not of its programmer.

/// `message` (serde's, e.g. "invalid type: string \"abc\", expected u32") in plain words
/// ("expected a whole number ≥ 0, found the text \"abc\""). Messages it does not recognise
/// keep their words, with any Rust type name replaced.
#[must_use]
pub fn plain(message: &str) -> String {
    // toml repeats the key path after a newline; the problem carries it already.
    let message = message.split("\nin `").next().unwrap_or(message).trim();
    for lead in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(lead)
            && let Some((found, expected)) = rest.split_once(", expected ")
        {
            return format!(
                "expected {}, found {}",
                expected_words(expected),
                found_words(found)
            );
        }
    }
    if message.starts_with("data did not match any variant of untagged enum") {
        return "a value of a type this key does not take".to_owned();
    }
    if let Some(rest) = message.strip_prefix("invalid length ")
        && let Some((n, expected)) = rest.split_once(", expected ")
    {
        return format!("expected {}, found {n} entries", expected_words(expected));
    }
    if let Some(rest) = message.strip_prefix("expected ") {
        return format!("expected {}", expected_words(rest));
    }
    if message == "input contains invalid characters"
        || message == "premature end of input"
        || message == "trailing input"
        || message == "input is out of range"
        || message == "no possible date and time matching input"
    {
        return "expected a date like 2025-04-04".to_owned();
    }
    replace_type_names(message)
}

/// What serde says it expected, in words.
fn expected_words(expected: &str) -> String {
    let e = expected.trim();
    let words = match e {
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => "a whole number ≥ 0",
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "a whole number",
        "f32" | "f64" => "a number",
        "a string" | "string" | "a borrowed string" | "a path string" | "path string" | "char"
        | "a character" => "text in quotes",
        "a boolean" | "bool" => "true or false",
        "a sequence" | "sequence" | "a sequence of tables" => "a list",
        "a map" | "map" | "a table" => "a table",
        "a formatted date string"
        | "a formatted date"
        | "a date"
        | "NaiveDate"
        | "a TOML datetime"
        | "a datetime" => "a date like 2025-04-04",
        _ => "",
    };
    if !words.is_empty() {
        return words.to_owned();
    }
    if e.starts_with("struct ") || e.starts_with("tuple struct ") {
        return "a table".to_owned();
    }
    if e.starts_with("enum ") || e.starts_with("variant identifier") {
        return "one of the names this key takes".to_owned();
    }
    replace_type_names(e)
}

/// What serde says it found, in words.
fn found_words(found: &str) -> String {
    let f = found.trim();
    let value = |prefix: &str| {
        f.strip_prefix(prefix)
            .map(|v| v.trim_matches('`').to_owned())
    };
    if let Some(v) = value("string ") {
        return format!("the text {v}");
    }
    if let Some(v) = value("integer ") {
        return format!("the whole number {v}");
    }
    if let Some(v) = value("floating point ") {
        return format!("the number {v}");
    }
    if let Some(v) = value("boolean ") {
        return format!("`{v}`");
    }
    match f {
        "map" => "a table".to_owned(),
        "sequence" => "a list".to_owned(),
        "unit value" | "unit" => "nothing".to_owned(),
        "option" => "an optional value".to_owned(),
        _ => replace_type_names(f),
    }
}

/// Any Rust type name left in a message, replaced word by word.
fn replace_type_names(message: &str) -> String {
    let mut out = message.to_owned();
    for (rust, words) in [
        ("a sequence", "a list"),
        ("sequence", "list"),
        ("usize", "whole number ≥ 0"),
        ("u64", "whole number ≥ 0"),
        ("u32", "whole number ≥ 0"),
        ("u16", "whole number ≥ 0"),
        ("u8", "whole number ≥ 0"),
        ("i64", "whole number"),
        ("i32", "whole number"),
        ("f64", "number"),
        ("f32", "number"),
        ("invalid type: map", "a table"),
    ] {
        out = replace_word(&out, rust, words);
    }
    out
}

/// `text` with every whole-word `word` replaced by `by`.
fn replace_word(text: &str, word: &str, by: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(k) = rest.find(word) {
        let before = rest[..k].chars().next_back();
        let after = rest[k + word.len()..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric() && c != '_');
        out.push_str(&rest[..k]);
        if boundary(before) && boundary(after) {
            out.push_str(by);
        } else {
            out.push_str(word);
        }
        rest = &rest[k + word.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::plain;

    #[test]
    fn type_names_become_words() {
        for (serde, want) in [
            (
                "invalid type: string \"abc\", expected u32",
                "expected a whole number ≥ 0, found the text \"abc\"",
            ),
            (
                "invalid type: map, expected a sequence",
                "expected a list, found a table",
            ),
            (
                "invalid type: integer `3`, expected a string",
                "expected text in quotes, found the whole number 3",
            ),
            (
                "invalid value: integer `-1`, expected u64",
                "expected a whole number ≥ 0, found the whole number -1",
            ),
            (
                "invalid type: sequence, expected struct Suite",
                "expected a table, found a list",
            ),
            (
                "invalid type: floating point `1.5`, expected usize",
                "expected a whole number ≥ 0, found the number 1.5",
            ),
            (
                "input contains invalid characters",
                "expected a date like 2025-04-04",
            ),
        ] {
            assert_eq!(plain(serde), want, "{serde}");
        }
    }

    #[test]
    fn words_inside_names_are_kept() {
        assert_eq!(plain("key `menu32` is odd"), "key `menu32` is odd");
        assert_eq!(plain("a u32 here"), "a whole number ≥ 0 here");
    }
}
