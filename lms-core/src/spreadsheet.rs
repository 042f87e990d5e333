//! The CSV files this crate writes for people to open in a spreadsheet
//! program (the gradebook, import reports, user exports): UTF-8 with a
//! byte-order mark so Excel reads Cyrillic, CRLF line ends, RFC 4180 quoting
//! where a cell needs it (by the `csv` crate), and every cell that a
//! spreadsheet would run as a formula defused.

use std::borrow::Cow;

/// Prefixes a cell that a spreadsheet would run as a formula (one starting
/// with `=`, `+`, `-`, `@`, a tab or a carriage return) with `'`, which
/// spreadsheets show as text and do not evaluate.
#[must_use]
pub fn defuse_formula(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// A CSV file being written in memory: starts with the byte-order mark;
/// [`Self::row`] adds a line, [`Self::finish`] returns the text.
pub(crate) struct SpreadsheetCsv {
    writer: csv::Writer<Vec<u8>>,
}

impl SpreadsheetCsv {
    /// An empty file whose cells are separated by `delimiter` (`b','` or
    /// `b';'`, which Russian Excel expects).
    pub(crate) fn new(delimiter: u8) -> Self {
        let writer = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .terminator(csv::Terminator::CRLF)
            .quote_style(csv::QuoteStyle::Necessary)
            // Rows of one file may differ in length; nothing to enforce.
            .flexible(true)
            .from_writer("\u{FEFF}".as_bytes().to_vec());
        Self { writer }
    }

    /// Appends one line: each cell formula-defused, quoted when it holds
    /// the delimiter, a quote or a line break.
    pub(crate) fn row<I, S>(&mut self, cells: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for cell in cells {
            self.writer
                .write_field(defuse_formula(cell.as_ref()).as_bytes())
                .expect("writing CSV into memory cannot fail");
        }
        self.writer
            .write_record(None::<&[u8]>)
            .expect("writing CSV into memory cannot fail");
    }

    /// The file's text.
    pub(crate) fn finish(self) -> String {
        let bytes = self
            .writer
            .into_inner()
            .expect("flushing CSV into memory cannot fail");
        String::from_utf8(bytes).expect("CSV of UTF-8 cells and an ASCII delimiter is UTF-8")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_line(delimiter: u8, cells: &[&str]) -> String {
        let mut csv = SpreadsheetCsv::new(delimiter);
        csv.row(cells);
        csv.finish()
    }

    #[test]
    fn cells_are_quoted_only_when_needed() {
        assert_eq!(
            one_line(
                b';',
                &["plain", "a;b", "a,b", "say \"x\"", "two\nlines", ""]
            ),
            "\u{FEFF}plain;\"a;b\";a,b;\"say \"\"x\"\"\";\"two\nlines\";\r\n"
        );
        assert_eq!(
            one_line(b',', &["a,b", "a;b", "cr\rhere"]),
            "\u{FEFF}\"a,b\",a;b,\"cr\rhere\"\r\n"
        );
    }

    #[test]
    fn formulas_are_defused() {
        for (cell, expected) in [
            ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
            ("+79001234567", "'+79001234567"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("Анна-Мария", "Анна-Мария"),
        ] {
            assert_eq!(defuse_formula(cell), expected);
        }
        assert_eq!(
            one_line(b';', &["=1;2", "\rx"]),
            "\u{FEFF}\"'=1;2\";\"'\rx\"\r\n"
        );
    }

    #[test]
    fn an_empty_file_is_just_the_byte_order_mark() {
        assert_eq!(SpreadsheetCsv::new(b',').finish(), "\u{FEFF}");
    }
}
