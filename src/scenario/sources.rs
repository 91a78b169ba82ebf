//! The sources register, and the `[sources]` table that cites it.
//!
//! The register (`python/attrition/sources.toml`, compiled in) holds one
//! entry per published figure, a *fact*, under a stable id. A scenario's
//! optional top-level `[sources]` table maps the dotted path of a value to
//! its provenance ([`super::Source`]): the ids of the facts it rests on, a
//! note, and/or an assumption.
//!
//! ```toml
//! [sources]
//! "sides.russia.supply.dprk_152.rate" = { facts = ["nk-shells-annual-2024"], note = "3.0 M a year x 0.8" }
//! "sides.russia.calibers.152mm.reserve_days" = { assumption = "about a month of demand held back" }
//! ```
//!
//! Validation checks that each key names a value of the scenario (or a field
//! that could hold one there, such as an unset `end`) and that each fact id
//! is in the register. [`super::provenance`] lists every input of a scenario
//! (numbers, distributions, dates, switches) with its entry, or with the
//! grounds of the field's default when the value is the default.
use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::Scenario;
use super::fields::{Field, Kind, Table};
use super::parse::key_in_path;
use crate::error::{at, did_you_mean};

/// The register's text, as shipped in the Python package.
pub const REGISTER: &str = include_str!("../../python/attrition/sources.toml");

/// The day the built-in scenarios describe: facts published after it are
/// `after_cutoff`.
pub const CUTOFF: &str = "2024-12-24";

/// How far a fact was checked.
pub const VERIFICATIONS: [&str; 4] = ["read", "second-hand", "placeholder", "computed"];

/// One published figure of the register.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fact {
    /// What is measured.
    pub quantity: String,
    pub unit: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub central: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub high: Option<f64>,
    /// Publication or body, outlet and date.
    pub source: String,
    /// Publication date, `YYYY-MM-DD`.
    #[serde(default, deserialize_with = "toml_date", skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// For computed facts: the shipped file or named data set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataset: Option<String>,
    /// One of [`VERIFICATIONS`].
    pub verification: String,
    /// Published after 2024-12-24.
    #[serde(default)]
    pub after_cutoff: bool,
    /// Which scenario inputs use it and how.
    pub used_for: String,
    /// Who is an interested party, what is weak.
    pub confidence: String,
}

fn toml_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Some(toml::value::Datetime::deserialize(d)?.to_string()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Register {
    facts: BTreeMap<String, Fact>,
}

/// Parse a register's text and check each fact's form.
pub(crate) fn parse_register(text: &str) -> Result<BTreeMap<String, Fact>, String> {
    let r: Register = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut errors = Vec::new();
    for (id, f) in &r.facts {
        let ok_id = !id.is_empty()
            && id.split('-').all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
        if !ok_id {
            errors.push(format!("{id}: an id is lowercase words and numbers joined by hyphens"));
        }
        if !VERIFICATIONS.contains(&f.verification.as_str()) {
            errors.push(format!("{id}: verification must be one of {}", VERIFICATIONS.join(", ")));
        }
        if f.value.is_none() && f.low.is_none() && f.central.is_none() && f.high.is_none() {
            errors.push(format!("{id}: needs value, or low, central or high"));
        }
        if f.value.is_some() && (f.low.is_some() || f.central.is_some() || f.high.is_some()) {
            errors.push(format!("{id}: value, or low / central / high, not both"));
        }
        if f.verification == "computed" && f.dataset.is_none() {
            errors.push(format!("{id}: a computed fact names its dataset"));
        }
        if f.date.as_deref().is_some_and(|d| d > CUTOFF) && !f.after_cutoff {
            errors.push(format!("{id}: dated after {CUTOFF}, so after_cutoff = true"));
        }
        let spread: Vec<f64> = [f.low, f.central, f.high].into_iter().flatten().collect();
        if spread.windows(2).any(|w| w[0] > w[1]) {
            errors.push(format!("{id}: low <= central <= high"));
        }
        for (k, s) in [("quantity", &f.quantity), ("unit", &f.unit), ("source", &f.source), ("used_for", &f.used_for)] {
            if s.trim().is_empty() {
                errors.push(format!("{id}: {k} is empty"));
            }
        }
    }
    if errors.is_empty() { Ok(r.facts) } else { Err(errors.join("; ")) }
}

/// The facts of the register, by id (parsed on each call).
pub fn register() -> BTreeMap<String, Fact> {
    // The register is compiled in; `register_parses` in the tests keeps it valid.
    parse_register(REGISTER).expect("the sources register compiled in is valid")
}

/// The ids of the register's facts, read off its `[facts.<id>]` headers: what
/// validation needs, without parsing the whole register.
pub fn fact_ids() -> Vec<&'static str> {
    REGISTER.lines().filter_map(|l| l.trim_end().strip_prefix("[facts.")?.strip_suffix(']')).collect()
}

/// `sources."a.b.c"`: how messages name an entry.
fn entry_path(key: &str) -> String {
    format!("sources.{}", key_in_path(key))
}

