//! The order a flow runs a vendor's payloads in, for the payload tree: each payload's
//! catalogue operation (its `flow` position, the variables it captures) and the variables it
//! uses, so `token-exchange` comes before the `create-user` that sends the token it
//! captured, not after it as the alphabet has it.
//!
//! Within a folder: payloads whose op has a flow position, by position; then payloads with an
//! op but no position; then files with no op, alphabetically. A payload that uses a
//! variable another payload of the folder captures is moved after it (a stable topological
//! order; a cycle keeps the order above).

use std::collections::BTreeSet;
use std::path::Path;

use super::model::PayloadEntry;
use crate::catalogue;
use crate::collection::{template, SidecarFile};

/// Bodies larger than this are not read for their mesibo `"op"` (the sidecar's `op` and the
/// method and path still place them): the tree must not wait on a 50 MB payload.
const MAX_BODY_READ: u64 = 256 * 1024;

/// Fills in an entry's op, flow position, captures and uses from its sidecar (and body).
pub fn annotate(entry: &mut PayloadEntry) {
    let path = entry.path.as_path();
    let Ok(side) = SidecarFile::load_beside(path) else {
        return;
    };
    let small = std::fs::metadata(path).is_ok_and(|m| m.len() <= MAX_BODY_READ);
    let body = if small {
        std::fs::read_to_string(path).unwrap_or_default()
    } else {
        String::new()
    };
    let cat = catalogue::catalogue();
    let parsed = catalogue::json::parse(&body).ok();
    let op = match cat.resolve(&side.sidecar, parsed.as_ref()) {
        catalogue::Resolution::Found(op, _) => Some(op),
        _ => None,
    };
    let mut captures: BTreeSet<String> = side.sidecar.captures.keys().cloned().collect();
    if let Some(op) = op {
        captures.extend(op.spec().captures.keys().cloned());
        entry.op = Some(op.spec().id.clone());
        entry.flow = op.spec().flow;
    }
    let mut uses: BTreeSet<String> = template::variables_in(&body)
        .into_iter()
        .map(|v| v.name)
        .collect();
    if side.path.is_some() {
        uses.extend(
            template::variables_in(&side.text)
                .into_iter()
                .map(|v| v.name),
        );
    }
    entry.captures = captures.into_iter().collect();
    entry.uses = uses.into_iter().collect();
}

/// Reads each entry's op, captures and uses, and puts them in tree order (blocking: it reads
/// every sidecar).
pub fn arrange(mut entries: Vec<PayloadEntry>) -> Vec<PayloadEntry> {
    for e in &mut entries {
        annotate(e);
    }
    order(&mut entries);
    entries
}

fn folder(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(d, _)| d)
}

/// Puts entries in tree order: folders by name (the root's files first), each folder's
/// payloads in flow order.
pub fn order(entries: &mut Vec<PayloadEntry>) {
    entries.sort_by(|a, b| {
        let key = |e: &PayloadEntry| {
            let class = match (&e.op, e.flow) {
                (Some(_), Some(_)) => 0,
                (Some(_), None) => 1,
                (None, _) => 2,
            };
            (class, e.flow.unwrap_or(0))
        };
        folder(&a.rel)
            .cmp(folder(&b.rel))
            .then_with(|| key(a).cmp(&key(b)))
            .then_with(|| a.rel.cmp(&b.rel))
    });
    let mut out = Vec::with_capacity(entries.len());
    let mut rest = std::mem::take(entries).into_iter().peekable();
    while let Some(first) = rest.next() {
        let dir = folder(&first.rel).to_owned();
        let mut group = vec![first];
        while let Some(e) = rest.next_if(|e| folder(&e.rel) == dir) {
            group.push(e);
        }
        out.extend(after_providers(group));
    }
    *entries = out;
}

/// A stable topological order: repeatedly the first entry whose providers (entries that
/// capture a variable it uses) are all placed; with a cycle, the first entry left.
fn after_providers(group: Vec<PayloadEntry>) -> Vec<PayloadEntry> {
    let n = group.len();
    let needs: Vec<Vec<usize>> = (0..n)
        .map(|i| {
            (0..n)
                .filter(|&j| {
                    j != i
                        && group[j]
                            .captures
                            .iter()
                            .any(|c| group[i].uses.iter().any(|u| u == c))
                        // A payload that captures the same value itself does not wait.
                        && !group[i]
                            .captures
                            .iter()
                            .any(|c| group[j].captures.contains(c) && group[i].uses.contains(c))
                })
                .collect()
        })
        .collect();
    let mut placed = vec![false; n];
    let mut order = Vec::with_capacity(n);
    for _ in 0..n {
        let next = (0..n)
            .find(|&i| !placed[i] && needs[i].iter().all(|&j| placed[j]))
            .or_else(|| (0..n).find(|&i| !placed[i]));
        if let Some(i) = next {
            placed[i] = true;
            order.push(i);
        }
    }
    let mut slots: Vec<Option<PayloadEntry>> = group.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

/// The payload of the tree that captures `variable`, and the catalogue op that captures it
/// (the payload's own op when it has one).
pub fn capturer<'a>(
    entries: &'a [PayloadEntry],
    variable: &str,
) -> (
    Option<&'a PayloadEntry>,
    Option<&'static catalogue::Operation>,
) {
    let cat = catalogue::catalogue();
    let entry = entries
        .iter()
        .find(|e| e.captures.iter().any(|c| c == variable));
    let op = entry
        .and_then(|e| e.op.as_deref())
        .and_then(|id| cat.get(id))
        .filter(|op| op.spec().captures.contains_key(variable))
        .or_else(|| {
            cat.ops()
                .iter()
                .find(|op| op.spec().captures.contains_key(variable))
        });
    (entry, op)
}

