//! Reading the TOML config file into the same keys as the environment.

use super::*;

/// Flattens the TOML file into `raw`, refusing unknown keys.
pub(super) fn read_file(
    path: &Path,
    text: &str,
    raw: &mut BTreeMap<&'static str, String>,
) -> Result<(), ConfigError> {
    let table: toml::Table = toml::from_str(text).map_err(|e| ConfigError::Parse {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let mut leaves = Vec::new();
    flatten("", &table, &mut leaves);
    for (dotted, value) in leaves {
        let Some(k) = ALL_KEYS.iter().find(|k| k.key == dotted) else {
            return Err(ConfigError::UnknownKey {
                path: path.to_path_buf(),
                key: dotted,
            });
        };
        let text = match value {
            toml::Value::String(s) => s.clone(),
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            toml::Value::Float(f) => f.to_string(),
            _ => {
                return Err(ConfigError::Parse {
                    path: path.to_path_buf(),
                    message: format!("`{dotted}` must be a string, number or boolean"),
                });
            }
        };
        raw.insert(k.var, text);
    }
    Ok(())
}

pub(super) fn flatten<'a>(
    prefix: &str,
    table: &'a toml::Table,
    out: &mut Vec<(String, &'a toml::Value)>,
) {
    for (name, value) in table {
        let dotted = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        match value {
            toml::Value::Table(inner) => flatten(&dotted, inner, out),
            other => out.push((dotted, other)),
        }
    }
}
