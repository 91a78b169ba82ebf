//! The one table of what each field of the scenario format is: its kind, its
//! unit, the domain its values must lie in, and why its default is what it
//! is.
//!
//! The meanings are the doc comments of [`super::schema`], the defaults its
//! serde defaults; this table adds what serde cannot say. Validation reads
//! each parameter's domain from here ([`super::compile`]), the JSON Schema
//! and the generated reference read units, domains and the grounds of the
//! defaults from here ([`super::reference`]), and a test checks that the
//! table and the schema list the same fields.
use super::MAX_DAYS;

/// Most guns one fleet may hold in a trajectory (initial plus delivered):
/// each gun keeps its barrel's state, so this bounds a trajectory's memory.
pub const MAX_GUNS: f64 = 1e6;
/// Largest elasticity to a fire ratio (alpha, combat_beta, territory gamma):
/// with the ratio capped at `max_fire_ratio` (5 by default), 5^10 is already a
/// factor of about ten million.
pub const MAX_ELASTICITY: f64 = 10.0;
/// Largest cap on the fire ratios: with elasticities up to `MAX_ELASTICITY`,
/// a coupling factor stays below 1e60, so no rate becomes infinite.
pub const MAX_FIRE_RATIO_CAP: f64 = 1e6;

/// A bound of a domain: the number, and whether it is included.
pub type Bound = (f64, bool);

/// The values a number may take, from its meaning. A distribution's whole
/// support must lie inside its parameter's domain.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Domain {
    NonNeg,
    Positive,
    Prob,
    AtLeastOne,
    /// A yearly growth rate: above -1.
    Growth,
    /// A delay in days: 0 to `MAX_DAYS`.
    Days,
    /// The horizon: 1 to `MAX_DAYS` days.
    Horizon,
    /// A number of guns: 0 to [`MAX_GUNS`].
    Guns,
    /// An elasticity: 0 to [`MAX_ELASTICITY`].
    Elasticity,
    /// A Weibull shape of barrel life: 1 or more (a wear-out failure rate that
    /// does not fall with age; shapes below 1 spread lives over so many orders
    /// of magnitude that the fleet's running wear sums lose their precision).
    Shape,
    /// The exponent of the accuracy curve: 1, 2 or 3.
    Exponent,
    /// A rank correlation: -1 to 1.
    Correlation,
    /// A cap on a fire ratio: 1 (the reference) to [`MAX_FIRE_RATIO_CAP`].
    RatioCap,
}

impl Domain {
    /// The rule, as validation messages and the reference state it.
    pub fn rule(self) -> String {
        match self {
            Domain::NonNeg => "must be >= 0".to_string(),
            Domain::Positive => "must be > 0".to_string(),
            Domain::Prob => "must be a probability in [0, 1]".to_string(),
            Domain::AtLeastOne => "must be >= 1".to_string(),
            Domain::Growth => "must be > -1 (a yearly growth rate)".to_string(),
            Domain::Days => format!("must be between 0 and {MAX_DAYS} days"),
            Domain::Horizon => format!("must be between 1 and {MAX_DAYS}"),
            Domain::Guns => format!("must be between 0 and {MAX_GUNS:e} guns"),
            Domain::Elasticity => format!("must be an elasticity between 0 and {MAX_ELASTICITY}"),
            Domain::Shape => "must be >= 1 (a Weibull shape of wear-out)".to_string(),
            Domain::Exponent => "must be 1, 2 or 3".to_string(),
            Domain::Correlation => "must be a rank correlation in [-1, 1]".to_string(),
            Domain::RatioCap => {
                format!("must be between 1 and {MAX_FIRE_RATIO_CAP:e} (a cap on a ratio to the reference)")
            }
        }
    }

    /// The lower and upper bounds, each with whether it is included; None
    /// where the domain is open on that side.
    pub fn bounds(self) -> (Option<Bound>, Option<Bound>) {
        let days = f64::from(MAX_DAYS);
        match self {
            Domain::NonNeg => (Some((0.0, true)), None),
            Domain::Positive => (Some((0.0, false)), None),
            Domain::Prob => (Some((0.0, true)), Some((1.0, true))),
            Domain::AtLeastOne | Domain::Shape => (Some((1.0, true)), None),
            Domain::Growth => (Some((-1.0, false)), None),
            Domain::Days => (Some((0.0, true)), Some((days, true))),
            Domain::Horizon => (Some((1.0, true)), Some((days, true))),
            Domain::Guns => (Some((0.0, true)), Some((MAX_GUNS, true))),
            Domain::Elasticity => (Some((0.0, true)), Some((MAX_ELASTICITY, true))),
            Domain::Exponent => (Some((1.0, true)), Some((3.0, true))),
            Domain::Correlation => (Some((-1.0, true)), Some((1.0, true))),
            Domain::RatioCap => (Some((1.0, true)), Some((MAX_FIRE_RATIO_CAP, true))),
        }
    }

