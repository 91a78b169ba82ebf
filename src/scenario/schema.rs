//! The scenario schema (serde). Units and meanings are documented field by
//! field; docs/model.md gives the equations. Named collections are tables
//! keyed by name (kept in sorted order). Every numeric field is a [`Param`]
//! a number or a distribution, drawn once per trajectory.
//!
//! A scenario may also be written as an overlay of a built-in: the top-level
//! keys `extends` and `remove`, then only what differs (see
//! [`super::overlay`]). They are resolved before the schema reads the value.
use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::correlation::Correlation;
use super::date::Date;
use super::levers::Levers;
pub use super::param::Param;
use super::schedule::Rate;

fn r0() -> Rate {
    Rate::Const(p0())
}
fn p0() -> Param {
    Param::fixed(0.0)
}
fn p1() -> Param {
    Param::fixed(1.0)
}
fn days_default() -> u32 {
    730
}
fn yes() -> bool {
    true
}
fn is_true(b: &bool) -> bool {
    *b
}

/// A whole scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// A short identifier.
    pub name: String,
    /// One or two sentences on what the scenario says.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Day 0 of every trajectory.
    pub start: Date,
    /// Horizon in days.
    #[serde(default = "days_default")]
    pub days: u32,
    /// When false, every side sees the enemy's fire at its reference level, so
    /// the sides evolve independently (a modelling switch for policy tests).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    #[schemars(extend("default" = true))]
    pub coupling: bool,
    /// Cap on every fire ratio of the couplings (the enemy's fire over its
    /// reference; the own-to-enemy ratio over the territory's reference):
    /// one silent or lucky day cannot multiply losses or gains without limit.
    #[serde(default = "max_fire_ratio_default", skip_serializing_if = "is_max_fire_ratio_default")]
    #[schemars(extend("default" = 5.0))]
    pub max_fire_ratio: Param,
    /// The belligerents, by name.
    pub sides: BTreeMap<String, Side>,
    /// Rank correlations between uncertain parameters, drawn by a Gaussian
    /// copula (docs/model.md section 2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub correlations: Vec<Correlation>,
    /// Policy levers, by name: values an analyst may set in sweeps, the
    /// exploratory-modelling adapter and the explorer. Each value of a lever
    /// must give a valid scenario; an overlay inherits its base's levers.
    #[serde(default, skip_serializing_if = "Levers::is_empty")]
    pub levers: Levers,
    /// Where each value comes from: entries keyed by the value's dotted path.
    /// An overlay adds or replaces entries for what it changes.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sources: BTreeMap<String, Source>,
}

/// The provenance of one value of the scenario (an entry of `[sources]`,
/// keyed by the value's dotted path, e.g. `"sides.russia.supply.dprk_152.rate"`
/// or `"sides.russia.casualties.thresholds[0]"`). It gives at least one of
/// `facts`, `assumption` or `note`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Ids of the facts of the sources register the value rests on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub facts: Vec<String>,
    /// How the value follows from the facts (the arithmetic), or a source
    /// outside the register.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// A one-line reason where no fact decides the value: a judgement, a
    /// convention or a calibration.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub assumption: String,
}

/// The default cap on the fire ratios (docs/model.md section 5).
pub const MAX_FIRE_RATIO_DEFAULT: f64 = 5.0;

fn max_fire_ratio_default() -> Param {
    Param::fixed(MAX_FIRE_RATIO_DEFAULT)
}
fn is_max_fire_ratio_default(p: &Param) -> bool {
    *p == max_fire_ratio_default()
}

/// One belligerent with its suppliers and contingents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Side {
    /// The enemy side; may be left out when there are exactly two sides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opponent: Option<String>,
    /// This side's reference effective fire (152 mm-equivalent effective
    /// rounds per day): the enemy's losses, casualties and gains scale with
    /// (this side's fire / ref_fire)^elasticity.
    #[serde(default = "p1")]
    pub ref_fire: Param,
    /// Ammunition stocks, by caliber name (`152mm`).
    #[serde(default)]
    pub calibers: BTreeMap<String, Caliber>,
    /// Supply lines, by name.
    #[serde(default)]
    pub supply: BTreeMap<String, SupplyLine>,
    /// Gun systems, by name.
    #[serde(default)]
    pub fleets: BTreeMap<String, Fleet>,
    /// The side's casualty process; absent: no casualties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub casualties: Option<Casualties>,
    /// Contingents of the front-line force, by name.
    #[serde(default)]
    pub contingents: BTreeMap<String, Contingent>,
    /// Ground taken by this side; absent: it takes none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub territory: Option<Territory>,
}