/// What a dotted path of a scenario leads to.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Target<'a> {
    /// A value that is there; the field it belongs to (None for a table of a map).
    Value(&'a Value, Option<&'static Field>),
    /// A field of a table that is there, not set (its default, or absent).
    Unset(&'static Field),
}

/// Split `a.b[0].c` into (name, indexes) parts.
fn segments(path: &str) -> Result<Vec<(&str, Vec<usize>)>, String> {
    let bad = || format!("{path:?} is not a dotted path (names joined by '.', list elements as `name[0]`)");
    let mut out = Vec::new();
    for seg in path.split('.') {
        let (name, mut rest) = match seg.find('[') {
            Some(i) => (&seg[..i], &seg[i..]),
            None => (seg, ""),
        };
        if name.is_empty() {
            return Err(bad());
        }
        let mut idx = Vec::new();
        while !rest.is_empty() {
            let close = rest.find(']').ok_or_else(bad)?;
            let n = rest.get(1..close).and_then(|d| d.parse::<usize>().ok()).ok_or_else(bad)?;
            idx.push(n);
            rest = &rest[close + 1..];
            if !rest.is_empty() && !rest.starts_with('[') {
                return Err(bad());
            }
        }
        out.push((name, idx));
    }
    Ok(out)
}

/// Follow a dotted path through a scenario's value (as [`Scenario::to_value`]
/// writes it): the value there, the unset field it names, or why it names
/// nothing.
pub(crate) fn locate<'a>(root: &'a Value, path: &str) -> Result<Target<'a>, String> {
    let mut cur = root;
    let mut kind = Kind::Table(Table::Scenario);
    let mut field: Option<&'static Field> = None;
    let mut walked = String::new();
    for (i, (name, idx)) in segments(path)?.into_iter().enumerate() {
        if matches!(kind, Kind::Param | Kind::Rate) {
            return Err(format!("`{walked}` is one value (a distribution is cited as a whole)"));
        }
        let Value::Object(m) = cur else { return Err(format!("`{walked}` is a value, not a table")) };
        let next = match kind {
            Kind::Table(t) => {
                let f = t.field(name).ok_or_else(|| {
                    let names = t.fields().iter().map(|f| f.name);
                    let here = if walked.is_empty() { "the top level".to_string() } else { format!("`{walked}`") };
                    format!("{here} has no field `{name}`{}", did_you_mean(name, names))
                })?;
                if f.kind == Kind::Map(Table::Source) {
                    return Err("a source cannot cite the sources".to_string());
                }
                field = Some(f);
                kind = f.kind;
                m.get(name)
            }
            Kind::Map(t) => {
                kind = Kind::Table(t);
                field = None;
                m.get(name)
            }
            _ => return Err(format!("`{walked}` is a value, not a table")),
        };
        if !walked.is_empty() {
            walked.push('.');
        }
        walked.push_str(name);
        let last = i + 1 == path.split('.').count();
        let Some(mut v) = next else {
            return match (kind, field, last && idx.is_empty()) {
                (_, Some(f), true) => Ok(Target::Unset(f)),
                _ => Err(format!("`{walked}` is not in the scenario")),
            };
        };
        for n in idx {
            let Value::Array(a) = v else { return Err(format!("`{walked}` is not a list")) };
            kind = match kind {
                Kind::List(t) => Kind::Table(t),
                Kind::Numbers => Kind::Number,
                _ => return Err(format!("`{walked}` is not a list")),
            };
            walked.push_str(&format!("[{n}]"));
            v = a
                .get(n)
                .ok_or_else(|| format!("`{walked}` is not in the scenario (the list has {} elements)", a.len()))?;
        }
        cur = v;
    }
    Ok(Target::Value(cur, field))
}

/// The problems of a scenario's `[sources]` (each "sources."path": rule").
pub(crate) fn check(s: &Scenario) -> Vec<String> {
    if s.sources.is_empty() {
        return Vec::new();
    }
    let root = s.to_value();
    let facts = fact_ids();
    let mut errors = Vec::new();
    // Entries under one missing table (keys are sorted: they follow each
    // other) are one problem: (its first entry's place in `errors`, the
    // reason, how many more entries share it).
    let mut missing: Option<(usize, String, usize)> = None;
    let flush = |missing: &mut Option<(usize, String, usize)>, errors: &mut Vec<String>| {
        if let Some((i, _, more)) = missing.take() {
            if more > 0 {
                errors[i].push_str(&format!(" (and for {more} more entries under it)"));
            }
        }
    };
    for (key, src) in &s.sources {
        let here = entry_path(key);
        if src.facts.is_empty() && src.assumption.trim().is_empty() && src.note.trim().is_empty() {
            errors.push(at(&here, "an entry needs facts, an assumption or a note"));
        }
        match locate(&root, key) {
            Err(msg) if missing.as_ref().is_some_and(|(_, m, _)| *m == msg) => {
                if let Some((_, _, more)) = missing.as_mut() {
                    *more += 1;
                }
            }
            Err(msg) => {
                flush(&mut missing, &mut errors);
                errors.push(at(&here, format!("no such value: {msg}")));
                missing = Some((errors.len() - 1, msg, 0));
            }
            Ok(_) => flush(&mut missing, &mut errors),
        }
        for (i, id) in src.facts.iter().enumerate() {
            if !facts.contains(&id.as_str()) {
                errors.push(at(
                    &format!("{here}.facts[{i}]"),
                    format!("no fact {id:?} in the sources register{}", did_you_mean(id, facts.iter().copied())),
                ));
            }
        }
    }
    flush(&mut missing, &mut errors);
    errors
}

