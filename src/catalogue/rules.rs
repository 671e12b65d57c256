//! An op's fields compiled into a tree that a body is walked against: one node per object
//! key or array item, so checking never builds path strings except for a finding.

use regex::Regex;

use super::schema::{Field, FieldType, Op};

/// The body's node.
pub const ROOT: usize = 0;

/// One place in the body.
#[derive(Debug, Clone, Default)]
pub struct RuleNode {
    /// The catalogue field described here, if any (the root and unlisted parents have none).
    pub field: Option<usize>,
    /// Keys defined below this object, in catalogue order.
    pub children: Vec<(String, usize)>,
    /// The rule of this array's items.
    pub item: Option<usize>,
}

impl RuleNode {
    /// The node of the key `name` below this one.
    pub fn child(&self, name: &str) -> Option<usize> {
        self.children
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, i)| *i)
    }
}

/// The compiled fields of one op.
#[derive(Debug, Clone)]
pub struct Rules {
    /// Node 0 is the body.
    pub nodes: Vec<RuleNode>,
    /// Each field's compiled `pattern`, anchored, by field index.
    pub patterns: Vec<Option<Regex>>,
}

/// Splits a dotted field path into keys and `[]` (array items).
pub fn segments(path: &str) -> Vec<&str> {
    let mut out = Vec::new();
    if path.is_empty() {
        return out;
    }
    for part in path.split('.') {
        let mut rest = part;
        let mut items = 0;
        while let Some(stripped) = rest.strip_suffix("[]") {
            rest = stripped;
            items += 1;
        }
        if !rest.is_empty() {
            out.push(rest);
        }
        out.extend(std::iter::repeat_n("[]", items));
    }
    out
}

impl Rules {
    /// Compiles and cross-checks an op's fields; the error says which field and why.
    pub fn compile(op: &Op) -> Result<Rules, String> {
        let mut nodes = vec![RuleNode::default()];
        let mut patterns = Vec::with_capacity(op.fields.len());
        for (index, field) in op.fields.iter().enumerate() {
            let mut at = ROOT;
            for seg in segments(&field.path) {
                at = if seg == "[]" {
                    if let Some(i) = nodes[at].item {
                        i
                    } else {
                        nodes.push(RuleNode::default());
                        let i = nodes.len() - 1;
                        nodes[at].item = Some(i);
                        i
                    }
                } else if let Some(i) = nodes[at].child(seg) {
                    i
                } else {
                    nodes.push(RuleNode::default());
                    let i = nodes.len() - 1;
                    nodes[at].children.push((seg.to_owned(), i));
                    i
                };
            }
            if nodes[at].field.replace(index).is_some() {
                return Err(format!("field \"{}\" is listed twice", field.path));
            }
            patterns.push(compile_pattern(field)?);
            check_field(field)?;
        }
        for node in &nodes {
            let Some(f) = node.field else { continue };
            let field = &op.fields[f];
            if !node.children.is_empty() && !field.ty.accepts(FieldType::Object) {
                return Err(format!(
                    "field \"{}\" has fields below it but its type is {}",
                    field.path,
                    field.ty.names()
                ));
            }
            if node.item.is_some() && !field.ty.accepts(FieldType::Array) {
                return Err(format!(
                    "field \"{}\" has items but its type is {}",
                    field.path,
                    field.ty.names()
                ));
            }
        }
        Ok(Rules { nodes, patterns })
    }
}

pub(super) fn compile_pattern(field: &Field) -> Result<Option<Regex>, String> {
    let Some(pattern) = &field.pattern else {
        return Ok(None);
    };
    if !field.ty.accepts(FieldType::String) {
        return Err(format!(
            "field \"{}\" has a pattern but is not a string",
            field.path
        ));
    }
    Regex::new(&format!("^(?:{pattern})$"))
        .map(Some)
        .map_err(|e| {
            format!(
                "field \"{}\": pattern is not a valid regular expression: {e}",
                field.path
            )
        })
}

fn check_field(field: &Field) -> Result<(), String> {
    let numeric = field.ty.accepts(FieldType::Integer) || field.ty.accepts(FieldType::Number);
    let bad = |what: &str| {
        Err(format!(
            "field \"{}\" is {} but has {what}",
            field.path,
            field.ty.names()
        ))
    };
    if !numeric && (field.units.is_some() || field.min.is_some() || field.max.is_some()) {
        return bad("units, min or max");
    }
    if !field.ty.accepts(FieldType::String)
        && (field.min_length.is_some() || field.max_length.is_some())
    {
        return bad("min_length or max_length");
    }
    if !field.ty.accepts(FieldType::Array) && field.max_items.is_some() {
        return bad("max_items");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::segments;

    #[test]
    fn paths_split_into_keys_and_items() {
        assert_eq!(segments("user.token.expiry"), ["user", "token", "expiry"]);
        assert_eq!(segments("[].username"), ["[]", "username"]);
        assert_eq!(segments("group.members[]"), ["group", "members", "[]"]);
        assert_eq!(segments("a[][].b"), ["a", "[]", "[]", "b"]);
    }
}
