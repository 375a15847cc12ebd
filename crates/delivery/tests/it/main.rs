//! delivery integration tests.
