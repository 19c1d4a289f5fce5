//! Where each part of a bundled document was written: JSON pointer → file, line
//! and column, for error messages and reports.

/// The source files of a spec and how to find a pointer's place in them.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// The root file, as named on the command line.
    pub root: String,
}

impl Sources {
    /// `file:line:col` of a pointer into the bundled document, or the file alone
    /// when the place is not known.
    pub fn describe(&self, _pointer: &str) -> String {
        self.root.clone()
    }
}
