//! `segtrain`: the same core as the Fiji plugin, for servers and clusters.
mod args;
mod commands;
mod label_io;
mod outputs;
mod signals;

use std::process::ExitCode;

const USAGE: &str = "usage:
  segtrain train --image IMG --labels LBL --config CONFIG --name NAME [--models-dir DIR]
                 [--voxel-nm X,Y,Z] [--gpus N] [--cpus N] [--lr F] [--iteration-step N]
                 [--iteration-save N] [--iterations N] [--time-budget-minutes M] [--batch N]
                 [--window Z,Y,X] [--scale auto|N]
                 [--seed N]
                 [--log-every N] [--validation F] [--validation-every N] [--fine-tune-from MODEL]
                 [--ignore-label N] [--overwrite]
  segtrain train --resume --image IMG --labels LBL --name NAME [--models-dir DIR] [--iterations N]
                 [--gpus N] [--cpus N] [the original training flags, which must match the model's]
  (SIGINT/SIGTERM/SIGHUP stop like Esc: checkpoint, status cancelled, exit 130/143/129)
  (CONFIG: Instance2D, Instance3D, Semantic2D or Semantic3D)
  segtrain predict --name NAME --image IMG --out OUT.tif [--models-dir DIR] [--probabilities P.tif]
                   [--tta] [--overlap F] [--gpus N] [--cpus N] [--batch N] [--voxel-nm X,Y,Z]
                   [--weights final|best] [--threshold F] [--foreground-threshold F]
                   [--seed-foreground F] [--seed-contour F] [--seed-distance F] [--min-seed-size N]
                   [--min-size N] [--link-sections F]
  segtrain tune --name NAME --image IMG --labels LBL [--models-dir DIR] [--weights final|best]
                [--voxel-nm X,Y,Z] [--cpus N]
  segtrain evaluate --prediction P.tif --truth T.tif --kind semantic|foreground|instance [--per-slice] [--json]
  segtrain crop --in IMG --out OUT.tif [--z A:B] [--y A:B] [--x A:B] [--labels]
  segtrain resample --in IMG --out OUT.tif --voxel-nm X,Y,Z [--from-nm X,Y,Z] [--labels]
  segtrain models [--models-dir DIR]
  segtrain delete --name NAME [--models-dir DIR]
  segtrain demo-data --out DIR [--slices N] [--height N] [--width N] [--seed N]
  segtrain configs
  segtrain version
IMG and LBL are multi-page TIFF files or folders of single-page TIFFs (taken in name order).";

fn main() -> ExitCode {
    let words: Vec<String> = std::env::args().skip(1).collect();
    // Panics are caught (a damaged file's decoder may panic; the reader turns that into an
    // error) and reported on one line below; Rust's default report is only noise for a person.
    if std::env::var_os("RUST_BACKTRACE").is_none() {
        std::panic::set_hook(Box::new(|_| {}));
    }
    let outcome = std::panic::catch_unwind(|| commands::run(&words));
    match outcome {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(commands::Failure::Usage(message))) => {
            eprintln!("segtrain: {message}\n{USAGE}");
            ExitCode::from(2)
        }
        Ok(Err(commands::Failure::Error(message))) => match signals::received() {
            // Stopped by SIGINT/SIGTERM/SIGHUP: the shell's convention, 128 + the signal's number.
            Some(signum) => {
                eprintln!("segtrain: stopped by {}: {message}", signals::signal_name(signum));
                ExitCode::from(128 + signum as u8)
            }
            None => {
                eprintln!("segtrain: error: {message}");
                ExitCode::from(1)
            }
        },
        Err(payload) => {
            eprintln!("segtrain: internal error: {}", segtrain::job::panic_message(&*payload));
            ExitCode::from(3)
        }
    }
}
