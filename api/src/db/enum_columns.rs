//! The shared vocabularies of [`crate::domain`] as `Text` columns, on either backend: a value is
//! bound as its spelling, and a stored spelling is read back with `TryFrom<String>`, so a row
//! holding a value none of the enum's variants spell fails to load with a deserialization error
//! (a clean 500, logged) instead of surfacing as a string nobody checks.
//!
//! Hand-written rather than `#[diesel(serialize_as = String)]`: diesel then derives no
//! `Insertable` for borrowed rows, which the chunked multi-row inserts (`insert_many!`) need.

use diesel::{
    backend::Backend,
    deserialize::{self, FromSql, Queryable},
    expression::AsExpression,
    sql_types::{Nullable, Text},
};

use crate::domain::{
    ActorType, AlertKind, AlertSeverity, AlertState, AuditAction, ExportState, JobOutcome, StorageTier,
    StreamStatus,
};

macro_rules! text_column {
    ($($name:ident),+) => {$(
        impl AsExpression<Text> for $name {
            type Expression = <&'static str as AsExpression<Text>>::Expression;
            fn as_expression(self) -> Self::Expression {
                AsExpression::<Text>::as_expression(self.as_str())
            }
        }

        impl AsExpression<Text> for &$name {
            type Expression = <&'static str as AsExpression<Text>>::Expression;
            fn as_expression(self) -> Self::Expression {
                AsExpression::<Text>::as_expression(self.as_str())
            }
        }

        impl AsExpression<Nullable<Text>> for $name {
            type Expression = <&'static str as AsExpression<Nullable<Text>>>::Expression;
            fn as_expression(self) -> Self::Expression {
                AsExpression::<Nullable<Text>>::as_expression(self.as_str())
            }
        }

        impl<DB: Backend> FromSql<Text, DB> for $name
        where
            String: FromSql<Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                Ok($name::try_from(String::from_sql(bytes)?)?)
            }
        }

        impl<DB: Backend> Queryable<Text, DB> for $name
        where
            $name: FromSql<Text, DB>,
        {
            type Row = Self;
            fn build(row: Self) -> deserialize::Result<Self> {
                Ok(row)
            }
        }
    )+};
}

text_column!(
    StreamStatus,
    StorageTier,
    ActorType,
    AuditAction,
    JobOutcome,
    ExportState,
    AlertKind,
    AlertSeverity,
    AlertState
);
