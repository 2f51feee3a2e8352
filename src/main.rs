//! The `mapish` binary: wiring only.

fn main() {
    let code = mapish::cli::main();
    std::process::exit(code);
}
