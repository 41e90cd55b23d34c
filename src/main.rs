//! The `hone` binary: parse the command line and hand it to the library. Nothing else lives here,
//! so that start-up (`hone --version` included) does no work that scales with anything.

fn main() -> std::process::ExitCode {
    hone::cli::main()
}
