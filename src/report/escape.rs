//! Escaping of benchmark ids (and any other text) for each output context.
//!
//! One function per context, so a call site says where the text lands:
//! HTML text or a quoted attribute ([`html`]), a Markdown table cell
//! ([`markdown`]), a terminal cell or chart label ([`visible`]), an
//! element id or in-page anchor ([`anchor`]).

use crate::names;

/// Escapes text for HTML element content and double- or single-quoted
/// attribute values. Newlines are kept: the page shows names in elements
/// with `white-space: pre-wrap`.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            // Other control characters are not allowed in HTML text.
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Makes control characters visible (`\n`, `\t`, `\r`, `\u{1b}`) so one
/// cell stays on one line and no terminal escape sequence is passed on.
/// Everything else, backslashes included, is kept as written.
pub fn visible(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Characters with a meaning in GitHub-flavoured Markdown inside a table
/// cell or list item: cell separators, code, emphasis, links, HTML,
/// entities, strike-through, headings, math and mentions. Other ASCII
/// punctuation is left alone so the raw text stays readable.
const MARKDOWN_SPECIAL: &str = "\\`*_[]<>|~&#$@";

/// Escapes text for a GitHub-flavoured Markdown table cell or list item:
/// each of [`MARKDOWN_SPECIAL`] is backslash-escaped (CommonMark allows a
/// backslash before any ASCII punctuation), and control characters are made
/// visible as in [`visible`], so a newline cannot end the row.
pub fn markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in visible(s).chars() {
        if MARKDOWN_SPECIAL.contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The element id (and in-page anchor) of a benchmark's section. Built from
/// [`names::file_stem`], so it holds only `[a-z0-9_-]` and is distinct for
/// distinct ids.
pub fn anchor(id: &str) -> String {
    format!("b-{}", names::file_stem(id))
}

/// A chart label: visible control characters, and at most `max` characters
/// (an ellipsis marks the cut). The SVG backend escapes `<`, `&` and quotes
/// itself.
pub fn label(s: &str, max: usize) -> String {
    let v = visible(s);
    if v.chars().count() <= max {
        return v;
    }
    let mut cut: String = v.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escaping_neutralises_markup_and_quotes() {
        assert_eq!(
            html("</script><img src=x onerror=alert(1)>"),
            "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
        );
        assert_eq!(html("it's \"q\" & co"), "it&#39;s &quot;q&quot; &amp; co");
        assert_eq!(html("bell\u{7}"), "bell\\u{7}");
    }

    #[test]
    fn markdown_escaping_keeps_a_name_inside_its_cell() {
        assert_eq!(markdown("a|b"), "a\\|b");
        assert_eq!(markdown("`x`"), "\\`x\\`");
        assert_eq!(markdown("<b>"), "\\<b\\>");
        assert_eq!(markdown("two\nlines"), "two\\\\nlines");
        assert_eq!(markdown("ends\\"), "ends\\\\");
        assert_eq!(markdown("résumé"), "résumé");
    }

    #[test]
    fn visible_text_has_no_control_characters() {
        assert_eq!(visible("a\nb\t\u{1b}[31m"), "a\\nb\\t\\u{1b}[31m");
        assert_eq!(visible("back\\"), "back\\");
    }

    #[test]
    fn anchors_are_safe_and_distinct() {
        let a = anchor("A/b");
        let b = anchor("a_b");
        assert_ne!(a, b);
        assert!(a.bytes().all(|c| c.is_ascii_lowercase()
            || c.is_ascii_digit()
            || c == b'-'
            || c == b'_'));
    }

    #[test]
    fn labels_are_cut_with_an_ellipsis() {
        assert_eq!(label("abcdef", 4), "abc…");
        assert_eq!(label("abc", 4), "abc");
    }
}
