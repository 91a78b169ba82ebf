//! A scenario's numbers: each a fixed value or a distribution, drawn once per
//! trajectory, written as a number, a 90 % interval or a distribution table.
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::dist::Dist;

/// A number or a distribution (see [`super::dist`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Param(pub Dist);

impl Param {
    pub const fn fixed(v: f64) -> Param {
        Param(Dist::Fixed(v))
    }
}

impl Serialize for Param {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.to_value().serialize(s)
    }
}

/// A number, a 90 % interval or a distribution table; the JSON Schema of the
/// reference completes it with the field's unit and domain.
impl JsonSchema for Param {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Param".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A number, a 90 % interval or a distribution table (docs/model.md section 2).",
            "anyOf": [{"type": "number"}, {"$ref": "#/$defs/Interval"}, generator.subschema_for::<Dist>()],
        })
    }
}

impl<'de> Deserialize<'de> for Param {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Param, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        Dist::from_value(&v).map(Param).map_err(serde::de::Error::custom)
    }
}
