//! Output layer: turns laid-out views into PowerShell-shaped text.
