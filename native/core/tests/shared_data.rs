//! Short trainings on the real EM data in ../shared/data; each test skips (passes with a note)
//! when that folder is absent.
mod common;
use common::*;
use segtrain::job::JobContext;
use segtrain::train::{train, TrainingStacks};
use segtrain_volume::{read_stack_f32, read_stack_labels};

/// plate2d: one SEM image of 943 rows x 544 columns, holes labelled 1. 60 iterations of two 128x128 windows; the
/// loss must fall below 70% of its start (it typically reaches ~40%); a net that learns nothing
/// stays near 100%.
#[test]
fn semantic2d_on_plate2d_lowers_the_loss() {
    let Some(data) = shared_data() else {
        eprintln!("skipped: ../shared/data is absent");
        return;
    };
    let image = read_stack_f32(&data.join("plate2d/image.tif")).unwrap();
    let labels = read_stack_labels(&data.join("plate2d/labels.tif")).unwrap();
    assert_eq!(image.shape, [1, 943, 544]); // 943 rows of 544 pixels
    let models = temp_dir("plate2d");
    let plan = plan(&models, "plate", r#","window":[1,128,128],"samples_per_batch":2,"iteration_total":60,"iteration_save":60,"seed":1"#);
    train(&plan, TrainingStacks { image, labels }, &JobContext::default()).unwrap();
    let losses: Vec<f64> = log_rows(&models.join("plate")).iter().map(|r| r.1).collect();
    let (first, last) = (mean(&losses[..15]), mean(&losses[45..]));
    assert!(last < 0.7 * first, "plate2d loss fell only from {first:.3} to {last:.3}");
    std::fs::remove_dir_all(&models).unwrap();
}
