//! `send --filter` on a large answer: a ~43 MB JSON body (a mesibo-like `usersget` list of
//! users with tokens), parsed and filtered by jaq. Prints the parse + filter time of a few
//! expressions, best of five runs, and the compile time of the expression.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use apiplay::filter::Filter;

fn body() -> Vec<u8> {
    let mut text = String::from(r#"{"op":"usersget","result":true,"users":["#);
    let mut i = 0u64;
    while text.len() < 43 * 1024 * 1024 {
        if i > 0 {
            text.push(',');
        }
        let _ = write!(
            text,
            r#"{{"uid":{i},"address":"user{i}@example.com","name":"User number {i}","active":{},"token":"{:064x}","flags":{}}}"#,
            i % 3 != 0,
            u128::from(i).wrapping_mul(0x9e37_79b9_7f4a_7c15),
            i % 7
        );
        i += 1;
    }
    text.push_str("]}");
    text.into_bytes()
}

fn best(runs: usize, mut f: impl FnMut() -> usize) -> (Duration, usize) {
    let mut best = Duration::MAX;
    let mut n = 0;
    for _ in 0..runs {
        let start = Instant::now();
        n = f();
        best = best.min(start.elapsed());
    }
    (best, n)
}

fn main() {
    let body = body();
    #[allow(clippy::cast_precision_loss)]
    let mb = body.len() as f64 / 1e6;
    println!("filter on a {mb:.1} MB JSON body (best of 5):");
    for expr in [
        ".result",
        ".users | length",
        "[.users[] | select(.active) | .uid] | length",
        ".users[-1].token",
    ] {
        let (compile, _) = best(5, || Filter::new(expr).map_or(0, |_| 1));
        let filter = match Filter::new(expr) {
            Ok(f) => f,
            Err(e) => {
                println!("  {expr}: {e}");
                continue;
            }
        };
        let (time, outputs) = best(5, || filter.run(&body).map_or(0, |v| v.len()));
        println!(
            "  {expr:<48} {:>8.1} ms (compile {:.2} ms, {outputs} output)",
            time.as_secs_f64() * 1e3,
            compile.as_secs_f64() * 1e3
        );
    }
}
