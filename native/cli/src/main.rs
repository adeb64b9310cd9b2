//! `segtrain`: the same core as the Fiji plugin, for servers and clusters.
mod args;
mod commands;
mod flags;
mod label_io;
mod outputs;
mod signals;

use std::process::ExitCode;

const USAGE: &str = "usage (every setting is --key value, the key as in Fiji's dialogs and macros;
--key-with-dashes works too; `segtrain help COMMAND` explains each one):
  segtrain train --image IMG --labels LBL --config CONFIG --model_name NAME [--models_folder DIR]
                 [--x_nm X --y_nm Y --z_nm Z] [--scale auto|N] [--gpus N] [--cpus N]
                 [--window_size Z,Y,X] [--samples_per_batch N] [--base_lr F] [--iteration_total N]
                 [--time_budget_minutes M] [--iteration_save N] [--iteration_step N]
                 [--validation_fraction F] [--validation_every N] [--seed N] [--log_every N]
                 [--fine_tune_from MODEL] [--ignore_label N] [--precision auto|fp32|bf16] [--overwrite]
  segtrain train --resume --image IMG --labels LBL --model_name NAME [--models_folder DIR]
                 [--iteration_total N] [--gpus N] [--cpus N] [--precision auto|fp32|bf16]
                 [the original training flags, which must match the model's]
  (SIGINT/SIGTERM/SIGHUP stop like Esc: checkpoint, status cancelled, exit 130/143/129)
  (CONFIG: Instance2D, Instance3D, Semantic2D or Semantic3D)
  segtrain predict --model NAME --image IMG --out OUT.tif [--models_folder DIR] [--probabilities P.tif]
                   [--weights final|best] [--x_nm X --y_nm Y --z_nm Z] [--overlap F] [--tta]
                   [--gpus N] [--cpus N] [--batch N] [--threshold F] [--foreground_threshold F]
                   [--seed_foreground F] [--seed_contour F] [--seed_distance F] [--min_seed_size N]
                   [--min_size N] [--max_hole_size N] [--link_sections F] [--precision auto|fp32|bf16]
  segtrain tune --model NAME --image IMG --labels LBL [--models_folder DIR] [--weights final|best]
                [--x_nm X --y_nm Y --z_nm Z] [--cpus N]
  segtrain evaluate --segmentation S.tif --truth T.tif --kind semantic|foreground|instance [--per_slice] [--ignore_label V] [--json]
  segtrain crop --in IMG --out OUT.tif [--z A:B] [--y A:B] [--x A:B] [--labels]
  segtrain resample --in IMG --out OUT.tif --voxel-nm X,Y,Z [--from-nm X,Y,Z] [--labels]
  segtrain models [--models_folder DIR]
  segtrain delete --model NAME [--models_folder DIR]
  segtrain demo-data --out DIR [--slices N] [--height N] [--width N] [--seed N]
  segtrain configs
  segtrain version
  segtrain help train|resume|predict|tune|evaluate
Older flag names (--name, --window, --lr, --iterations, --batch, --validation, --models-dir,
--voxel-nm, --prediction) still work until the next release.
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