    /// Whether every value in [lo, hi] lies in the domain.
    pub fn holds(self, lo: f64, hi: f64) -> bool {
        let (lower, upper) = self.bounds();
        let above = lower.is_none_or(|(b, inc)| if inc { lo >= b } else { lo > b });
        let below = upper.is_none_or(|(b, inc)| if inc { hi <= b } else { hi < b });
        let whole = self != Domain::Exponent || (lo == hi && lo == lo.trunc());
        above && below && whole
    }

    /// Ok, or the rule broken by a value in [lo, hi].
    pub(crate) fn check(self, lo: f64, hi: f64) -> Result<(), String> {
        if self.holds(lo, hi) { Ok(()) } else { Err(self.rule()) }
    }
}

/// A table of the scenario format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    Scenario,
    Side,
    Caliber,
    SupplyLine,
    Fleet,
    Deliveries,
    Casualties,
    TempoStep,
    Contingent,
    Arrival,
    Territory,
    Correlation,
    Lever,
    Source,
}

/// What a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A number or a distribution, drawn once per trajectory.
    Param,
    /// A rate: a [`Kind::Param`], or a schedule of dated values (each a
    /// parameter), which may be read from a CSV file when the scenario is loaded.
    Rate,
    /// A plain number.
    Number,
    /// A list of plain numbers.
    Numbers,
    /// A date, `YYYY-MM-DD`.
    Date,
    /// true or false.
    Bool,
    /// Free text.
    Text,
    /// The name of another element of the scenario.
    Name,
    /// A list of ids of the sources register.
    FactIds,
    /// The dotted path of a value of the scenario.
    Path,
    /// A list of dotted paths.
    Paths,
    /// A number or a date (a lever's setting).
    Setting,
    /// A list of numbers or dates.
    Settings,
    /// One table.
    Table(Table),
    /// Tables keyed by their names.
    Map(Table),
    /// A list of tables.
    List(Table),
}

impl Kind {
    /// Whether a value of this kind is an input of the model (a number, a
    /// distribution, a date or a switch), which the scenario's provenance
    /// must account for; names and text are not.
    pub fn is_input(self) -> bool {
        matches!(self, Kind::Param | Kind::Rate | Kind::Number | Kind::Numbers | Kind::Date | Kind::Bool)
    }
}

/// Why a default is what it is: facts of the sources register and/or an
/// assumption, with an optional note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Basis {
    pub facts: &'static [&'static str],
    pub assumption: &'static str,
    pub note: &'static str,
}

const fn assume(why: &'static str) -> Option<Basis> {
    Some(Basis { facts: &[], assumption: why, note: "" })
}

/// One field of a table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
    /// The unit of its values ("" for none, "-" for a pure number).
    pub unit: &'static str,
    pub domain: Option<Domain>,
    /// The grounds of its default, for a field with a default.
    pub default: Option<Basis>,
}

const fn f(name: &'static str, kind: Kind) -> Field {
    Field { name, kind, unit: "", domain: None, default: None }
}

/// A parameter (a number or a distribution) with its unit and domain.
const fn p(name: &'static str, unit: &'static str, domain: Domain) -> Field {
    Field { name, kind: Kind::Param, unit, domain: Some(domain), default: None }
}

/// A rate (a parameter, or a schedule of them) with its unit and domain.
const fn r(name: &'static str, unit: &'static str, domain: Domain) -> Field {
    Field { name, kind: Kind::Rate, unit, domain: Some(domain), default: None }
}

impl Field {
    const fn or(self, default: Option<Basis>) -> Field {
        Field { default, ..self }
    }
}

const SHARE: &str = "share";
const PURE: &str = "-";

const SCENARIO: &[Field] = &[
    f("name", Kind::Text),
    f("description", Kind::Text),
    f("start", Kind::Date),
    Field { name: "days", kind: Kind::Number, unit: "days", domain: Some(Domain::Horizon), default: None }
        .or(assume("a two-year horizon")),
    f("coupling", Kind::Bool).or(assume("the sides react to each other's fire")),
    p("max_fire_ratio", PURE, Domain::RatioCap).or(assume(
        "one day's fire ratio counts for at most five times the reference: a silent or lucky day cannot multiply \
         losses or gains without limit",
    )),
    f("sides", Kind::Map(Table::Side)),
    f("correlations", Kind::List(Table::Correlation)),
    f("levers", Kind::Map(Table::Lever)),
    f("sources", Kind::Map(Table::Source)),
];

