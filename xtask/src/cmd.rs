//! Running commands: fail fast with a message that says which command failed.

use std::fmt;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// A failed step, with what to tell the user.
#[derive(Debug)]
pub struct Fail(pub String);

impl Fail {
    pub fn new(msg: impl Into<String>) -> Fail {
        Fail(msg.into())
    }
}

impl fmt::Display for Fail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The repository root (xtask lives in `<root>/xtask`).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask is inside the repository")
        .to_path_buf()
}

/// The command line of `cmd`, as the failure messages quote it.
pub(crate) fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// Runs a command with inherited output; an error names it.
pub fn run(cmd: &mut Command) -> Result<(), Fail> {
    let status = cmd
        .status()
        .map_err(|e| Fail::new(format!("cannot start `{}`: {e}", describe(cmd))))?;
    if status.success() {
        Ok(())
    } else {
        Err(Fail::new(format!("`{}` failed ({status})", describe(cmd))))
    }
}

/// Runs a command and returns its standard output.
pub fn capture(cmd: &mut Command) -> Result<String, Fail> {
    let out = cmd
        .output()
        .map_err(|e| Fail::new(format!("cannot start `{}`: {e}", describe(cmd))))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(Fail::new(format!(
            "`{}` failed ({}): {}",
            describe(cmd),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

/// Test counts of one layer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub passed: u64,
    pub failed: u64,
}

/// Runs a cargo test-like command, echoing its output, and sums its `test result:` lines.
/// Returns the counts and whether the command succeeded.
pub fn run_counting(cmd: &mut Command) -> Result<(Counts, bool), Fail> {
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| Fail::new(format!("cannot start `{}`: {e}", describe(cmd))))?;
    let mut counts = Counts::default();
    let stdout = child.stdout.take().expect("piped");
    for line in BufReader::new(stdout).lines() {
        let Ok(line) = line else { break };
        println!("{line}");
        if let Some(c) = parse_test_result(&line) {
            counts.passed += c.passed;
            counts.failed += c.failed;
        }
    }
    let status = child
        .wait()
        .map_err(|e| Fail::new(format!("`{}`: {e}", describe(cmd))))?;
    Ok((counts, status.success()))
}

/// Parses libtest's summary line: `test result: ok. 3 passed; 0 failed; ...`.
pub fn parse_test_result(line: &str) -> Option<Counts> {
    let rest = line.trim().strip_prefix("test result: ")?;
    let mut counts = Counts::default();
    for part in rest.split([';', '.']) {
        let mut words = part.split_whitespace();
        match (
            words.next().and_then(|n| n.parse::<u64>().ok()),
            words.next(),
        ) {
            (Some(n), Some("passed")) => counts.passed = n,
            (Some(n), Some("failed")) => counts.failed = n,
            _ => {}
        }
    }
    Some(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_libtest_and_wasm_bindgen_test_summaries() {
        assert_eq!(
            parse_test_result(
                "test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s"
            ),
            Some(Counts {
                passed: 12,
                failed: 0
            })
        );
        assert_eq!(
            parse_test_result("test result: FAILED. 3 passed; 2 failed; 0 ignored"),
            Some(Counts {
                passed: 3,
                failed: 2
            })
        );
        assert_eq!(parse_test_result("running 3 tests"), None);
    }
}
