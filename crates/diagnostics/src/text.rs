//! Input files must be UTF-8: where one is not, say the line and column of the first bad byte.

use std::path::Path;

use crate::line_col;

/// The text of `bytes`, or an error (kind `InvalidData`) naming the line and column of the
/// first byte that is not UTF-8 and the fix.
pub fn decode(bytes: Vec<u8>) -> std::io::Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        // Everything before `at` is valid UTF-8.
        let before = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
        let (line, column) = line_col(before, at);
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "line {line}, column {column}: byte 0x{:02X} is not UTF-8 text; fix: save the file as UTF-8 (in most editors: \"Save with encoding\" → UTF-8)",
                bytes[at]
            ),
        )
    })
}

/// Reads `path` as UTF-8 text; a file that is not UTF-8 fails with the line and column of its
/// first bad byte (see [`decode`]).
pub fn read_text(path: &Path) -> std::io::Result<String> {
    decode(std::fs::read(path)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_bad_byte_is_placed() {
        let e = decode(b"name = \"ok\"\nx = \"a\xffb\"\n".to_vec()).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidData);
        let m = e.to_string();
        assert!(m.starts_with("line 2, column 7: byte 0xFF"), "{m}");
        assert!(m.contains("save the file as UTF-8"), "{m}");
    }

    #[test]
    fn utf8_passes() {
        assert_eq!(decode("é = 1".as_bytes().to_vec()).unwrap(), "é = 1");
    }
}
