//! The precision setting end to end: a bf16 training records what it computed in, learns like an
//! fp32 one, and its model labels in bf16 nearly as in fp32. Small: bf16 is emulated (slow) on
//! CPUs without bf16 instructions.
mod common;
use common::*;
use segtrain::data::demo_stacks;
use segtrain::infer::{predict, PredictSettings};
use segtrain::job::JobContext;
use segtrain::store::ModelDir;
use segtrain::train::{train, Event};
use segtrain_volume::Volume;

#[test]
fn a_bf16_training_records_its_precision_and_labels_nearly_as_fp32() {
    let models = temp_dir("precision");
    let extra = |p: &str| format!(r#","window":[1,32,32],"samples_per_batch":2,"iteration_total":12,"iteration_save":12,"seed":4,"precision":"{p}""#);
    let ctx = JobContext::default();
    train(&plan(&models, "bf16", &extra("bf16")), demo(2, 48, 3), &ctx).unwrap();
    train(&plan(&models, "fp32", &extra("fp32")), demo(2, 48, 3), &JobContext::default()).unwrap();
    train(&plan(&models, "auto", &extra("auto")), demo(2, 48, 3), &JobContext::default()).unwrap();
    let record = |name: &str| ModelDir::open(&models, name).read_record().unwrap();
    assert_eq!(record("bf16").training.precision.as_deref(), Some("bf16"));
    assert_eq!(record("bf16").config.precision, segtrain::settings::Precision::Bf16);
    assert_eq!(record("fp32").training.precision.as_deref(), Some("fp32"));
    // auto is stored as the setting, and what it resolved to here beside it.
    let (resolved, _) = segtrain::settings::Precision::Auto.resolve(tch::Device::Cpu);
    assert_eq!(record("auto").config.precision, segtrain::settings::Precision::Auto);
    assert_eq!(record("auto").training.precision.as_deref(), Some(resolved.name()));
    let text = std::fs::read_to_string(models.join("bf16/model.json")).unwrap();
    assert!(text.contains(r#""precision": "bf16""#), "model.json names the precision");
    // bf16 2D networks compute channels-last, and the Log says so.
    assert!(ctx.drain().iter().any(|e| matches!(e, Event::Message { text } if text == "precision bf16 as set; channels-last layout")));
    let (b, f) = (log_rows(&models.join("bf16")), log_rows(&models.join("fp32")));
    // Same seed, same batches: the bf16 curve follows the fp32 one (bf16 rounding makes the
    // two runs drift apart slowly, a few per cent over these iterations).
    for (x, y) in b.iter().zip(&f) {
        assert!((x.1 - y.1).abs() < 0.15 * y.1, "iteration {}: bf16 loss {} vs fp32 {}", x.0, x.1, y.1);
    }
    let (mb, mf) = (mean(&b.iter().map(|r| r.1).collect::<Vec<_>>()), mean(&f.iter().map(|r| r.1).collect::<Vec<_>>()));
    assert!((mb - mf).abs() < 0.05 * mf, "mean loss bf16 {mb} vs fp32 {mf}");
    // One fp32-trained model labelled in both precisions: probabilities within bf16's rounding.
    let new = demo_stacks(1, 64, 64, 7);
    let image = Volume::new(new.image, new.shape).unwrap();
    let maps = |precision: &str| {
        let s = PredictSettings { name: "fp32".into(), models_dir: Some(models.clone()), probabilities: true, precision: precision.into(), ..Default::default() };
        predict(&s, image.clone(), &JobContext::default()).unwrap().probabilities.unwrap().remove(0).data
    };
    let (p32, p16) = (maps("fp32"), maps("bf16"));
    let worst = p32.iter().zip(&p16).map(|(a, b)| (a - b).abs()).fold(0f32, f32::max);
    assert!(worst < 0.05, "bf16 probabilities differ by up to {worst}");
    let bad = PredictSettings { name: "fp32".into(), models_dir: Some(models.clone()), precision: "fp16".into(), ..Default::default() };
    let err = predict(&bad, image, &JobContext::default()).unwrap_err().to_string();
    assert!(err.contains("precision: must be auto, fp32 or bf16 (got 'fp16')"), "{err}");
    std::fs::remove_dir_all(&models).unwrap();
}
