//! A TOML document read into a typed value with every mistake in it, not only the first: serde
//! stops at one, so the entry that holds it is left out and the rest read again, until the
//! value reads or the mistakes reach a bound.

use std::ops::Range;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeArray, DeTable, DeValue};

use super::error::{ConfigError, suggest};

/// The most mistakes told for one document or table: each costs a new reading of it.
pub const MAX_MISTAKES: usize = 20;

/// One mistake: what is wrong, "did you mean" or what is expected, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct Mistake {
    pub message: String,
    pub help: Option<String>,
    pub span: Option<Range<usize>>,
}

/// Reads `T` from a parsed table, leaving out each entry that holds a mistake.
pub fn read_table<T: DeserializeOwned>(table: Spanned<DeTable<'_>>) -> (Option<T>, Vec<Mistake>) {
    read_with(table, T::deserialize)
}

/// Reads a table with `read`, leaving out each entry that holds a mistake.
pub fn read_with<'i, T>(
    mut table: Spanned<DeTable<'i>>,
    read: impl Fn(toml::de::Deserializer<'i>) -> Result<T, toml::de::Error>,
) -> (Option<T>, Vec<Mistake>) {
    let mut mistakes = Mistakes::default();
    // The tables an entry was taken out of: a field now missing there is not a mistake of its
    // own.
    let mut taken_from = Vec::new();
    loop {
        let error = match read(toml::de::Deserializer::from(table.clone())) {
            Ok(value) => return (Some(value), mistakes.in_file_order()),
            Err(error) => error,
        };
        let span = error.span();
        let follows = error.message().starts_with("missing field")
            && span.as_ref().is_some_and(|span| taken_from.contains(span));
        if !follows {
            mistakes.0.push(Mistake::of(&error));
        }
        let root = table.span();
        let removed = span.and_then(|span| remove_at(table.get_mut(), root, span.start));
        let Some(from) = removed else {
            return (None, mistakes.in_file_order());
        };
        if mistakes.0.len() >= MAX_MISTAKES {
            return (None, mistakes.in_file_order());
        }
        taken_from.push(from);
    }
}

/// Mistakes in the order serde met them.
#[derive(Default)]
struct Mistakes(Vec<Mistake>);

impl Mistakes {
    fn in_file_order(mut self) -> Vec<Mistake> {
        self.0
            .sort_by_key(|m| m.span.as_ref().map_or(0, |span| span.start));
        self.0
    }
}

impl Mistake {
    /// The mistake as an error at its place in the file `name`.
    pub fn into_error(self, name: &str, text: &Arc<str>) -> ConfigError {
        let error = ConfigError::new(self.message);
        let error = match self.span {
            Some(span) => error.at(name, text, span),
            None => error,
        };
        match self.help {
            Some(help) => error.with_help(help),
            None => error,
        }
    }

    pub fn of(error: &toml::de::Error) -> Self {
        let message = error.message().trim_end();
        let (message, help) = match unknown_field(message) {
            Some((field, expected)) => (
                format!("unknown field `{field}`"),
                Some(match suggest(field, expected.iter().copied()) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None if expected.is_empty() => "there are no fields here".to_owned(),
                    None => format!("expected one of {}", quoted(&expected)),
                }),
            ),
            None => (message.to_owned(), None),
        };
        Self {
            message,
            help,
            span: error.span(),
        }
    }
}

/// The field and the expected ones of serde's "unknown field `x`, expected one of `a`, `b`"
/// (or "expected `a`", or "there are no fields").
fn unknown_field(message: &str) -> Option<(&str, Vec<&str>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (field, expected) = rest.split_once("`, ")?;
    let expected = expected
        .split('`')
        .skip(1)
        .step_by(2)
        .collect::<Vec<&str>>();
    Some((field, expected))
}

fn quoted(words: &[&str]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("`{w}`")).collect();
    quoted.join(", ")
}

/// The table of `root`, at any depth, whose value spans `span`: a `[rules.CODE]` table read
/// again with its spans.
pub fn table_at<'i>(root: &DeTable<'i>, span: &Range<usize>) -> Option<Spanned<DeTable<'i>>> {
    root.values().find_map(|value| value_table_at(value, span))
}

fn value_table_at<'i>(
    value: &Spanned<DeValue<'i>>,
    span: &Range<usize>,
) -> Option<Spanned<DeTable<'i>>> {
    match value.get_ref() {
        DeValue::Table(table) if value.span() == *span => {
            Some(Spanned::new(span.clone(), table.clone()))
        }
        DeValue::Table(table) => table_at(table, span),
        DeValue::Array(items) => items.iter().find_map(|item| value_table_at(item, span)),
        _ => None,
    }
}

