//! The one registry of what the model records: every series (a value per
//! day) and every outcome (a value per trajectory).
//!
//! Names have four parts, `<side>.<module>.<item>.<quantity>`:
//! `russia.fleet.msta_s.serviceable` is the serviceable guns of Russia's
//! `msta_s` fleet. Each sub-model declares the groups of quantities it
//! records for a kind of component, with their units and meanings; this
//! module puts them together
//!
//! - generically, as kinds named by a pattern such as
//!   `{side}.fleet.{fleet}.serviceable` ([`series_kinds`], [`outcome_kinds`]);
//! - per scenario, as every concrete name in the order of the ids the engine
//!   uses (`Registry`), with each component's first ids.
//!
//! Ids follow the sides in name order. Within a side, series: the side's
//! effective fire, each caliber's, each supply line's, each fleet's, the
//! casualties', each contingent's and the territory's; outcomes in the same
//! order (the fire has none), then one revenue per supplier or sending state.
//! Components of one kind follow their names' order.
use super::quantity::{Group, Item, Quantity};
use super::{ammo, fleet, personnel, territory};
use crate::scenario::Compiled;

/// Placeholder in a quantity's name for one outcome per casualty threshold.
const THRESHOLD: &str = "{threshold}";

impl Group {
    fn pattern(&self, q: &Quantity) -> String {
        let item = match self.item {
            Item::Named(kind) => format!("{{{kind}}}"),
            Item::Fixed(word) => word.to_string(),
        };
        format!("{{side}}.{}.{item}.{}", self.module, q.name)
    }

    fn kind(&self, q: &Quantity) -> Kind {
        Kind { pattern: self.pattern(q), owner: self.owner, quantity: *q }
    }
}

/// What a side pays, over its sub-models: one revenue per supplier of its
/// supply lines and per sending state of its contingents.
pub(crate) const SUPPLIER: Group = Group {
    module: "supplier",
    item: Item::Named("supplier"),
    owner: "side",
    series: &[],
    outcomes: &[Quantity::new(
        "revenue",
        "USD",
        "What the side paid this supplier or sending state over the run: its supply lines' shells times their \
         prices, plus its contingents' payments.",
    )
    .label("revenue")
    .key()],
};

/// The groups, in the order of their ids within a side.
pub(crate) const GROUPS: [&Group; 8] = [
    &ammo::FIRE,
    &ammo::CALIBER,
    &ammo::LINE,
    &fleet::FLEET,
    &personnel::CASUALTIES,
    &personnel::CONTINGENT,
    &territory::TERRITORY,
    &SUPPLIER,
];

/// A kind of series or outcome: its name pattern, the sub-model that records
/// it, and the quantity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kind {
    /// E.g. `{side}.fleet.{fleet}.serviceable`.
    pub pattern: String,
    pub owner: &'static str,
    pub quantity: Quantity,
}

/// Every kind of series, in id order within a side.
pub fn series_kinds() -> Vec<Kind> {
    GROUPS.iter().flat_map(|g| g.series.iter().map(|q| g.kind(q))).collect()
}

/// Every kind of outcome, in id order within a side.
pub fn outcome_kinds() -> Vec<Kind> {
    GROUPS.iter().flat_map(|g| g.outcomes.iter().map(|q| g.kind(q))).collect()
}

/// A series or outcome of a scenario: its name and kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub kind: Kind,
}

/// The first series id and the first outcome id of a component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ids {
    pub(crate) s0: usize,
    pub(crate) o0: usize,
}

/// The ids of a side's components, in the order of the compiled side's.
#[derive(Debug, Clone)]
pub(crate) struct SideIds {
    pub(crate) fire: Ids,
    pub(crate) calibers: Vec<Ids>,
    pub(crate) lines: Vec<Ids>,
    pub(crate) fleets: Vec<Ids>,
    pub(crate) casualties: Option<Ids>,
    pub(crate) contingents: Vec<Ids>,
    pub(crate) territory: Option<Ids>,
    pub(crate) payees: Vec<Ids>,
}