/// Whether `key` names `path` or something inside it.
fn within(key: &str, path: &str) -> bool {
    key.strip_prefix(path).is_some_and(|rest| rest.is_empty() || rest.starts_with('.') || rest.starts_with('['))
}

/// Drop the entries of `sources` (a `[sources]` table as a value) for the
/// value at `path` and everything inside it: they described what it held.
pub(crate) fn forget(sources: &mut Map<String, Value>, path: &str) {
    sources.retain(|k, _| !within(k, path));
}

/// The dotted paths of the values an overlay (or an override) sets: a
/// table's keys recursively, a distribution table, a list or any other value
/// as one value.
pub(crate) fn set_paths(v: &Map<String, Value>, prefix: &str, out: &mut Vec<String>) {
    for (k, x) in v {
        let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
        match x {
            Value::Object(m) if !super::parse::is_value(m) => set_paths(m, &path, out),
            _ => out.push(path),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn register_parses() {
        let facts = register();
        let mut ids = fact_ids();
        ids.sort_unstable();
        assert_eq!(ids, facts.keys().map(String::as_str).collect::<Vec<_>>());
        assert!(facts.len() > 100);
        assert!(facts["ukraine-area"].value == Some(603_550.0));
        assert!(parse_register("[facts.Bad_id]\nquantity = \"q\"\n").is_err());
        let e = parse_register(
            "[facts.x-1]\nquantity = \"q\"\nunit = \"u\"\nsource = \"s\"\nverification = \"heard\"\nused_for = \"u\"\nconfidence = \"c\"\n",
        )
        .unwrap_err();
        assert!(e.contains("verification must be one of") && e.contains("needs value"), "{e}");
        let e = parse_register(
            "[facts.x]\nquantity = \"q\"\nunit = \"u\"\nlow = 3\nhigh = 2\nsource = \"s\"\ndate = 2025-01-02\n\
             verification = \"computed\"\nused_for = \"u\"\nconfidence = \"c\"\n",
        )
        .unwrap_err();
        for want in ["names its dataset", "after_cutoff = true", "low <= central <= high"] {
            assert!(e.contains(want), "{e}");
        }
    }

    #[test]
    fn paths_lead_to_values_or_unset_fields() {
        let v = json!({"name": "a", "sides": {"red": {"fleets": {"f": {"guns": 3}},
            "casualties": {"base": 1, "thresholds": [1, 2], "tempo": [{"factor": 2}]}}}});
        assert_eq!(
            locate(&v, "sides.red.fleets.f.guns"),
            Ok(Target::Value(&json!(3), Some(crate::scenario::fields::field!(Fleet, "guns"))))
        );
        assert!(
            matches!(locate(&v, "sides.red.fleets.f.max_wait_days"), Ok(Target::Unset(f)) if f.name == "max_wait_days")
        );
        assert!(matches!(locate(&v, "sides.red.territory"), Ok(Target::Unset(_))));
        assert!(matches!(locate(&v, "sides.red.casualties.thresholds[1]"), Ok(Target::Value(x, _)) if *x == json!(2)));
        assert!(matches!(locate(&v, "sides.red.casualties.tempo[0].factor"), Ok(Target::Value(..))));
        let err = |p: &str| locate(&v, p).unwrap_err();
        assert!(err("sides.red.fleets.f.gnus").contains("did you mean `guns`"), "{}", err("sides.red.fleets.f.gnus"));
        assert!(err("sides.blue.ref_fire").contains("`sides.blue` is not in the scenario"));
        assert!(err("sides.red.casualties.thresholds[2]").contains("2 elements"));
        assert!(err("sides.red.fleets.f.guns.low").contains("one value"));
        assert!(err("sides..x").contains("not a dotted path"));
        assert!(err("sources").contains("cannot cite"));
    }

    #[test]
    fn forgetting_a_value_forgets_what_is_inside_it() {
        let mut m = Map::new();
        for k in ["a.b", "a.b.c", "a.b[0]", "a.bc", "a"] {
            m.insert(k.into(), json!({}));
        }
        forget(&mut m, "a.b");
        assert_eq!(m.keys().collect::<Vec<_>>(), ["a", "a.bc"]);
        let mut out = Vec::new();
        set_paths(json!({"x": {"y": 1, "d": {"dist": "pert"}}, "z": [1]}).as_object().unwrap(), "", &mut out);
        assert_eq!(out, ["x.d", "x.y", "z"]);
    }
}
