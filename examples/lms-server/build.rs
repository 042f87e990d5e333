//! Builds the web UI into the binary (the `ui` feature, on by default).
//!
//! When the UI's sources (`web/src`, `web/index.html`, the package files,
//! the Vite config) are newer than `web/dist/index.html`, this runs
//! `npm ci` (when `web/node_modules` is missing or older than the lock
//! file) and `npm run build` in `web/`. Every file of `web/dist` is then
//! copied to `OUT_DIR`, text files with their brotli and gzip encodings,
//! and `web_ui.rs` lists them for `include_bytes!`.
//!
//! `LMS_UI_DIST=<dir>` embeds an already built UI instead (no Node needed);
//! `--no-default-features` builds the server without a UI.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

/// Files smaller than this are sent as they are.
const COMPRESS_MIN_BYTES: usize = 1024;

fn main() {
    println!("cargo:rerun-if-env-changed=LMS_UI_DIST");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    if std::env::var_os("CARGO_FEATURE_UI").is_none() {
        return;
    }
    let dist = match std::env::var_os("LMS_UI_DIST") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            println!("cargo:rerun-if-changed={}", dir.display());
            dir
        }
        None => build_web(),
    };
    if !dist.join("index.html").is_file() {
        fail(&format!(
            "{} has no index.html: the web UI did not build",
            dist.display()
        ));
    }
    embed(&dist, &out.join("web"), &out.join("web_ui.rs"));
}

/// Builds `web/` when its sources are newer than its build; the build.
fn build_web() -> PathBuf {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let web = manifest.join("../../web");
    let sources = [
        "src",
        "public",
        "index.html",
        "package.json",
        "package-lock.json",
        "vite.config.ts",
        "tsconfig.json",
    ];
    if !web.join("package.json").is_file() {
        fail(&format!(
            "the web UI's sources are not at {}; set LMS_UI_DIST to a built UI, \
             or build without it: --no-default-features",
            web.display()
        ));
    }
    for s in sources {
        println!("cargo:rerun-if-changed={}", web.join(s).display());
    }
    let dist = web.join("dist");
    let built = modified(&dist.join("index.html"));
    let newest = sources.iter().filter_map(|s| newest_in(&web.join(s))).max();
    if built.is_some() && built >= newest {
        return dist;
    }
    let installed = modified(&web.join("node_modules/.package-lock.json"));
    if installed.is_none() || installed < modified(&web.join("package-lock.json")) {
        npm(&web, &["ci", "--no-audit", "--no-fund"]);
    }
    npm(&web, &["run", "build"]);
    dist
}

fn npm(web: &Path, args: &[&str]) {
    let shown = format!("npm {}", args.join(" "));
    let output = match Command::new("npm").args(args).current_dir(web).output() {
        Ok(output) => output,
        Err(e) => fail(&format!(
            "cannot run `{shown}` in web/ ({e}). The server embeds the web UI, which needs \
             Node.js 20+ and npm to build: install them (https://nodejs.org or your package \
             manager), or set LMS_UI_DIST to an already built UI, or build the API-only \
             server: cargo build -p lms-server --no-default-features"
        )),
    };
    if !output.status.success() {
        fail(&format!(
            "`{shown}` in web/ failed ({}):\n{}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
}

/// Copies `dist` into `dir` with encodings and writes the file list.
fn embed(dist: &Path, dir: &Path, list: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).expect("create OUT_DIR/web");
    let mut files = Vec::new();
    walk(dist, &mut files);
    files.sort();
    let mut rs = String::from(
        "/// The built web UI: (path, body, gzip, brotli).\n\
         pub static FILES: &[EmbeddedFile] = &[\n",
    );
    for (i, file) in files.iter().enumerate() {
        let rel = file
            .strip_prefix(dist)
            .expect("walked from dist")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        let body = std::fs::read(file).expect("read a built file");
        let plain = dir.join(format!("{i}"));
        std::fs::write(&plain, &body).expect("copy a built file");
        let (gzip, brotli) = if compressible(&rel) && body.len() >= COMPRESS_MIN_BYTES {
            (
                worth(&body, gzip(&body), &dir.join(format!("{i}.gz"))),
                worth(&body, brotli(&body), &dir.join(format!("{i}.br"))),
            )
        } else {
            (None, None)
        };
        let include = |p: Option<PathBuf>| {
            p.map_or("None".to_owned(), |p| {
                format!("Some(include_bytes!({:?}))", p.display().to_string())
            })
        };
        rs.push_str(&format!(
            "    ({rel:?}, include_bytes!({:?}), {}, {}),\n",
            plain.display().to_string(),
            include(gzip),
            include(brotli)
        ));
    }
    rs.push_str("];\n");
    std::fs::write(list, rs).expect("write web_ui.rs");
}

/// Keeps an encoding only when it is at least 10 % smaller.
fn worth(body: &[u8], encoded: Vec<u8>, path: &Path) -> Option<PathBuf> {
    (encoded.len() * 10 < body.len() * 9).then(|| {
        std::fs::write(path, encoded).expect("write an encoding");
        path.to_owned()
    })
}

fn compressible(path: &str) -> bool {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    matches!(
        ext,
        "html" | "js" | "mjs" | "css" | "json" | "map" | "svg" | "txt" | "webmanifest" | "ttf"
    )
}

fn gzip(body: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(body).expect("gzip in memory");
    e.finish().expect("gzip in memory")
}

fn brotli(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &body[..], &mut out, &params).expect("brotli in memory");
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read web/dist") {
        let path = entry.expect("read web/dist").path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The newest modification time of `path` or anything under it.
fn newest_in(path: &Path) -> Option<SystemTime> {
    let own = modified(path);
    if !path.is_dir() {
        return own;
    }
    std::fs::read_dir(path)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| newest_in(&e.path()))
        .chain(own)
        .max()
}

/// Stops the build with `message` (cargo shows it under "stderr").
fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1);
}
