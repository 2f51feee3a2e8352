//! The `mapish` binary: wiring only.

/// mimalloc instead of glibc's malloc: sled pulls pages and the pipeline builds objects one allocation at a
/// time, and glibc's `_int_malloc` was the top symbol of every profile (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let code = mapish::cli::main();
    std::process::exit(code);
}
