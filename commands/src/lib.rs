//! mapish's command layer: the PowerShell-subset language, the cmdlet declarations, the binder
//! and the pipeline runner. It knows the store, and nothing of terminals or HTTP.

pub mod bind;
pub mod cmdlets;
pub mod complete;
pub mod config;
pub mod format;
pub mod help;
pub mod lang;
pub mod probe;
pub mod record;
pub mod run;
pub mod spec;
pub mod value;
