//! jq filters on JSON responses (`apiplay send --filter EXPR`), run by the `jaq` crates, a
//! maintained jq implementation in Rust: the expression is parsed and compiled once
//! ([`Filter::new`]), then run on a response body ([`Filter::run`]).
//!
//! A bad expression is an error naming the 1-based column in the expression and what was
//! expected there; a filter that fails on its input (`.a` on a string) says jq's message.

use jaq_core::load::{Arena, File, Loader};
use jaq_core::{data, Compiler, Ctx, Vars};
use jaq_json::Val;

/// What went wrong with a filter.
#[derive(Debug, thiserror::Error)]
pub enum FilterError {
    /// The expression does not parse or names something undefined.
    #[error("bad filter `{expr}` at column {col}: {message}")]
    Expression {
        /// The expression as given.
        expr: String,
        /// 1-based column (in characters) of the problem.
        col: usize,
        /// What was expected or is undefined.
        message: String,
    },
    /// The response body is not JSON.
    #[error("the response is not JSON (byte {offset}): {message}; a filter needs a JSON body")]
    NotJson {
        /// Byte offset of the problem in the body.
        offset: usize,
        /// The parser's message.
        message: String,
    },
    /// The filter failed on this input.
    #[error("filter `{expr}` failed: {message}")]
    Run {
        /// The expression as given.
        expr: String,
        /// jq's error.
        message: String,
    },
}

type Data = data::JustLut<Val>;

/// A compiled jq expression.
pub struct Filter {
    expr: String,
    compiled: jaq_core::compile::Filter<jaq_core::Native<Data>>,
}

impl std::fmt::Debug for Filter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Filter")
            .field("expr", &self.expr)
            .finish_non_exhaustive()
    }
}

impl Filter {
    /// Parses and compiles `expr` with jq's standard definitions.
    pub fn new(expr: &str) -> Result<Filter, FilterError> {
        let arena = Arena::default();
        let defs = jaq_core::defs()
            .chain(jaq_std::defs())
            .chain(jaq_json::defs());
        let funs = jaq_core::funs()
            .chain(jaq_std::funs())
            .chain(jaq_json::funs());
        let loader = Loader::new(defs);
        let program = File {
            code: expr,
            path: (),
        };
        let bad = |part: &str, message: String| FilterError::Expression {
            expr: expr.to_owned(),
            col: column(expr, part),
            message,
        };
        let modules = loader.load(&arena, program).map_err(|errors| {
            let first = errors.into_iter().next().map(|(_, e)| e);
            match first {
                Some(jaq_core::load::Error::Lex(errs)) => errs.first().map_or_else(
                    || bad("", "cannot read the expression".to_owned()),
                    |(expect, rest)| match expect {
                        // Point at the delimiter left open, not at the end of the text.
                        jaq_core::load::lex::Expect::Delim(open) => {
                            bad(open, format!("`{open}` is never closed"))
                        }
                        other => bad(rest, format!("expected {}", other.as_str())),
                    },
                ),
                Some(jaq_core::load::Error::Parse(errs)) => errs.first().map_or_else(
                    || bad("", "cannot parse the expression".to_owned()),
                    |(expect, found)| {
                        let got = if found.is_empty() {
                            "the end".to_owned()
                        } else {
                            format!("`{found}`")
                        };
                        bad(found, format!("expected {}, found {got}", expect.as_str()))
                    },
                ),
                Some(jaq_core::load::Error::Io(errs)) => bad(
                    "",
                    errs.first()
                        .map_or_else(String::new, |(_, message)| message.clone()),
                ),
                None => bad("", "cannot load the expression".to_owned()),
            }
        })?;
        let compiled = Compiler::default()
            .with_funs(funs)
            .compile(modules)
            .map_err(|errors| {
                let first = errors
                    .into_iter()
                    .next()
                    .and_then(|(_, e)| e.into_iter().next());
                match first {
                    Some((name, undefined)) => {
                        bad(name, format!("undefined {} `{name}`", undefined.as_str()))
                    }
                    None => bad("", "cannot compile the expression".to_owned()),
                }
            })?;
        Ok(Filter {
            expr: expr.to_owned(),
            compiled,
        })
    }

    /// The expression as given.
    pub fn expr(&self) -> &str {
        &self.expr
    }