fn holds(span: &Range<usize>, at: usize) -> bool {
    span.start <= at && (at < span.end || span.is_empty() && at == span.start)
}

/// Takes out the innermost entry of `table` (a key and its value, or an item of an array)
/// whose key or value holds the offset `at`; returns the span of the table or array it was
/// in, `None` when no entry holds `at`. Every entry is looked into: the span of a `[table]`
/// covers its header only, not the keys under it.
fn remove_at(table: &mut DeTable<'_>, span: Range<usize>, at: usize) -> Option<Range<usize>> {
    let mut found = None;
    for (key, value) in table.iter_mut() {
        let value_span = value.span();
        if let Some(from) = remove_in(value.get_mut(), value_span.clone(), at) {
            return Some(from);
        }
        if holds(&key.span(), at) || holds(&value_span, at) {
            found = Some(key.get_ref().clone().into_owned());
            break;
        }
    }
    table.remove(found?.as_str())?;
    Some(span)
}

/// [`remove_at`] inside a table or an array spanning `span`.
fn remove_in(value: &mut DeValue<'_>, span: Range<usize>, at: usize) -> Option<Range<usize>> {
    match value {
        DeValue::Table(table) => remove_at(table, span, at),
        DeValue::Array(items) => {
            let mut found = None;
            for (index, item) in items.iter_mut().enumerate() {
                let item_span = item.span();
                if let Some(from) = remove_in(item.get_mut(), item_span.clone(), at) {
                    return Some(from);
                }
                if holds(&item_span, at) {
                    found = Some(index);
                    break;
                }
            }
            let found = found?;
            let mut kept = DeArray::new();
            for (index, item) in items.iter().enumerate() {
                if index != found {
                    kept.push(item.clone());
                }
            }
            *items = kept;
            Some(span)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `text` and reads `T` from it: the value (without the entries that held mistakes),
    /// and the mistakes. A document that is not TOML gives no value.
    fn read_document<T: DeserializeOwned>(text: &str) -> (Option<T>, Vec<Mistake>) {
        let (table, errors) = DeTable::parse_recoverable(text);
        if !errors.is_empty() {
            let mistakes = errors.iter().take(MAX_MISTAKES).map(Mistake::of).collect();
            return (None, mistakes);
        }
        read_table(table)
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Shape {
        name: Option<String>,
        #[serde(default)]
        sizes: Vec<u32>,
        inner: Option<Inner>,
        #[serde(default)]
        items: Vec<Inner>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        depth: u32,
    }

    fn texts<'t>(text: &'t str, mistakes: &[Mistake]) -> Vec<&'t str> {
        (mistakes.iter())
            .map(|m| m.span.clone().map_or("", |span| &text[span]))
            .collect()
    }

    #[test]
    fn every_mistake_is_found_at_its_place() {
        let text = "nmae = \"a\"\nsizes = [1, \"two\"]\n[inner]\ndepht = 3\n[[items]]\ndepth = -1\n[[items]]\ndepth = 2\n";
        let (value, mistakes) = read_document::<Shape>(text);
        assert_eq!(mistakes.len(), 4, "{mistakes:#?}");
        let value = value.expect("the rest reads");
        assert_eq!((value.sizes, value.items.len()), (vec![1], 1));
        assert_eq!(mistakes[0].message, "unknown field `nmae`");
        assert_eq!(mistakes[0].help.as_deref(), Some("did you mean `name`?"));
        let found = texts(text, &mistakes);
        assert_eq!(found[0], "nmae");
        assert!(found.contains(&"\"two\""), "{found:?}");
        assert!(found.contains(&"depht"), "{found:?}");
        assert!(found.contains(&"-1"), "{found:?}");
    }

    #[test]
    fn a_document_read_without_its_mistakes_keeps_the_rest() {
        let (value, mistakes) = read_document::<Shape>("name = \"kept\"\ncolour = 1\n");
        assert_eq!(mistakes.len(), 1);
        assert_eq!(value.and_then(|v| v.name).as_deref(), Some("kept"));
    }

    #[test]
    fn mistakes_stop_at_the_bound() {
        let text: String = (0..500).map(|i| format!("key{i} = {i}\n")).collect();
        let (_, mistakes) = read_document::<Shape>(&text);
        assert_eq!(mistakes.len(), MAX_MISTAKES);
    }

    #[test]
    fn serde_words_unknown_fields_as_this_reads_them() {
        let (_, mistakes) = read_document::<Inner>("dept = 1\n");
        assert_eq!(mistakes[0].message, "unknown field `dept`");
        assert_eq!(mistakes[0].help.as_deref(), Some("did you mean `depth`?"));
        let (_, mistakes) = read_document::<Inner>("zzz = 1\n");
        assert_eq!(mistakes[0].help.as_deref(), Some("expected one of `depth`"));
    }
}