const SIDE: &[Field] = &[
    f("opponent", Kind::Name),
    p("ref_fire", "effective rounds/day (152 mm eq.)", Domain::Positive).or(assume(
        "a neutral scale; with couplings, set it to the side's typical effective fire so that the elasticities act \
         around 1",
    )),
    f("calibers", Kind::Map(Table::Caliber)),
    f("supply", Kind::Map(Table::SupplyLine)),
    f("fleets", Kind::Map(Table::Fleet)),
    f("casualties", Kind::Table(Table::Casualties)),
    f("contingents", Kind::Map(Table::Contingent)),
    f("territory", Kind::Table(Table::Territory)),
];

const CALIBER: &[Field] = &[
    p("initial_stock", "shells", Domain::NonNeg),
    p("initial_dud_fraction", SHARE, Domain::Prob).or(assume("no duds in the day-0 stock")),
    p("lethality", "152 mm eq. per round", Domain::NonNeg)
        .or(assume("convention: a 152 mm round is the unit of effective fire")),
    p("reserve", "shells", Domain::NonNeg).or(assume("no absolute floor: the floor is reserve_days of demand")),
    p("reserve_days", "days", Domain::NonNeg).or(assume("no floor: the side fires its last shell")),
];

const SUPPLY_LINE: &[Field] = &[
    f("caliber", Kind::Name),
    f("supplier", Kind::Name),
    r("rate", "shells/day", Domain::NonNeg),
    p("growth", "per year", Domain::Growth).or(assume("the rate stays at its day-0 level")),
    f("start", Kind::Date),
    f("end", Kind::Date),
    p("lot_size", "shells", Domain::AtLeastOne).or(assume("shells arrive one by one (no lumps)")),
    p("dud_fraction", SHARE, Domain::Prob).or(assume("no duds")),
    p("price", "USD/shell", Domain::NonNeg).or(assume("nobody is paid")),
];

const FLEET: &[Field] = &[
    f("caliber", Kind::Name),
    p("guns", "guns", Domain::Guns),
    r("rounds_per_gun_day", "rounds/gun/day", Domain::NonNeg),
    p("efc_per_round", "EFC/round", Domain::NonNeg).or(assume("every round is a full charge")),
    p("barrel_life", "EFC", Domain::Positive),
    p("barrel_shape", PURE, Domain::Shape).or(assume("Weibull shape 3: wear-out failures; no published shape")),
    p("initial_wear", "share of barrel life", Domain::Prob).or(assume("new barrels on day 0")),
    p("spares", "barrels", Domain::NonNeg).or(assume("no spare barrels in stock")),
    p("spare_rate", "barrels/day", Domain::NonNeg).or(assume("no spare barrels made")),
    p("repair_days", "days", Domain::Days).or(assume("a spare barrel is fitted the day it is available")),
    p("max_wait_days", "days", Domain::Days),
    r("combat_loss", "per gun per day", Domain::Prob).or(assume("no combat losses")),
    p("combat_beta", PURE, Domain::Elasticity).or(assume("losses do not depend on the enemy's fire")),
    p("accuracy_loss", SHARE, Domain::Prob).or(assume("barrels keep their accuracy as they wear")),
    Field { name: "accuracy_exponent", kind: Kind::Number, unit: PURE, domain: Some(Domain::Exponent), default: None }
        .or(assume("accuracy falls linearly with wear (only matters with accuracy_loss > 0)")),
    p("threshold", "share of day-0 guns", Domain::Prob)
        .or(assume("the days_to_half outcome: half the day-0 fleet unserviceable")),
    f("deliveries", Kind::Table(Table::Deliveries)),
];

const DELIVERIES: &[Field] = &[
    p("rate", "guns/day", Domain::NonNeg),
    p("lot_size", "guns", Domain::AtLeastOne).or(assume("guns arrive one by one")),
    f("start", Kind::Date),
    f("end", Kind::Date),
];

