//! README's key table is the key table: this fails when they differ (the message shows the
//! table to paste between the markers).

#[test]
fn readme_key_table_matches_the_one_the_tui_dispatches_from() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let start = "<!-- keys: generated from src/tui/keys.rs; tests/readme_keys.rs checks it -->\n";
    let end = "<!-- /keys -->";
    let from = readme
        .find(start)
        .expect("README has the key table's start marker")
        + start.len();
    let to = from
        + readme[from..]
            .find(end)
            .expect("README has the key table's end marker");
    let expected = apiplay::tui::keys::readme_table();
    assert!(
        readme[from..to] == expected,
        "README's key table differs from src/tui/keys.rs; put this between the markers:\n{expected}"
    );
}
