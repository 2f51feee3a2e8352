//! mapish's command layer: the PowerShell-subset language, the cmdlet declarations, the binder
//! and the pipeline runner. It knows the store, and nothing of terminals or HTTP.

pub mod lang;
