//! Reading the CSV files schools export from a CRM or from Excel: UTF-8 with
//! or without a byte-order mark, or Windows-1251 (what Russian Excel writes
//! as "CSV"); `;`, `,` or tab between fields; RFC 4180 quoting.

use thiserror::Error;

/// The largest import file accepted, in bytes.
pub const MAX_IMPORT_BYTES: usize = 8 * 1024 * 1024;
/// The most data rows one import may hold.
pub const MAX_IMPORT_ROWS: usize = 20_000;
/// The longest field accepted, in bytes.
pub const MAX_FIELD_BYTES: usize = 2_000;

/// Why a file could not be read as a table.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CsvError {
    /// More than [`MAX_IMPORT_BYTES`].
    #[error("file: larger than {MAX_IMPORT_BYTES} bytes")]
    TooLarge,
    /// More than [`MAX_IMPORT_ROWS`] data rows.
    #[error("file: more than {MAX_IMPORT_ROWS} rows")]
    TooManyRows,
    /// No header line.
    #[error("file: empty, a header line is needed")]
    Empty,
    /// A quoted field that never ends.
    #[error("file: line {0}: a quoted field is not closed")]
    UnclosedQuote(u32),
    /// A field longer than [`MAX_FIELD_BYTES`].
    #[error("file: line {0}: a field is longer than {MAX_FIELD_BYTES} bytes")]
    FieldTooLong(u32),
}

/// One data row: its line number in the file (the header is line 1) and
/// its fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvRow {
    /// Line of the file where the row starts.
    pub line: u32,
    /// Fields, trimmed.
    pub fields: Vec<String>,
}

/// A parsed file: header names (trimmed, lower-case) and data rows (blank
/// lines skipped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvTable {
    /// Column names.
    pub header: Vec<String>,
    /// Data rows.
    pub rows: Vec<CsvRow>,
}

/// A `LIKE` pattern matching text that starts with `prefix`, with `\`, `%`
/// and `_` escaped (use it with `ESCAPE '\'`), for the storage adapters.
#[must_use]
pub fn like_prefix(prefix: &str) -> String {
    let mut p = String::with_capacity(prefix.len() + 1);
    for c in prefix.chars() {
        if matches!(c, '\\' | '%' | '_') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// Decodes and parses an import file.
pub fn read_table(bytes: &[u8]) -> Result<CsvTable, CsvError> {
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(CsvError::TooLarge);
    }
    let text = decode(bytes);
    parse(&text)
}

/// The text of a file: UTF-8 (a byte-order mark is dropped) when it is
/// valid UTF-8, else Windows-1251.
#[must_use]
pub fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => bytes.iter().map(|&b| windows_1251(b)).collect(),
    }
}

/// One Windows-1251 byte as a character.
fn windows_1251(b: u8) -> char {
    const HIGH: [char; 64] = [
        'Ђ', 'Ѓ', '‚', 'ѓ', '„', '…', '†', '‡', '€', '‰', 'Љ', '‹', 'Њ', 'Ќ', 'Ћ', 'Џ', //
        'ђ', '‘', '’', '“', '”', '•', '–', '—', '\u{FFFD}', '™', 'љ', '›', 'њ', 'ќ', 'ћ',
        'џ', //
        '\u{A0}', 'Ў', 'ў', 'Ј', '¤', 'Ґ', '¦', '§', 'Ё', '©', 'Є', '«', '¬', '\u{AD}', '®',
        'Ї', //
        '°', '±', 'І', 'і', 'ґ', 'µ', '¶', '·', 'ё', '№', 'є', '»', 'ј', 'Ѕ', 'ѕ', 'ї',
    ];
    match b {
        0..=0x7F => char::from(b),
        0x80..=0xBF => HIGH[usize::from(b - 0x80)],
        // А..я are contiguous from U+0410.
        _ => char::from_u32(0x0410 + u32::from(b - 0xC0)).unwrap_or('\u{FFFD}'),
    }
}

/// Parses decoded text. The separator is the one of `;`, `,` and tab that
/// occurs most often in the header line.
pub fn parse(text: &str) -> Result<CsvTable, CsvError> {
    let first_line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .ok_or(CsvError::Empty)?;
    let separator = [';', ',', '\t']
        .into_iter()
        .max_by_key(|s| first_line.matches(*s).count())
        .unwrap_or(',');
    let mut records = Records {
        chars: text.chars().peekable(),
        separator,
        line: 1,
    };
    let mut header = None;
    let mut rows = Vec::new();
    while let Some((line, fields)) = records.next_record()? {
        if fields.iter().all(String::is_empty) {
            continue;
        }
        if header.is_none() {
            header = Some(fields.into_iter().map(|f| f.to_lowercase()).collect());
            continue;
        }
        if rows.len() == MAX_IMPORT_ROWS {
            return Err(CsvError::TooManyRows);
        }
        rows.push(CsvRow { line, fields });
    }
    Ok(CsvTable {
        header: header.ok_or(CsvError::Empty)?,
        rows,
    })
}

