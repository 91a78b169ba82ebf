//! Error types of the core. The Python layer maps them onto the exception
//! hierarchy rooted at `attrition.AttritionError` (and `ValueError`,
//! `KeyboardInterrupt` for a bad argument and a stopped run).
use std::borrow::Cow;
use std::fmt;

/// Every error the core reports.
#[derive(Debug, Clone, PartialEq)]
pub enum CoreError {
    /// A scenario broke a rule; each message names the parameter's full dotted path.
    Scenario(Vec<String>),
    /// A request the engine refuses before allocating (too much memory).
    Resource(String),
    /// A series, outcome, parameter or built-in scenario name that does not exist.
    UnknownName(String),
    /// A bad argument to a run: no trajectories, a thread count out of
    /// range, given values that do not match the trajectories.
    Argument(String),
    /// The caller stopped the run (Ctrl-C).
    Interrupted,
    /// A bug: something the core's own invariants rule out (a worker thread
    /// panicked). The message asks for a report.
    Internal(String),
}

impl CoreError {
    pub fn scenario(path: &str, msg: impl fmt::Display) -> Self {
        CoreError::Scenario(vec![at(path, msg)])
    }
}

/// `path: message`, or just the message at the top level.
pub fn at(path: &str, msg: impl fmt::Display) -> String {
    if path.is_empty() { format!("{msg}") } else { format!("{path}: {msg}") }
}

impl fmt::Display for CoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CoreError::Scenario(msgs) => {
                if msgs.len() == 1 {
                    write!(f, "{}", msgs[0])
                } else {
                    write!(f, "{} problems in the scenario:\n  {}", msgs.len(), msgs.join("\n  "))
                }
            }
            CoreError::Resource(m) | CoreError::UnknownName(m) | CoreError::Argument(m) => write!(f, "{m}"),
            CoreError::Interrupted => write!(f, "the run was interrupted"),
            CoreError::Internal(m) => write!(
                f,
                "internal error: {m}. This is a bug in attrition: please report it with the scenario and the seed \
                 of the run"
            ),
        }
    }
}

impl std::error::Error for CoreError {}

/// Edit distance, for "did you mean" suggestions.
pub(crate) fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Most characters of a caller's input that a message quotes.
pub const ECHO_LIMIT: usize = 200;

/// `s` when it has at most [`ECHO_LIMIT`] characters, else its start and end
/// joined by `...`: a message never echoes megabytes of input.
pub fn shown(s: &str) -> Cow<'_, str> {
    let n = s.chars().count();
    if n <= ECHO_LIMIT {
        return Cow::Borrowed(s);
    }
    let tail = ECHO_LIMIT / 5;
    let head: String = s.chars().take(ECHO_LIMIT - tail - 3).collect();
    let end: String = s.chars().skip(n - tail).collect();
    Cow::Owned(format!("{head}...{end}"))
}

/// Longest word given suggestions: names are short, and the edit distance is
/// quadratic in the length.
const MAX_SUGGESTED_WORD: usize = 256;

/// The candidates closest to `word` (at most three, within a distance that scales with length).
pub(crate) fn close_matches<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    if word.len() > MAX_SUGGESTED_WORD {
        return Vec::new();
    }
    let limit = (word.chars().count() / 3).max(2);
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .map(|c| {
            let d = levenshtein(word, c);
            // A candidate containing the word (or contained in it) also counts as close.
            let d = if c.contains(word) || word.contains(c) { d.min(limit) } else { d };
            (d, c)
        })
        .filter(|(d, _)| *d <= limit)
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, c)| c.to_string()).collect()
}

/// " (did you mean `x`?)" or "".
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    let m = close_matches(word, candidates);
    if m.is_empty() {
        String::new()
    } else {
        let quoted: Vec<String> = m.iter().map(|s| format!("`{s}`")).collect();
        format!(" (did you mean {}?)", quoted.join(" or "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_input_is_shown_short() {
        assert_eq!(shown("short"), "short");
        let long = format!("{}{}", "a".repeat(10_000), "END");
        let s = shown(&long);
        assert!(s.chars().count() == ECHO_LIMIT && s.ends_with("aaEND") && s.contains("..."), "{s}");
        assert_eq!(did_you_mean(&"rate".repeat(1000), ["rate"]), "");
    }

    #[test]
    fn suggestions() {
        assert_eq!(levenshtein("rate", "rat"), 1);
        assert_eq!(did_you_mean("rat", ["rate", "growth"]), " (did you mean `rate`?)");
        assert_eq!(did_you_mean("zzzzzz", ["rate", "growth"]), "");
    }
}
