//! The one mapping from a benchmark id to a file name.
//!
//! Benchmark ids are arbitrary text (`halo/waves/1m`, `a.b{c/d`, `résumé`,
//! names with quotes, newlines or `</script>`). The same mapping serves
//! writing baseline, record and report files and linking to them, so a
//! link always resolves.
//!
//! A file stem is a readable slug (ASCII lower-case letters and digits, every
//! other run of characters folded to `_`, at most [`MAX_SLUG`] bytes) joined
//! to a 64-bit FNV-1a hash of the id's UTF-8 bytes in hex. The slug keeps a
//! directory listing readable; the hash keeps different ids apart even when
//! their slugs agree (`A/b` and `a_b`) and on case-insensitive file systems.
//! Files also store the original id, and loaders check it, so a hash
//! collision would be reported, never silently merged.

/// Longest slug kept in a file stem, in bytes.
pub const MAX_SLUG: usize = 48;

/// The file stem (no extension) for a benchmark id.
pub fn file_stem(id: &str) -> String {
    let mut slug = String::with_capacity(MAX_SLUG);
    let mut pending_sep = false;
    for c in id.chars() {
        if c.is_ascii_alphanumeric() {
            if pending_sep && !slug.is_empty() {
                slug.push('_');
            }
            pending_sep = false;
            slug.push(c.to_ascii_lowercase());
        } else {
            pending_sep = true;
        }
        if slug.len() >= MAX_SLUG {
            break;
        }
    }
    if slug.is_empty() {
        slug.push_str("bench");
    }
    format!("{slug}-{:016x}", fnv1a64(id.as_bytes()))
}

/// The file name for a benchmark id with the given extension (`json`, `svg`).
pub fn file_name(id: &str, ext: &str) -> String {
    format!("{}.{ext}", file_stem(id))
}

/// A relative URL to [`file_name`], percent-encoded for use in `href`.
pub fn href(id: &str, ext: &str) -> String {
    percent_encode(&file_name(id, ext))
}

/// Percent-encodes everything but unreserved URL characters (RFC 3986).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// 64-bit FNV-1a: tiny, stable across versions and platforms (unlike
/// `std`'s `DefaultHasher`), good enough spread for file names.
fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_map_to_distinct_portable_file_names() {
        let ids = [
            "lookup/\"key/with/slash\"",
            "a.b{c/d",
            "Parser Test 1",
            "résumé",
            "it's fast/dummy",
            "std::map<std::string, int>::insert",
            "</script><img src=x onerror=alert(1)>",
            "ends with backslash\\",
            "has\nnewline",
            "A/b",
            "a_b",
            "",
        ];
        let long = "x".repeat(10_000);
        let mut seen = std::collections::HashSet::new();
        for id in ids.iter().copied().chain([long.as_str()]) {
            let name = file_name(id, "json");
            assert!(name.len() <= MAX_SLUG + 1 + 16 + 5, "{name}");
            assert!(
                name.bytes().all(|b| b.is_ascii_lowercase()
                    || b.is_ascii_digit()
                    || b"_-.".contains(&b)),
                "{name}"
            );
            assert!(
                seen.insert(name.to_ascii_lowercase()),
                "collision for {id:?}"
            );
            assert_eq!(href(id, "json"), name, "file names need no escaping");
        }
    }

    #[test]
    fn mapping_is_stable() {
        assert_eq!(
            file_stem("halo/large_dag"),
            "halo_large_dag-fa96754eefc04f10"
        );
    }

    #[test]
    fn percent_encoding_escapes_reserved_bytes() {
        assert_eq!(percent_encode("a b/é"), "a%20b%2F%C3%A9");
    }
}
