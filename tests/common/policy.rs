//! The policy scenario: a red side with an ally's supply line that can be cut
//! (docs/model.md section 8), and a blue side.

/// The red side has domestic production and an ally's line of 152 mm (cut on
/// `CUT` when `ally_end` is given), three fleets with barrel wear, spares,
/// repairs, write-offs and combat losses, two contingents and territory; the
/// blue side has its own calibers and fleets.
#[derive(Clone, Copy)]
pub struct Policy {
    pub coupling: bool,
    /// Keys of the ally's PERT rate (shells a day).
    pub ally_rate: &'static str,
    /// Keys of the domestic line's uniform rate.
    pub domestic_rate: &'static str,
    /// Barrel wear on (lives of a few thousand EFC) or off (lives of 1e12 EFC).
    pub wear: bool,
}

/// The baseline regime: with the ally the side keeps up with its demand
/// (no baseline trajectory runs short); without it, most run short.
pub const KEEPS_UP: Policy = Policy {
    coupling: false,
    ally_rate: "low = 9000, mode = 12000, high = 15000",
    domestic_rate: "low = 5000, high = 9000",
    wear: true,
};

/// A dry regime: the ally is small, so the baseline also runs short and both
/// runs sit at the reserve floor on many days.
pub const DRY: Policy = Policy {
    coupling: false,
    ally_rate: "low = 2000, mode = 4000, high = 6000",
    domestic_rate: "low = 5000, high = 9000",
    wear: true,
};

pub fn policy_toml(p: Policy, ally_end: Option<&str>) -> String {
    let end = ally_end.map_or(String::new(), |d| format!("end = {d}"));
    let Policy { coupling, ally_rate, domestic_rate, wear } = p;
    let (msta_life, d20_life) = if wear {
        ("low = 3000, mode = 4000, high = 5000", "4000")
    } else {
        ("low = 1e12, mode = 2e12, high = 3e12", "1e12")
    };
    format!(
        r#"
name = "policy"
start = 2024-01-01
days = 365
coupling = {coupling}

[sides.red]
ref_fire = 15000
[sides.red.calibers.c152]
initial_stock = {{dist = "pert", low = 600_000, mode = 900_000, high = 1_200_000}}
initial_dud_fraction = 0.05
reserve = 20000
[sides.red.calibers.c122]
initial_stock = 400000
[sides.red.supply.domestic]
caliber = "c152"
rate = {{dist = "uniform", {domestic_rate}}}
growth = 0.3
lot_size = 1000
dud_fraction = 0.02
[sides.red.supply.ally]
caliber = "c152"
rate = {{dist = "pert", {ally_rate}}}
lot_size = 5000
dud_fraction = 0.15
price = 400
{end}
[sides.red.supply.d122]
caliber = "c122"
rate = 1500
lot_size = 500
[sides.red.fleets.msta]
caliber = "c152"
guns = 600
rounds_per_gun_day = 30
efc_per_round = 0.8
barrel_life = {{dist = "pert", {msta_life}}}
barrel_shape = 3
initial_wear = {{dist = "uniform", low = 0, high = 0.5}}
spares = 150
spare_rate = 2.5
repair_days = 7
max_wait_days = 60
combat_loss = 0.002
combat_beta = 0.5
accuracy_loss = 0.3
accuracy_exponent = 2
[sides.red.fleets.d20]
caliber = "c152"
guns = 100
rounds_per_gun_day = 15
efc_per_round = 0.6
barrel_life = {d20_life}
barrel_shape = 2.5
initial_wear = {{dist = "uniform", low = 0, high = 0.3}}
combat_loss = 0.001
[sides.red.fleets.d30]
caliber = "c122"
guns = 300
rounds_per_gun_day = 6
barrel_life = 5000
combat_loss = 0.001
[sides.red.casualties]
base = 1200
dispersion = 4
alpha = 0.5
drift_sd = 0.05
drift_reversion = 0.05
[sides.red.contingents.regular]
strength = 300000
killed_fraction = 0.3
rtd = 0.4
arrival_rate = 1000
[sides.red.contingents.allied]
strength = 11000
relative_risk = 2.5
killed_fraction = 0.35
[sides.red.territory]
rate = 20
gamma = 0.5

[sides.blue]
ref_fire = 20000
[sides.blue.calibers.c155]
initial_stock = 300000
reserve_days = 2
[sides.blue.supply.partners]
caliber = "c155"
rate = {{dist = "uniform", low = 4000, high = 8000}}
lot_size = 2000
[sides.blue.fleets.m777]
caliber = "c155"
guns = 400
rounds_per_gun_day = 20
barrel_life = 2500
spares = 50
spare_rate = 1
repair_days = 5
combat_loss = 0.003
combat_beta = 1.0
[sides.blue.casualties]
base = 900
dispersion = 3
alpha = 0.7
"#
    )
}

pub const CUT: &str = "2024-04-01";
pub const CUT_DAY: usize = 91;
pub const STOCK: &str = "red.ammo.c152.stock";
