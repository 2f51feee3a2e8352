//! mapish library: the edges (shell, output, server).