/// Whether a path lies in a hidden folder or is a hidden file (temporary files of atomic
/// writes): changes there do not change the tree.
/// A path outside `root` is not hidden (the folders above the collection may well be).
pub fn is_hidden(root: &Path, path: &Path) -> bool {
    let Ok(inside) = path.strip_prefix(root) else {
        return false;
    };
    inside.components().any(|c| {
        c.as_os_str()
            .to_str()
            .is_some_and(|s| s.starts_with('.') && s != "." && s != "..")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(
        rel: &str,
        op: Option<&str>,
        flow: Option<u32>,
        captures: &[&str],
        uses: &[&str],
    ) -> PayloadEntry {
        PayloadEntry {
            path: format!("payloads/{rel}").into(),
            rel: rel.into(),
            op: op.map(str::to_owned),
            flow,
            captures: captures.iter().map(|s| (*s).to_owned()).collect(),
            uses: uses.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn folders_keep_their_place_and_payloads_follow_the_flow() {
        let mut v = vec![
            e(
                "agora/create-user.json",
                Some("a.create"),
                Some(3),
                &["agora_username"],
                &["$agora_app_token"],
            ),
            e("agora/notes.json", None, None, &[], &[]),
            e(
                "agora/app-token.json",
                Some("a.app"),
                Some(1),
                &["agora_app_token"],
                &[],
            ),
            e(
                "agora/z-list.json",
                Some("a.list"),
                None,
                &[],
                &["agora_chat_token"],
            ),
            e(
                "agora/token-exchange.json",
                Some("a.exchange"),
                Some(2),
                &["agora_chat_token"],
                &["agora_app_token"],
            ),
            e("readme.json", None, None, &[], &[]),
            e("mesibo/useradd.json", Some("m.useradd"), Some(1), &[], &[]),
        ];
        order(&mut v);
        let rels: Vec<&str> = v.iter().map(|e| e.rel.as_str()).collect();
        assert_eq!(
            rels,
            [
                "readme.json",
                "agora/app-token.json",
                "agora/token-exchange.json",
                "agora/create-user.json",
                "agora/z-list.json",
                "agora/notes.json",
                "mesibo/useradd.json",
            ]
        );
    }

    #[test]
    fn a_user_of_a_capture_moves_after_its_capturer() {
        // Flow positions say b first, but b uses what c captures.
        let mut v = vec![
            e("x/b.json", Some("b"), Some(1), &[], &["tok"]),
            e("x/c.json", Some("c"), Some(2), &["tok"], &[]),
            e("x/a.json", None, None, &[], &[]),
        ];
        order(&mut v);
        let rels: Vec<&str> = v.iter().map(|e| e.rel.as_str()).collect();
        assert_eq!(rels, ["x/c.json", "x/b.json", "x/a.json"]);
        // A cycle keeps the flow order.
        let mut v = vec![
            e("y/p.json", Some("p"), Some(1), &["one"], &["two"]),
            e("y/q.json", Some("q"), Some(2), &["two"], &["one"]),
        ];
        order(&mut v);
        assert_eq!(v[0].rel, "y/p.json");
    }

    #[test]
    fn hidden_paths_are_temporary_files() {
        let root = Path::new("payloads");
        assert!(is_hidden(root, Path::new("payloads/agora/.x.json.tmp1")));
        assert!(is_hidden(root, Path::new("payloads/.git/index")));
        assert!(!is_hidden(root, Path::new("payloads/agora/x.json")));
        // Above the collection, a hidden folder (a temporary directory) does not count.
        let tmp = Path::new("/tmp/.tmpAbC/work/payloads");
        assert!(!is_hidden(
            tmp,
            Path::new("/tmp/.tmpAbC/work/payloads/x.json")
        ));
        assert!(!is_hidden(root, Path::new("/elsewhere/.x/y.json")));
    }
}