/// Ammunition of one caliber (docs/model.md section 4.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Caliber {
    /// Shells in stock on day 0.
    pub initial_stock: Param,
    /// Share of duds in the initial stock.
    #[serde(default = "p0")]
    pub initial_dud_fraction: Param,
    /// Lethality weight relative to 152 mm (= 1).
    #[serde(default = "p1")]
    pub lethality: Param,
    /// Absolute floor (shells) the side will not fire below.
    #[serde(default = "p0")]
    pub reserve: Param,
    /// Floor in days of the planned demand (the day-0 fleets' demand); the floor is the larger of the two.
    #[serde(default = "p0")]
    pub reserve_days: Param,
}

/// A supply line of one caliber: domestic production or an ally (docs/model.md section 4.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SupplyLine {
    /// The caliber it delivers (a key of `calibers`).
    pub caliber: String,
    /// Who is paid for the shells (default: the line's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier: Option<String>,
    /// Shells per day on day 0, or a schedule of dated values (the growth
    /// applies on top of it).
    pub rate: Rate,
    /// Yearly growth of the rate (0.2 = +20 % a year), compounded daily.
    #[serde(default = "p0")]
    pub growth: Param,
    /// First day of deliveries (inclusive); default: always.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Date>,
    /// Day deliveries stop (exclusive): the policy lever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<Date>,
    /// Shells per lot (a train or a container load); lots arrive as a Poisson process.
    #[serde(default = "p1")]
    pub lot_size: Param,
    /// Share of delivered shells that are duds.
    #[serde(default = "p0")]
    pub dud_fraction: Param,
    /// Price per shell (USD), for the supplier's revenue.
    #[serde(default = "p0")]
    pub price: Param,
}

/// One gun system (docs/model.md section 4.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Fleet {
    /// The caliber it fires (a key of `calibers`).
    pub caliber: String,
    /// Serviceable guns on day 0.
    pub guns: Param,
    /// Rounds each serviceable gun asks for per day, or a schedule of dated values.
    pub rounds_per_gun_day: Rate,
    /// Barrel wear per round in effective full charges (the charge mix).
    #[serde(default = "p1")]
    pub efc_per_round: Param,
    /// Weibull scale of barrel life, in EFC.
    pub barrel_life: Param,
    /// Weibull shape of barrel life.
    #[serde(default = "shape_default")]
    pub barrel_shape: Param,
    /// Share of `barrel_life` already used by each day-0 barrel, drawn per
    /// barrel (a distribution here spreads the barrels' used shares; it is not
    /// drawn once per trajectory); each barrel's life is drawn conditional on
    /// having survived its used share.
    #[serde(default = "p0")]
    pub initial_wear: Param,
    /// Spare barrels in stock on day 0.
    #[serde(default = "p0")]
    pub spares: Param,
    /// Spare barrels produced per day (Poisson).
    #[serde(default = "p0")]
    pub spare_rate: Param,
    /// Days from fitting a spare barrel to rejoining the line.
    #[serde(default = "p0")]
    pub repair_days: Param,
    /// A gun waiting longer than this for a barrel is written off; absent: never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_wait_days: Option<Param>,
    /// Daily probability that a serviceable gun is destroyed, at the enemy's
    /// reference fire, or a schedule of dated values.
    #[serde(default = "r0")]
    pub combat_loss: Rate,
    /// Elasticity of `combat_loss` to the enemy's effective fire.
    #[serde(default = "p0")]
    pub combat_beta: Param,
    /// Accuracy lost by a barrel at the end of its life (`a`; 0 turns it off).
    #[serde(default = "p0")]
    pub accuracy_loss: Param,
    /// Exponent `b` of the accuracy curve 1 - a (wear / life)^b: 1, 2 or 3.
    #[serde(default = "one_u8")]
    pub accuracy_exponent: u8,
    /// Share of the initial fleet for the "days to half" first-passage outcome.
    #[serde(default = "half")]
    pub threshold: Param,
    /// New guns delivered in lots; absent: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deliveries: Option<Deliveries>,
}

fn shape_default() -> Param {
    Param::fixed(3.0)
}
fn one_u8() -> u8 {
    1
}
fn half() -> Param {
    Param::fixed(0.5)
}

