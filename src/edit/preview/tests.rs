//! Unit tests (being written).

use super::*;
