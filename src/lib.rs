//! mapish library: the edges (output rendering, one-shot CLI, shell, server).

pub mod render;