struct Records<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    separator: char,
    line: u32,
}

impl Records<'_> {
    /// The next record and the line it starts on; `None` at the end.
    fn next_record(&mut self) -> Result<Option<(u32, Vec<String>)>, CsvError> {
        if self.chars.peek().is_none() {
            return Ok(None);
        }
        let start = self.line;
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        let mut was_quoted = false;
        loop {
            let Some(c) = self.chars.next() else {
                if quoted {
                    return Err(CsvError::UnclosedQuote(start));
                }
                break;
            };
            if quoted {
                match c {
                    '"' if self.chars.peek() == Some(&'"') => {
                        self.chars.next();
                        field.push('"');
                    }
                    '"' => quoted = false,
                    '\n' => {
                        self.line += 1;
                        field.push('\n');
                    }
                    _ => field.push(c),
                }
            } else if c == '"' && field.trim().is_empty() && !was_quoted {
                field.clear();
                quoted = true;
                was_quoted = true;
            } else if c == self.separator {
                fields.push(finish(&mut field, was_quoted));
                was_quoted = false;
            } else if c == '\n' || c == '\r' {
                if c == '\r' && self.chars.peek() == Some(&'\n') {
                    self.chars.next();
                }
                self.line += 1;
                break;
            } else {
                field.push(c);
            }
            if field.len() > MAX_FIELD_BYTES {
                return Err(CsvError::FieldTooLong(start));
            }
        }
        fields.push(finish(&mut field, was_quoted));
        Ok(Some((start, fields)))
    }
}

fn finish(field: &mut String, quoted: bool) -> String {
    let value = std::mem::take(field);
    if quoted {
        value
    } else {
        value.trim().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolons_quotes_and_crlf() {
        let t = parse(
            "E-mail;Имя\r\nanna@x.ru;\"Иванова; Анна\"\r\n\r\n\"b@x.ru\";\"say \"\"hi\"\"\"\r\n",
        )
        .unwrap();
        assert_eq!(t.header, ["e-mail", "имя"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].fields, ["anna@x.ru", "Иванова; Анна"]);
        assert_eq!(t.rows[1].line, 4);
        assert_eq!(t.rows[1].fields, ["b@x.ru", "say \"hi\""]);
    }

    #[test]
    fn commas_and_a_quoted_newline_keep_line_numbers() {
        let t = parse("email,name\na@x.ru,\"two\nlines\"\nb@x.ru,B\n").unwrap();
        assert_eq!(t.rows[0].fields, ["a@x.ru", "two\nlines"]);
        assert_eq!(t.rows[1].line, 4);
    }

    #[test]
    fn bom_and_windows_1251_are_decoded() {
        assert_eq!(decode(b"\xEF\xBB\xBFemail"), "email");
        // "Ёжик Иван" in Windows-1251.
        let cp1251 = b"\xA8\xE6\xE8\xEA \xC8\xE2\xE0\xED";
        assert_eq!(decode(cp1251), "Ёжик Иван");
        assert_eq!(decode("Ёжик".as_bytes()), "Ёжик");
    }

    #[test]
    fn like_prefixes_are_escaped() {
        assert_eq!(like_prefix("a_b%c\\"), "a\\_b\\%c\\\\%");
    }

    #[test]
    fn limits_are_checked() {
        assert_eq!(parse("a\n\"open"), Err(CsvError::UnclosedQuote(2)));
        assert_eq!(parse("  \n"), Err(CsvError::Empty));
        let long = format!("a\n{}\n", "x".repeat(MAX_FIELD_BYTES + 1));
        assert_eq!(parse(&long), Err(CsvError::FieldTooLong(2)));
        let many = format!("a\n{}", "x\n".repeat(MAX_IMPORT_ROWS + 1));
        assert_eq!(parse(&many), Err(CsvError::TooManyRows));
        assert_eq!(
            read_table(&vec![b'a'; MAX_IMPORT_BYTES + 1]),
            Err(CsvError::TooLarge)
        );
    }
}