/// The series and outcomes of one scenario, in id order, and the ids of
/// each component.
#[derive(Debug, Clone)]
pub(crate) struct Registry {
    series: Vec<Entry>,
    outcomes: Vec<Entry>,
    pub(crate) sides: Vec<SideIds>,
}

impl Registry {
    pub(crate) fn new(c: &Compiled) -> Registry {
        let mut r = Registry { series: Vec::new(), outcomes: Vec::new(), sides: Vec::with_capacity(c.sides.len()) };
        for s in &c.sides {
            let side = s.name.as_str();
            let ids = SideIds {
                fire: r.add(&ammo::FIRE, side, "", &[]),
                calibers: s.calibers.iter().map(|k| r.add(&ammo::CALIBER, side, &k.name, &[])).collect(),
                lines: s.lines.iter().map(|k| r.add(&ammo::LINE, side, &k.name, &[])).collect(),
                fleets: s.fleets.iter().map(|k| r.add(&fleet::FLEET, side, &k.name, &[])).collect(),
                casualties: s.casualties.as_ref().map(|k| r.add(&personnel::CASUALTIES, side, "", &k.thresholds)),
                contingents: s.contingents.iter().map(|k| r.add(&personnel::CONTINGENT, side, &k.name, &[])).collect(),
                territory: s.territory.as_ref().map(|_| r.add(&territory::TERRITORY, side, "", &[])),
                payees: s.payees.iter().map(|p| r.add(&SUPPLIER, side, p, &[])).collect(),
            };
            r.sides.push(ids);
        }
        r
    }

    /// Append the series and outcomes of one component of group `g`.
    fn add(&mut self, g: &'static Group, side: &str, item: &str, thresholds: &[f64]) -> Ids {
        let ids = Ids { s0: self.series.len(), o0: self.outcomes.len() };
        let item = match g.item {
            Item::Named(_) => item,
            Item::Fixed(word) => word,
        };
        let name = |q: &str| format!("{side}.{}.{item}.{q}", g.module);
        for q in g.series {
            self.series.push(Entry { name: name(q.name), kind: g.kind(q) });
        }
        for q in g.outcomes {
            if q.name.contains(THRESHOLD) {
                for t in thresholds {
                    let n = name(&q.name.replace(THRESHOLD, &threshold_name(*t)));
                    self.outcomes.push(Entry { name: n, kind: g.kind(q) });
                }
            } else {
                self.outcomes.push(Entry { name: name(q.name), kind: g.kind(q) });
            }
        }
        ids
    }

    /// Every series, in id order.
    pub(crate) fn series(&self) -> &[Entry] {
        &self.series
    }

    /// Every outcome, in id order.
    pub(crate) fn outcomes(&self) -> &[Entry] {
        &self.outcomes
    }
}

/// A threshold as a name part: `800000`, or `2_5` for 2.5.
fn threshold_name(x: f64) -> String {
    if x == x.trunc() && x.abs() < 1e15 { format!("{}", x as i64) } else { format!("{x}").replace('.', "_") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_named_by_patterns() {
        let s = series_kinds();
        let serviceable = s.iter().find(|k| k.pattern == "{side}.fleet.{fleet}.serviceable").expect("a fleet series");
        assert_eq!((serviceable.owner, serviceable.quantity.unit), ("fleet", "guns"));
        assert!(s.iter().any(|k| k.pattern == "{side}.fire.total.effective"));
        let o = outcome_kinds();
        let days = o.iter().find(|k| k.pattern == "{side}.casualties.total.days_to_{threshold}").expect("thresholds");
        assert!(days.quantity.first_passage && days.quantity.key && days.quantity.unit == "days");
        // Every first-passage outcome is a days_to_ one, and only those.
        for k in o.iter().chain(&s) {
            assert_eq!(k.quantity.first_passage, k.quantity.name.starts_with("days_to"), "{}", k.pattern);
            assert!(!k.quantity.unit.is_empty() && !k.quantity.description.is_empty(), "{}", k.pattern);
        }
        assert!(s.iter().all(|k| !k.quantity.key));
    }

    #[test]
    fn threshold_names() {
        assert_eq!(threshold_name(800_000.0), "800000");
        assert_eq!(threshold_name(2.5), "2_5");
    }
}
