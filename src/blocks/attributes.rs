//! A block's attributes, the JSON after its name, decoded as WordPress decodes them: PHP's
//! `json_decode`, its nesting limit included, and what is wrong told in a line.

use std::ops::Range;

use super::Attributes;

/// The nesting PHP's `json_decode` accepts by default, which WordPress decodes attributes
/// with: 512 arrays and objects, one in the other.
const MAX_ATTRIBUTE_DEPTH: usize = 512;

/// Attributes in braces, decoded as WordPress decodes them.
pub(super) fn parse_attributes(json: &str, span: Range<usize>) -> Attributes {
    let depth = json_depth(json);
    let values = if depth > MAX_ATTRIBUTE_DEPTH {
        let problem = format!("they nest deeper than {MAX_ATTRIBUTE_DEPTH} levels");
        return Attributes::Invalid { span, problem };
    } else if depth <= SERDE_JSON_DEPTH {
        serde_json::from_str(json).map_err(|e| json_problem(&e))
    } else {
        decode_deep(json)
    };
    match values {
        Ok(values) => Attributes::Object { span, values },
        Err(problem) => Attributes::Invalid { span, problem },
    }
}

/// The nesting serde_json decodes with its recursion limit on.
const SERDE_JSON_DEPTH: usize = 127;

/// Decodes attributes nested past serde_json's limit, on a thread of its own whose stack holds
/// 512 levels of its recursion with room to spare (about 1.5 KiB a level): the thread that
/// reads the post may have a small stack. Only hostile or odd attributes come here.
fn decode_deep(json: &str) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    let decode = || {
        let mut reader = serde_json::Deserializer::from_str(json);
        reader.disable_recursion_limit();
        let values = serde::Deserialize::deserialize(&mut reader)?;
        reader.end()?;
        Ok(values)
    };
    std::thread::scope(|scope| {
        let thread = std::thread::Builder::new()
            .stack_size(8 << 20)
            .spawn_scoped(scope, decode)
            .map_err(|e| format!("no thread to decode them on ({e})"))?;
        match thread.join() {
            Ok(values) => values.map_err(|e: serde_json::Error| json_problem(&e)),
            Err(_) => Err("they could not be decoded".to_owned()),
        }
    })
}

/// How deeply arrays and objects nest in JSON text, strings skipped; for text that is not
/// JSON, as deep as its brackets go.
fn json_depth(json: &str) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0, false, false);
    for byte in json.bytes() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// serde_json's message without its "at line 1 column 9", which would count from the JSON
/// rather than the file.
fn json_problem(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}
