//! [`View`]: which of an image's directory hierarchies a tree shows.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// A filesystem view of an image: the same files as one of the image's
/// directory hierarchies shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum View {
    /// UDF (ECMA-167 / OSTA UDF).
    Udf,
    /// ISO 9660 with Rock Ridge POSIX extensions.
    RockRidge,
    /// Joliet (Unicode names in a supplementary descriptor).
    Joliet,
    /// ISO 9660:1999 enhanced volume descriptor (long names, no versions).
    Iso9660_1999,
    /// Plain ISO 9660 (ECMA-119) names.
    Iso9660,
}

impl View {
    /// Richest first: the order [`Image::default_view`] prefers.
    pub const PREFERENCE: [View; 5] = [
        View::Udf,
        View::RockRidge,
        View::Joliet,
        View::Iso9660_1999,
        View::Iso9660,
    ];

    /// The name used on the command line: "udf", "rockridge", "joliet",
    /// "iso9660-1999", "iso9660".
    pub fn as_str(self) -> &'static str {
        match self {
            View::Udf => "udf",
            View::RockRidge => "rockridge",
            View::Joliet => "joliet",
            View::Iso9660_1999 => "iso9660-1999",
            View::Iso9660 => "iso9660",
        }
    }

    /// The name shown to people: "UDF", "Rock Ridge", ...
    pub fn label(self) -> &'static str {
        match self {
            View::Udf => "UDF",
            View::RockRidge => "Rock Ridge",
            View::Joliet => "Joliet",
            View::Iso9660_1999 => "ISO 9660:1999",
            View::Iso9660 => "ISO 9660",
        }
    }
}

impl fmt::Display for View {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for View {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "udf" => Ok(View::Udf),
            "rockridge" | "rock-ridge" | "rr" => Ok(View::RockRidge),
            "joliet" => Ok(View::Joliet),
            "iso9660-1999" | "iso9660:1999" | "enhanced" => Ok(View::Iso9660_1999),
            "iso9660" | "iso" | "ecma119" => Ok(View::Iso9660),
            other => Err(Error::NotFound(format!("no view called {other:?}"))),
        }
    }
}
