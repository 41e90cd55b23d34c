//! One module per capability under test.
