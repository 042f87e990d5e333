//! The reference server. Not built yet: its issue is open.

fn main() {
    eprintln!(
        "lms-server is not built yet: the HTTP API, storage adapters and web UI are planned \
         (see README.md). Only the domain crate lms-core exists so far; run the tests with \
         `bash .ci/run`."
    );
    std::process::exit(2);
}
