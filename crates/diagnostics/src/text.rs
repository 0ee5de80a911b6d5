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

/// The largest input file read, bytes: the shipped scenarios are tens of kilobytes, so a file
/// this big is a mistake (a data file, a device), and reading it whole must not exhaust memory.
pub const MAX_INPUT_BYTES: u64 = 16 << 20;

/// Reads `path` as UTF-8 text; a file that is not UTF-8 fails with the line and column of its
/// first bad byte (see [`decode`]). Only regular files up to [`MAX_INPUT_BYTES`] are read: a
/// device or pipe (`extends = "/dev/zero"`) would otherwise never end or fill memory. These
/// refusals, like bad UTF-8, have kind `InvalidData` (bad input, not a failed run).
pub fn read_text(path: &Path) -> std::io::Result<String> {
    use std::io::Read as _;
    let bad = |msg: String| std::io::Error::new(std::io::ErrorKind::InvalidData, msg);
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(bad(
            "not a regular file (a folder, device or pipe); fix: give the path of a TOML file"
                .into(),
        ));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(bad(format!(
            "larger than {} MB, far more than any input file needs; fix: check the path",
            MAX_INPUT_BYTES >> 20
        )));
    }
    decode(bytes)
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
    fn devices_and_folders_are_refused_without_reading_them() {
        for p in ["/dev/zero", "/"] {
            if Path::new(p).exists() {
                let e = read_text(Path::new(p)).unwrap_err();
                assert_eq!(e.kind(), std::io::ErrorKind::InvalidData);
                assert!(e.to_string().contains("not a regular file"), "{e}");
            }
        }
    }

    #[test]
    fn utf8_passes() {
        assert_eq!(decode("é = 1".as_bytes().to_vec()).unwrap(), "é = 1");
    }
}