    /// Runs the filter on a JSON body and collects its outputs.
    pub fn run(&self, body: &[u8]) -> Result<Vec<Val>, FilterError> {
        self.run_value(parse_input(body)?)
    }

    /// Runs the filter on a parsed value.
    pub fn run_value(&self, input: Val) -> Result<Vec<Val>, FilterError> {
        let ctx = Ctx::<Data>::new(&self.compiled.lut, Vars::new([]));
        self.compiled
            .id
            .run((ctx, input))
            .map(jaq_core::unwrap_valr)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| FilterError::Run {
                expr: self.expr.clone(),
                message: e.to_string(),
            })
    }
}

/// Parses a body as a filter's input: one JSON value.
pub fn parse_input(body: &[u8]) -> Result<Val, FilterError> {
    jaq_json::read::parse_single(body).map_err(|e| {
        let text = e.to_string();
        FilterError::NotJson {
            offset: text
                .split(|c: char| !c.is_ascii_digit())
                .find(|s| !s.is_empty())
                .and_then(|s| s.parse().ok())
                .unwrap_or(0),
            message: text,
        }
    })
}

/// Writes a value as JSON: indented by two spaces when `pretty`, else on one line; a string
/// alone is written without quotes when `raw` (as `jq -r`).
pub fn write_value(
    out: &mut dyn std::io::Write,
    value: &Val,
    pretty: bool,
    raw: bool,
) -> std::io::Result<()> {
    if raw {
        if let Val::TStr(s) = value {
            out.write_all(s)?;
            return out.write_all(b"\n");
        }
    }
    let pp = jaq_json::write::Pp {
        indent: pretty.then(|| "  ".to_owned()),
        sep_space: pretty,
        ..jaq_json::write::Pp::default()
    };
    jaq_json::write::write(out, &pp, 0, value)?;
    out.write_all(b"\n")
}

/// The 1-based character column of `part` (a slice of `whole`, or empty for its end).
fn column(whole: &str, part: &str) -> usize {
    let start = part.as_ptr() as usize;
    let base = whole.as_ptr() as usize;
    let offset = if part.is_empty() || start < base || start > base + whole.len() {
        if part.is_empty() && start >= base && start <= base + whole.len() {
            start - base
        } else {
            whole.len()
        }
    } else {
        start - base
    };
    whole
        .get(..offset)
        .map_or(whole.chars().count(), |s| s.chars().count())
        + 1
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn text(values: &[Val]) -> String {
        let mut out = Vec::new();
        for v in values {
            write_value(&mut out, v, false, false).unwrap();
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn paths_and_std_functions() {
        let body = br#"{"user":{"token":"abc","uid":7},"list":[3,1,2]}"#;
        assert_eq!(
            text(&Filter::new(".user.token").unwrap().run(body).unwrap()),
            "\"abc\"\n"
        );
        assert_eq!(
            text(
                &Filter::new(".list | sort | map(. * 2)")
                    .unwrap()
                    .run(body)
                    .unwrap()
            ),
            "[2,4,6]\n"
        );
        assert_eq!(
            text(&Filter::new(".user | keys").unwrap().run(body).unwrap()),
            "[\"token\",\"uid\"]\n"
        );
        assert_eq!(
            text(&Filter::new(".list[]").unwrap().run(body).unwrap()),
            "3\n1\n2\n"
        );
    }

    #[test]
    fn bad_expressions_name_the_column() {
        let err = Filter::new(".user.[").unwrap_err().to_string();
        assert!(err.contains("column 7"), "{err}");
        let err = Filter::new(".a | nosuchfn").unwrap_err().to_string();
        assert_eq!(
            err,
            "bad filter `.a | nosuchfn` at column 6: undefined filter `nosuchfn`"
        );
        let err = Filter::new("(.a").unwrap_err().to_string();
        assert!(err.contains("column 1"), "{err}");
    }

    #[test]
    fn runtime_errors_and_non_json() {
        let f = Filter::new(".a.b").unwrap();
        assert!(matches!(
            f.run(br#"{"a":"x"}"#),
            Err(FilterError::Run { .. })
        ));
        assert!(matches!(f.run(b"<html>"), Err(FilterError::NotJson { .. })));
    }
}