const CASUALTIES: &[Field] = &[
    p("base", "people/day", Domain::NonNeg),
    p("dispersion", PURE, Domain::Positive),
    p("alpha", PURE, Domain::Elasticity).or(assume("casualties do not depend on the enemy's fire")),
    f("tempo", Kind::List(Table::TempoStep)),
    p("drift_sd", "per day (log tempo)", Domain::NonNeg).or(assume("no drift of the tempo")),
    p("drift_reversion", "per day", Domain::Prob).or(assume("a drift, if any, is a random walk")),
    p("slow_drift_sd", "per day (log tempo)", Domain::NonNeg).or(assume("no slow drift of the tempo")),
    p("slow_drift_reversion", "per day", Domain::Prob).or(assume("a slow drift, if any, is a random walk")),
    p("initial_cumulative", "people", Domain::NonNeg).or(assume("cumulative series count from day 0")),
    Field { name: "thresholds", kind: Kind::Numbers, unit: "people", domain: Some(Domain::NonNeg), default: None },
];

const TEMPO_STEP: &[Field] = &[f("start", Kind::Date), f("end", Kind::Date), p("factor", PURE, Domain::NonNeg)];

const CONTINGENT: &[Field] = &[
    p("strength", "people", Domain::NonNeg),
    p("relative_risk", PURE, Domain::NonNeg).or(assume("the same risk per soldier as the side's other contingents")),
    p("killed_fraction", SHARE, Domain::Prob),
    p("rtd", "share of the wounded", Domain::Prob).or(assume("no wounded return to duty")),
    p("rtd_days", "days", Domain::Days).or(assume("about a month of treatment before the wounded who return rejoin")),
    p("payment", "USD/soldier/day", Domain::NonNeg).or(assume("nobody is paid")),
    f("sender", Kind::Name),
    r("arrival_rate", "people/day", Domain::NonNeg).or(assume("no reinforcements")),
    f("schedule", Kind::List(Table::Arrival)),
    f("arrivals_start", Kind::Date),
    f("arrivals_end", Kind::Date),
];

const ARRIVAL: &[Field] = &[f("date", Kind::Date), p("size", "people", Domain::NonNeg)];

const TERRITORY: &[Field] = &[
    p("rate", "km²/day", Domain::NonNeg),
    p("cv", PURE, Domain::NonNeg).or(assume("a day's gain varies by about half its mean")),
    p("gamma", PURE, Domain::Elasticity).or(assume("gains do not depend on the fire ratio")),
    p("ref_ratio", PURE, Domain::Positive).or(assume("parity of effective fire is the reference")),
    p("reference_area_km2", "km²", Domain::Positive).or(Some(Basis {
        facts: &["ukraine-area"],
        assumption: "",
        note: "Ukraine within its internationally recognised borders",
    })),
];

const CORRELATION: &[Field] = &[
    f("a", Kind::Path),
    f("b", Kind::Path),
    Field { name: "rho", kind: Kind::Number, unit: PURE, domain: Some(Domain::Correlation), default: None },
];

const LEVER: &[Field] = &[
    f("description", Kind::Text),
    f("path", Kind::Path),
    f("paths", Kind::Paths),
    f("values", Kind::Settings),
    f("low", Kind::Setting),
    f("high", Kind::Setting),
];

const SOURCE: &[Field] = &[f("facts", Kind::FactIds), f("note", Kind::Text), f("assumption", Kind::Text)];

/// Every table, the top level first.
pub const TABLES: [Table; 14] = [
    Table::Scenario,
    Table::Side,
    Table::Caliber,
    Table::SupplyLine,
    Table::Fleet,
    Table::Deliveries,
    Table::Casualties,
    Table::TempoStep,
    Table::Contingent,
    Table::Arrival,
    Table::Territory,
    Table::Correlation,
    Table::Lever,
    Table::Source,
];

