//! What a sub-model declares it records: the quantities of each kind of
//! component, with their units and meanings (collected in `registry`).

/// One quantity a sub-model records for each component of a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quantity {
    /// The last part of the name; `days_to_{threshold}` stands for one
    /// outcome per casualty threshold (`days_to_800000`).
    pub name: &'static str,
    pub unit: &'static str,
    pub description: &'static str,
    /// A short label for tables and charts (`serviceable guns`); `{threshold}`
    /// stands for the threshold where the name has it.
    pub label: &'static str,
    /// An outcome that is the day index (from 0) of the first day an event
    /// holds: censored, NaN, in a trajectory where it never does.
    pub first_passage: bool,
    /// One of the outcomes a summary shows first.
    pub key: bool,
}

impl Quantity {
    pub(crate) const fn new(name: &'static str, unit: &'static str, description: &'static str) -> Quantity {
        Quantity { name, unit, description, label: name, first_passage: false, key: false }
    }

    /// The same quantity with a short label for tables and charts.
    pub(crate) const fn label(self, label: &'static str) -> Quantity {
        Quantity { label, ..self }
    }

    /// The same quantity, as a first-passage time (its unit is days).
    pub(crate) const fn first_passage(self) -> Quantity {
        Quantity { first_passage: true, ..self }
    }

    /// The same quantity, as a key outcome.
    pub(crate) const fn key(self) -> Quantity {
        Quantity { key: true, ..self }
    }
}

/// The third part of a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Item {
    /// The component's own name; the placeholder names the kind (`fleet`).
    Named(&'static str),
    /// A fixed word, for a side's one-of-a-kind component (`total`).
    Fixed(&'static str),
}

/// The quantities a sub-model records for one kind of component.
#[derive(Debug)]
pub(crate) struct Group {
    /// The second part of the names (`fleet`).
    pub(crate) module: &'static str,
    pub(crate) item: Item,
    /// The sub-model that records them: `ammo`, `fleet`, `personnel`,
    /// `territory`, or `side` for what a side pays across sub-models.
    pub(crate) owner: &'static str,
    pub(crate) series: &'static [Quantity],
    pub(crate) outcomes: &'static [Quantity],
}
