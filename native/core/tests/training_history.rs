//! A resumed training sends its past as one `history` event right after `started`: the curve
//! the stopped run drew, read back from the rows training_log.csv keeps up to the checkpoint.
mod common;
use common::*;
use segtrain::job::JobContext;
use segtrain::train::{resume, train, Event};
use std::io::Write;

/// training_log.csv as (iteration, loss, Some((val_loss, val_iou, val_dice)) on validation rows).
fn rows(model_dir: &std::path::Path) -> Vec<(u64, f64, Option<(f64, f64, f64)>)> {
    let text = std::fs::read_to_string(model_dir.join("training_log.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            let validation = (!f[4].is_empty()).then(|| (f[4].parse().unwrap(), f[5].parse().unwrap(), f[6].parse().unwrap()));
            (f[0].parse().unwrap(), f[1].parse().unwrap(), validation)
        })
        .collect()
}

#[test]
fn a_resumed_run_starts_with_the_history_of_the_rows_kept_up_to_its_checkpoint() {
    let models = temp_dir("history");
    // Points every 2 iterations, validation every 3, checkpoints every 4; Esc after the
    // validation at 9 checkpoints iteration 9 (neither a log nor a checkpoint multiple).
    let extra = r#","window":[1,48,48],"samples_per_batch":2,"iteration_total":12,"iteration_save":4,"log_every":2,"validation_fraction":0.2,"validation_every":3,"seed":9"#;
    let base = JobContext::default();
    let handle = base.clone();
    let ctx = base.listening(move |e| {
        if matches!(e, Event::Validation { iteration: 9, .. }) {
            handle.cancel();
        }
    });
    let err = train(&plan(&models, "m", extra), demo(2, 64, 1), &ctx).unwrap_err();
    assert!(matches!(err, segtrain::Error::Cancelled), "{err}");
    let first_run = ctx.drain();
    let dir = models.join("m");
    assert!(dir.join("checkpoints/iter_000009.safetensors").is_file(), "Esc checkpointed iteration 9");

    // A run killed after its checkpoint leaves rows the resume drops (one with a validation).
    let mut log = std::fs::OpenOptions::new().append(true).open(dir.join("training_log.csv")).unwrap();
    writeln!(log, "10,0.111111,0.01,1.0,,,").unwrap();
    writeln!(log, "11,0.222222,0.01,1.0,0.333333,0.444444,0.555555").unwrap();
    drop(log);
    let kept: Vec<_> = rows(&dir).into_iter().filter(|r| r.0 <= 9).collect();
    assert_eq!(kept.len(), 9);

    let ctx = JobContext::default();
    resume(&resume_settings(&models, "m", None), demo(2, 64, 1), &ctx).unwrap();
    let events = ctx.drain();
    assert!(matches!(events[0], Event::Started { validation_every: Some(3), .. }), "{:?}", events[0]);
    let Event::History { resumed_from, iteration, loss, validation_iteration, validation_loss, validation_iou, validation_dice } = &events[1] else {
        panic!("the second event is not the history: {:?}", events[1]);
    };
    assert_eq!(events.iter().filter(|e| matches!(e, Event::History { .. })).count(), 1);
    assert_eq!(*resumed_from, 9);

    // The training points: every log interval (2) and the checkpoint, the mean of the rows
    // of the interval up to it, as read from the log here.
    assert_eq!(iteration, &vec![2, 4, 6, 8, 9]);
    for (it, mean) in iteration.iter().zip(loss) {
        let window: Vec<f64> = kept.iter().filter(|r| r.0 <= *it && r.0 + 2 > *it).map(|r| r.1).collect();
        assert_eq!(window.len(), 2);
        assert!((mean - window.iter().sum::<f64>() / 2.0).abs() < 1e-12, "iteration {it}: {mean} vs {window:?}");
    }
    // ... and they are the points the stopped run drew (the log keeps six decimals).
    let drawn: Vec<(u64, f64)> = first_run.iter().filter_map(|e| match e {
        Event::Iteration { iteration, loss, .. } => Some((*iteration, *loss)),
        _ => None,
    }).collect();
    assert_eq!(drawn.iter().map(|d| d.0).collect::<Vec<_>>(), vec![2, 4, 6, 8]);
    for ((it, live), from_log) in drawn.iter().zip(loss) {
        assert!((live - from_log).abs() < 1e-5, "iteration {it}: drawn {live}, history {from_log}");
    }

    // The validation points: the log's validation rows up to the checkpoint, none after it.
    let validations: Vec<(u64, (f64, f64, f64))> = kept.iter().filter_map(|r| r.2.map(|v| (r.0, v))).collect();
    assert_eq!(validation_iteration, &validations.iter().map(|v| v.0).collect::<Vec<_>>());
    assert_eq!(validation_iteration, &vec![3, 6, 9]);
    assert_eq!(validation_loss, &validations.iter().map(|v| v.1 .0).collect::<Vec<_>>());
    assert_eq!(validation_iou, &validations.iter().map(|v| v.1 .1).collect::<Vec<_>>());
    assert_eq!(validation_dice, &validations.iter().map(|v| v.1 .2).collect::<Vec<_>>());
    let scored: Vec<(u64, f64)> = first_run.iter().filter_map(|e| match e {
        Event::Validation { iteration, iou, .. } => Some((*iteration, *iou)),
        _ => None,
    }).collect();
    for ((it, live), from_log) in scored.iter().zip(validation_iou) {
        assert!((live - from_log).abs() < 1e-6, "validation {it}: scored {live}, history {from_log}");
    }

    // The resumed run goes on from there: its log is the kept rows, then 10..12.
    let after: Vec<u64> = rows(&dir).iter().map(|r| r.0).collect();
    assert_eq!(after, (1..=12).collect::<Vec<_>>());
    assert!(events.iter().any(|e| matches!(e, Event::Iteration { iteration: 10, .. })));
    std::fs::remove_dir_all(&models).unwrap();
}

/// A new training has no past: it sends no history.
#[test]
fn a_new_training_sends_no_history() {
    let models = temp_dir("no-history");
    let extra = r#","window":[1,32,32],"samples_per_batch":1,"iteration_total":2,"iteration_save":2"#;
    let ctx = JobContext::default();
    train(&plan(&models, "n", extra), demo(1, 48, 1), &ctx).unwrap();
    let events = ctx.drain();
    assert!(matches!(events[0], Event::Started { validation_every: None, .. }), "no validation block: {:?}", events[0]);
    assert!(!events.iter().any(|e| matches!(e, Event::History { .. })));
    std::fs::remove_dir_all(&models).unwrap();
}