impl Table {
    /// Its fields, in the schema's order.
    pub const fn fields(self) -> &'static [Field] {
        match self {
            Table::Scenario => SCENARIO,
            Table::Side => SIDE,
            Table::Caliber => CALIBER,
            Table::SupplyLine => SUPPLY_LINE,
            Table::Fleet => FLEET,
            Table::Deliveries => DELIVERIES,
            Table::Casualties => CASUALTIES,
            Table::TempoStep => TEMPO_STEP,
            Table::Contingent => CONTINGENT,
            Table::Arrival => ARRIVAL,
            Table::Territory => TERRITORY,
            Table::Correlation => CORRELATION,
            Table::Lever => LEVER,
            Table::Source => SOURCE,
        }
    }

    /// The name of its type in the schema (and in the JSON Schema's `$defs`).
    pub const fn type_name(self) -> &'static str {
        match self {
            Table::Scenario => "Scenario",
            Table::Side => "Side",
            Table::Caliber => "Caliber",
            Table::SupplyLine => "SupplyLine",
            Table::Fleet => "Fleet",
            Table::Deliveries => "Deliveries",
            Table::Casualties => "Casualties",
            Table::TempoStep => "TempoStep",
            Table::Contingent => "Contingent",
            Table::Arrival => "Arrival",
            Table::Territory => "Territory",
            Table::Correlation => "Correlation",
            Table::Lever => "Lever",
            Table::Source => "Source",
        }
    }

    /// Where its tables sit in a scenario file.
    pub const fn location(self) -> &'static str {
        match self {
            Table::Scenario => "the top level",
            Table::Side => "[sides.<side>]",
            Table::Caliber => "[sides.<side>.calibers.<caliber>]",
            Table::SupplyLine => "[sides.<side>.supply.<line>]",
            Table::Fleet => "[sides.<side>.fleets.<fleet>]",
            Table::Deliveries => "[sides.<side>.fleets.<fleet>.deliveries]",
            Table::Casualties => "[sides.<side>.casualties]",
            Table::TempoStep => "[[sides.<side>.casualties.tempo]]",
            Table::Contingent => "[sides.<side>.contingents.<contingent>]",
            Table::Arrival => "[[sides.<side>.contingents.<contingent>.schedule]]",
            Table::Territory => "[sides.<side>.territory]",
            Table::Correlation => "[[correlations]]",
            Table::Lever => "[levers.<lever>]",
            Table::Source => "[sources] \"<dotted path>\"",
        }
    }

    /// The field `name`, if the table has one.
    pub fn field(self, name: &str) -> Option<&'static Field> {
        self.fields().iter().find(|f| f.name == name)
    }
}

/// The field `name` of `fields`, found at compile time (a missing name does
/// not compile).
pub(crate) const fn find(fields: &'static [Field], name: &str) -> &'static Field {
    let mut i = 0;
    while i < fields.len() {
        let (a, b) = (fields[i].name.as_bytes(), name.as_bytes());
        if a.len() == b.len() {
            let mut j = 0;
            while j < a.len() && a[j] == b[j] {
                j += 1;
            }
            if j == a.len() {
                return &fields[i];
            }
        }
        i += 1;
    }
    panic!("no such field")
}

/// `field!(Table, "name")`: the field, resolved at compile time.
macro_rules! field {
    ($table:ident, $name:literal) => {{
        const F: &$crate::scenario::fields::Field =
            $crate::scenario::fields::find($crate::scenario::fields::Table::$table.fields(), $name);
        F
    }};
}
pub(crate) use field;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_hold_their_bounds() {
        assert!(Domain::Prob.holds(0.0, 1.0) && !Domain::Prob.holds(-0.1, 0.5) && !Domain::Prob.holds(0.5, 1.1));
        assert!(Domain::Positive.holds(1e-9, 5.0) && !Domain::Positive.holds(0.0, 5.0));
        assert!(Domain::Growth.holds(-0.99, 3.0) && !Domain::Growth.holds(-1.0, 3.0));
        assert!(
            Domain::Exponent.holds(2.0, 2.0) && !Domain::Exponent.holds(2.5, 2.5) && !Domain::Exponent.holds(4.0, 4.0)
        );
        assert!(Domain::Horizon.holds(1.0, 1.0) && !Domain::Horizon.holds(0.0, 0.0));
        assert!(!Domain::NonNeg.holds(f64::NAN, f64::NAN));
        assert_eq!(Domain::Guns.check(-1.0, 1.0), Err("must be between 0 and 1e6 guns".to_string()));
    }

    #[test]
    fn every_table_is_listed_once_and_names_its_fields_once() {
        for (i, t) in TABLES.iter().enumerate() {
            assert!(!TABLES[..i].contains(t));
            let names: Vec<&str> = t.fields().iter().map(|f| f.name).collect();
            let mut unique = names.clone();
            unique.sort_unstable();
            unique.dedup();
            assert_eq!(unique.len(), names.len(), "{t:?}");
            for f in t.fields() {
                // A parameter has a domain and a unit; a default's grounds say something.
                let param = matches!(f.kind, Kind::Param | Kind::Rate);
                assert_eq!(param, param && f.domain.is_some() && !f.unit.is_empty());
                if let Some(b) = f.default {
                    assert!(!b.facts.is_empty() || !b.assumption.is_empty(), "{}", f.name);
                }
            }
        }
        assert_eq!(field!(Fleet, "barrel_life").unit, "EFC");
    }
}