/// Deliveries of new guns (lots ~ Poisson(rate / lot_size) a day in the window).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Deliveries {
    /// Guns per day.
    pub rate: Param,
    /// Guns per lot (a train).
    #[serde(default = "p1")]
    pub lot_size: Param,
    /// First day of deliveries (inclusive); default: always.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Date>,
    /// Day deliveries stop (exclusive); default: never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<Date>,
}

/// The casualty process of a side (docs/model.md section 4.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Casualties {
    /// Expected casualties (killed and wounded) per day at tempo 1 and the enemy's reference fire.
    pub base: Param,
    /// Negative-binomial dispersion k (variance = mean + mean^2 / k); absent: Poisson.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispersion: Option<Param>,
    /// Elasticity to the enemy's effective fire (0 turns the coupling off).
    #[serde(default = "p0")]
    pub alpha: Param,
    /// Piecewise-constant tempo: the factor on a day is the product of the
    /// factors of the steps whose window holds it (1 outside every step).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tempo: Vec<TempoStep>,
    /// Daily standard deviation of the log-tempo drift (0: no drift).
    #[serde(default = "p0")]
    pub drift_sd: Param,
    /// Daily mean reversion of the log-tempo drift (0: a random walk).
    #[serde(default = "p0")]
    pub drift_reversion: Param,
    /// Daily standard deviation of a second, slow log-tempo drift added to the
    /// first (0: none): shifts of the level over months rather than days.
    #[serde(default = "p0")]
    pub slow_drift_sd: Param,
    /// Daily mean reversion of the slow drift (0: a random walk).
    #[serde(default = "p0")]
    pub slow_drift_reversion: Param,
    /// Casualties before day 0, so cumulative series match the reported totals.
    #[serde(default = "p0")]
    pub initial_cumulative: Param,
    /// Cumulative totals whose first crossing is an outcome.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thresholds: Vec<f64>,
}

/// A step of the casualty tempo: a factor on the days of its window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TempoStep {
    /// First day of the step (inclusive).
    pub start: Date,
    /// Day the step ends (exclusive); default: never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<Date>,
    /// Factor on the expected casualties of each day of the window.
    pub factor: Param,
}

/// A contingent of a side's front-line force (docs/model.md section 4.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Contingent {
    /// Soldiers on day 0.
    pub strength: Param,
    /// Risk per soldier relative to the side's other contingents.
    #[serde(default = "p1")]
    pub relative_risk: Param,
    /// Share of casualties killed.
    pub killed_fraction: Param,
    /// Share of the wounded who return to duty.
    #[serde(default = "p0")]
    pub rtd: Param,
    /// Days before the wounded who return rejoin.
    #[serde(default = "rtd_days_default")]
    pub rtd_days: Param,
    /// Payment per soldier per day (USD) to the sending state.
    #[serde(default = "p0")]
    pub payment: Param,
    /// Who is paid (default: the contingent's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender: Option<String>,
    /// Reinforcements per day (Poisson) within the arrival window, or a
    /// schedule of dated values.
    #[serde(default = "r0")]
    pub arrival_rate: Rate,
    /// Scheduled reinforcements, also limited to the arrival window.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schedule: Vec<Arrival>,
    /// First day of arrivals (inclusive); default: always.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrivals_start: Option<Date>,
    /// Day arrivals stop (exclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrivals_end: Option<Date>,
}

fn rtd_days_default() -> Param {
    Param::fixed(30.0)
}

/// Reinforcements scheduled on one day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Arrival {
    /// The day they arrive.
    pub date: Date,
    /// Soldiers arriving.
    pub size: Param,
}

/// Ground taken (docs/model.md section 4.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Territory {
    /// Mean km2 taken per day at tempo 1 and the reference fire ratio.
    pub rate: Param,
    /// Coefficient of variation of the daily area (Gamma); 0: the mean itself.
    #[serde(default = "cv_default")]
    pub cv: Param,
    /// Elasticity to the fire ratio (own / enemy effective fire, over `ref_ratio`).
    #[serde(default = "p0")]
    pub gamma: Param,
    /// Reference fire ratio.
    #[serde(default = "p1")]
    pub ref_ratio: Param,
    /// Area whose capture time at the run's pace is an outcome (default: Ukraine, 603,550 km2).
    #[serde(default = "ukraine_km2")]
    pub reference_area_km2: Param,
}

fn cv_default() -> Param {
    Param::fixed(0.5)
}
fn ukraine_km2() -> Param {
    Param::fixed(603_550.0)
}
