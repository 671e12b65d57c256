//! The import's credentials and backend: which values of a curl request are secrets that
//! become `{{variables}}` (and how each is set), and which backend of the environment the URL
//! is on.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

use super::import::{Replaced, MIN_SECRET_LEN, VENDOR_HOSTS};
use super::shell::variable_name;
use crate::catalogue::{self, AuthScheme, Catalogue, Resolution};
use crate::collection::{template, Sidecar, AUTH_BUILTINS};
use crate::config::{Environment, VariableSource, BACKENDS};

pub(super) struct State<'a> {
    pub(super) env: &'a Environment,
    pub(super) replaced: Vec<Replaced>,
    pub(super) notes: Vec<String>,
    /// (variable, the value it replaced): checked absent from the files.
    pub(super) secrets: Vec<(String, String)>,
}

impl State<'_> {
    /// How a variable gets its value in this environment.
    fn how(&self, variable: &str) -> String {
        if let Some(b) = AUTH_BUILTINS.iter().find(|b| b.name == variable) {
            return format!("apiplay mints it at each send from {}", b.needs);
        }
        match self.env.variables.get(variable).map(|v| &v.source) {
            Some(VariableSource::Env { env }) => format!(
                "environment `{}` reads it from ${env}: `export {env}=…`",
                self.env.name
            ),
            Some(VariableSource::Literal(_)) => {
                format!("environment `{}` defines it", self.env.name)
            }
            None => format!(
                "set it with `--var {variable}=…` on send, or in apiplay.toml under [environments.{}.variables]: `{variable} = {{ env = \"{}\" }}` and `export {}=…`",
                self.env.name,
                variable_name(variable),
                variable_name(variable)
            ),
        }
    }

    fn replace(&mut self, what: String, variable: &str, value: &str) {
        if !value.is_empty() && !value.contains("{{") {
            self.secrets.push((variable.to_owned(), value.to_owned()));
        }
        if self
            .replaced
            .iter()
            .any(|r| r.variable == variable && r.what == what)
        {
            return;
        }
        let how = self.how(variable);
        self.replaced.push(Replaced {
            what,
            variable: variable.to_owned(),
            how,
        });
    }

    /// `$NAME` / `${NAME}` → `{{variable}}`: the variable the environment reads from that
    /// process variable, the auth built-in of that name, the variable of that name, or the
    /// name in lower case.
    pub(super) fn shell_refs(&mut self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(at) = rest.find('$') {
            out.push_str(&rest[..at]);
            let after = &rest[at + 1..];
            let (braced, body) = match after.strip_prefix('{') {
                Some(b) => (true, b),
                None => (false, after),
            };
            let len = body
                .char_indices()
                .find(|(i, c)| {
                    !(c.is_ascii_alphanumeric() || *c == '_') || (*i == 0 && c.is_ascii_digit())
                })
                .map_or(body.len(), |(i, _)| i);
            let closed = !braced || body[len..].starts_with('}');
            if len == 0 || !closed {
                out.push('$');
                rest = after;
                continue;
            }
            let name = &body[..len];
            let variable = self.variable_for_shell(name);
            let _ = write!(out, "{{{{{variable}}}}}");
            rest = &body[len + usize::from(braced)..];
        }
        out.push_str(rest);
        out
    }

    fn variable_for_shell(&self, name: &str) -> String {
        for (var, v) in &self.env.variables {
            if matches!(&v.source, VariableSource::Env { env } if env == name) {
                return var.clone();
            }
        }
        if let Some(b) = AUTH_BUILTINS.iter().find(|b| variable_name(b.name) == name) {
            return b.name.to_owned();
        }
        if let Some(var) = self.env.variables.keys().find(|k| variable_name(k) == name) {
            return var.clone();
        }
        name.to_ascii_lowercase()
    }

    /// The backend whose URL prefixes the request's, and the path relative to it.
    pub(super) fn backend(
        &mut self,
        cat: &Catalogue,
        method: &str,
        full: &str,
        root: &str,
        path: &str,
        body: &Value,
    ) -> (Option<String>, String) {
        let mut candidates: Vec<(usize, usize, &str, String)> = Vec::new();
        for (name, base) in &self.env.backends {
            let base = base.trim_end_matches('/');
            if let Some(rest) = full.strip_prefix(base) {
                if rest.is_empty() || rest.starts_with('/') {
                    let order = BACKENDS
                        .iter()
                        .position(|b| b == name)
                        .unwrap_or(usize::MAX);
                    candidates.push((base.len(), order, name.as_str(), rest.to_owned()));
                }
            }
        }
        if candidates.is_empty() {
            let host = root.split("://").nth(1).unwrap_or_default();
            if let Some((_, backend, base)) = VENDOR_HOSTS.iter().find(|(s, _, _)| {
                host == s.trim_start_matches('.') || (s.starts_with('.') && host.ends_with(s))
            }) {
                let rest = path
                    .strip_prefix(base)
                    .filter(|r| r.is_empty() || r.starts_with('/'))
                    .unwrap_or(path);
                let rest = if !base.is_empty() && rest == "/" {
                    ""
                } else {
                    rest
                };
                self.notes.push(format!(
                    "{host} is {backend}'s public host: environment `{}` sends it to {}",
                    self.env.name,
                    self.env
                        .backend_url(backend)
                        .unwrap_or("(no such backend: add it to apiplay.toml)")
                ));
                return (Some((*backend).to_owned()), rest.to_owned());
            }
            return (None, full.to_owned());
        }
        let longest = candidates.iter().map(|c| c.0).max().unwrap_or(0);
        candidates.retain(|c| c.0 == longest);
        candidates.sort_by_key(|c| c.1);
        let node = catalogue::json::Node::from_json(body);
        for (_, _, name, rest) in &candidates {
            let probe = Sidecar {
                docs: None,
                op: None,
                backend: (*name).to_owned(),
                method: method.to_owned(),
                path: rest.clone(),
                headers: BTreeMap::new(),
                query: BTreeMap::new(),
                captures: BTreeMap::new(),
                encoding: None,
            };
            if let Resolution::Found(op, _) = cat.resolve(&probe, Some(&node)) {
                if op.backend == *name {
                    return (Some((*name).to_owned()), rest.clone());
                }
            }
        }
        let (_, _, name, rest) = &candidates[0];
        (Some((*name).to_owned()), rest.clone())
    }

    /// The op's credential, wherever the request carries it.
    pub(super) fn credentials(
        &mut self,
        op: &catalogue::Operation,
        headers: &mut Vec<(String, String)>,
        body: &mut Value,
        user: Option<&(String, String)>,
    ) {
        let auth = &op.auth;
        let variable = auth
            .variable
            .clone()
            .unwrap_or_else(|| "api_credential".to_owned());
        match auth.scheme {
            AuthScheme::Body => {
                let field = auth.field.as_deref().unwrap_or("token");
                if let Some(Value::String(s)) = body.get_mut(field) {
                    if !s.contains("{{") {
                        let old = std::mem::replace(s, format!("{{{{{variable}}}}}"));
                        self.replace(format!("the body's `{field}`"), &variable, &old);
                    }
                }
                self.generic_credentials(headers, user);
            }
            AuthScheme::Bearer => {
                self.bearer(headers, &variable);
                self.basic(headers, user, "basic_auth");
            }
            AuthScheme::Basic => {
                self.bearer(headers, "bearer_token");
                self.basic(headers, user, &variable);
            }
            AuthScheme::Header => {
                let name = auth.name.as_deref().unwrap_or_default();
                for (k, v) in headers.iter_mut() {
                    if k.eq_ignore_ascii_case(name) && !v.contains("{{") {
                        let old = std::mem::replace(v, format!("{{{{{variable}}}}}"));
                        self.replace(format!("the {k} header"), &variable, &old);
                    }
                }
                self.generic_credentials(headers, user);
            }
            AuthScheme::None => self.generic_credentials(headers, user),
        }
    }

    pub(super) fn generic_credentials(
        &mut self,
        headers: &mut Vec<(String, String)>,
        user: Option<&(String, String)>,
    ) {
        self.bearer(headers, "bearer_token");
        self.basic(headers, user, "basic_auth");
    }

    fn bearer(&mut self, headers: &mut [(String, String)], variable: &str) {
        for (k, v) in headers.iter_mut() {
            if !k.eq_ignore_ascii_case("authorization") {
                continue;
            }
            let Some(token) = v
                .strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
            else {
                continue;
            };
            if token.contains("{{") {
                continue;
            }
            let old = token.trim().to_owned();
            *v = format!("Bearer {{{{{variable}}}}}");
            self.replace(
                "the Authorization header's Bearer token".to_owned(),
                variable,
                &old,
            );
        }
    }

    /// `-u` and `Authorization: Basic …` → `Authorization = "{{variable}}"` (the whole value).
    fn basic(
        &mut self,
        headers: &mut Vec<(String, String)>,
        user: Option<&(String, String)>,
        variable: &str,
    ) {
        for (k, v) in headers.iter_mut() {
            if k.eq_ignore_ascii_case("authorization")
                && (v.starts_with("Basic ") || v.starts_with("basic "))
            {
                let old = v[6..].trim().to_owned();
                *v = format!("{{{{{variable}}}}}");
                self.replace(
                    "the Authorization header's Basic credentials".to_owned(),
                    variable,
                    &old,
                );
            }
        }
        if let Some((name, password)) = user {
            headers.retain(|(k, _)| !k.eq_ignore_ascii_case("authorization"));
            headers.push(("Authorization".to_owned(), format!("{{{{{variable}}}}}")));
            self.replace(format!("-u {name}:… (HTTP Basic)"), variable, password);
            if variable == "basic_auth" {
                self.notes.push(format!(
                    "{{{{basic_auth}}}} is the whole header value: `Basic ` and the base64 of USER:PASSWORD (user `{name}`)"
                ));
            }
        }
    }

    /// Any secret value of the environment written out in the request becomes its variable.
    pub(super) fn env_secrets(
        &mut self,
        headers: &mut [(String, String)],
        body: &mut Value,
        rel: &mut String,
    ) {
        for (_, v) in headers.iter_mut() {
            *v = self.replace_secrets_in(v);
        }
        *rel = self.replace_secrets_in(rel);
        let mut stack = vec![body];
        while let Some(value) = stack.pop() {
            match value {
                Value::String(s) => *s = self.replace_secrets_in(s),
                Value::Array(items) => stack.extend(items.iter_mut()),
                Value::Object(map) => stack.extend(map.values_mut()),
                _ => {}
            }
        }
    }

    pub(super) fn replace_secrets_in(&mut self, text: &str) -> String {
        let mut out = text.to_owned();
        let secrets: Vec<(String, String)> = self
            .env
            .variables
            .iter()
            .filter(|(_, v)| v.secret)
            .filter_map(|(name, _)| {
                let (value, _) = self.env.resolve(name).ok()??;
                Some((name.clone(), template::value_text(&value)))
            })
            .filter(|(_, value)| value.len() >= MIN_SECRET_LEN)
            .collect();
        for (name, value) in secrets {
            if out.contains(&value) {
                out = out.replace(&value, &format!("{{{{{name}}}}}"));
                self.replace(
                    "a value of the environment's secret".to_owned(),
                    &name,
                    &value,
                );
            }
        }
        out
    }
}
