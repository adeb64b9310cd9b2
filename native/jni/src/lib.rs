//! libsegtrain_jni: the native methods of `segtrain.bridge.Native`. Each one converts its
//! arguments, calls the core, and converts back; `boundary` turns errors and panics into Java
//! exceptions. The bridge is not API: no logic lives here.
mod boundary;
mod convert;
mod jobs;

use boundary::{boundary, BridgeResult};
use jni::objects::{JClass, JFloatArray, JIntArray, JObjectArray, JString};
use jni::sys::{jboolean, jint, jlong};
use jni::EnvUnowned;
use segtrain::infer::{predict, Prediction, PredictSettings};
use segtrain::settings::{ResumeSettings, TrainSettings};
use segtrain::train::{check_resume, prepare_training, resume, train_prepared, tune_model, TuneSettings};

#[unsafe(no_mangle)]
pub extern "system" fn Java_segtrain_bridge_Native_version<'l>(mut env: EnvUnowned<'l>, _: JClass<'l>) -> JString<'l> {
    boundary(&mut env, |env| convert::new_string(env, &segtrain::version()))
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_segtrain_bridge_Native_runtimeInfo<'l>(mut env: EnvUnowned<'l>, _: JClass<'l>) -> JString<'l> {
    boundary(&mut env, |env| convert::new_string(env, &segtrain::runtime::runtime_info().to_string()))
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_segtrain_bridge_Native_configNames<'l>(mut env: EnvUnowned<'l>, _: JClass<'l>) -> JString<'l> {
    boundary(&mut env, |env| convert::new_string(env, &serde_json::to_string(&segtrain::settings::config_names()).unwrap()))
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_segtrain_bridge_Native_configJson<'l>(mut env: EnvUnowned<'l>, _: JClass<'l>, name: JString<'l>) -> JString<'l> {
    boundary(&mut env, |env| {
        let text = segtrain::settings::config_json(&convert::string(env, &name)?)?;
        convert::new_string(env, text)
    })
}

/// The settings of `command` (see `settings::schema`) as JSON; `context` is a JSON object of what
/// the defaults depend on (the chosen config, model, image calibration).
#[unsafe(no_mangle)]
pub extern "system" fn Java_segtrain_bridge_Native_schema<'l>(mut env: EnvUnowned<'l>, _: JClass<'l>, command: JString<'l>, context: JString<'l>) -> JString<'l> {
    boundary(&mut env, |env| {
        let text = segtrain::settings::schema::command_schema_json(&convert::string(env, &command)?, &convert::string(env, &context)?)?;
        convert::new_string(env, &text)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_segtrain_bridge_Native_defaultModelsDir<'l>(mut env: EnvUnowned<'l>, _: JClass<'l>) -> JString<'l> {
    boundary(&mut env, |env| convert::new_string(env, &segtrain::store::default_models_dir().display().to_string()))
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_segtrain_bridge_Native_listModels<'l>(mut env: EnvUnowned<'l>, _: JClass<'l>, dir: JString<'l>) -> JString<'l> {
    boundary(&mut env, |env| {
        let models = segtrain::store::list_models(std::path::Path::new(&convert::string(env, &dir)?))?;
        convert::new_string(env, &serde_json::to_string(&models).unwrap())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_segtrain_bridge_Native_checkImage<'l>(mut env: EnvUnowned<'l>, _: JClass<'l>, description: JString<'l>) {
    boundary(&mut env, |env| -> BridgeResult<()> {
        let image = segtrain::data::OpenImage::from_json(&convert::string(env, &description)?)?;
        Ok(segtrain::data::check_open_image(&image)?)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_segtrain_bridge_Native_trainStart<'l>(
    mut env: EnvUnowned<'l>,
    _: JClass<'l>,
    settings: JString<'l>,
    image: JObjectArray<'l>,
    width: jint,
    height: jint,
    labels: JObjectArray<'l>,
    label_width: jint,
    label_height: jint,
) -> jlong {
    boundary(&mut env, |env| -> BridgeResult<jlong> {
        let plan = TrainSettings::from_json(&convert::string(env, &settings)?)?.resolve()?;
        let stacks = convert::training_stacks(env, &image, width, height, &labels, label_width, label_height)?;
        let prepared = prepare_training(&plan, stacks)?;
        jobs::spawn_reporting("train", move |ctx| train_prepared(prepared, ctx))
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_segtrain_bridge_Native_resumeStart<'l>(
    mut env: EnvUnowned<'l>,
    _: JClass<'l>,
    settings: JString<'l>,
    image: JObjectArray<'l>,
    width: jint,
    height: jint,
    labels: JObjectArray<'l>,
    label_width: jint,
    label_height: jint,
) -> jlong {
    boundary(&mut env, |env| -> BridgeResult<jlong> {
        let settings = ResumeSettings::from_json(&convert::string(env, &settings)?)?;
        let stacks = convert::training_stacks(env, &image, width, height, &labels, label_width, label_height)?;
        check_resume(&settings, &stacks)?;
        jobs::spawn_reporting("resume", move |ctx| resume(&settings, stacks, ctx))
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_segtrain_bridge_Native_tuneStart<'l>(
    mut env: EnvUnowned<'l>,
    _: JClass<'l>,
    settings: JString<'l>,
    image: JObjectArray<'l>,
    width: jint,
    height: jint,
    labels: JObjectArray<'l>,
    label_width: jint,
    label_height: jint,
) -> jlong {
    boundary(&mut env, |env| -> BridgeResult<jlong> {
        let settings = TuneSettings::from_json(&convert::string(env, &settings)?)?;
        let stacks = convert::training_stacks(env, &image, width, height, &labels, label_width, label_height)?;
        jobs::spawn_reporting("tune", move |ctx| tune_model(&settings, stacks.image, stacks.labels, ctx))
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_segtrain_bridge_Native_predictStart<'l>(
    mut env: EnvUnowned<'l>,
    _: JClass<'l>,
    settings: JString<'l>,
    image: JObjectArray<'l>,
    width: jint,
    height: jint,
) -> jlong {
    boundary(&mut env, |env| -> BridgeResult<jlong> {
        let settings = PredictSettings::from_json(&convert::string(env, &settings)?)?;
        let image = convert::float_stack(env, &image, width, height)?;
        let payload = jobs::new_payload();
        let slot = payload.clone();
        let job = segtrain::job::Job::spawn("predict", move |ctx| {
            let prediction = predict(&settings, image, ctx)?;
            let summary = prediction_summary(&prediction);
            *slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(Box::new(prediction));
            Ok(summary)
        })?;
        Ok(jobs::register(job, payload))
    })
}

/// What Java needs to know of a prediction to build its images.
fn prediction_summary(p: &Prediction) -> serde_json::Value {
    let [slices, height, width] = p.labels.shape;
    let kind = if p.record.config.task == segtrain::settings::Task::Instance { "instance" } else { "semantic" };
    serde_json::json!({
        "slices": slices, "height": height, "width": width,
        "max_label": p.labels.data.iter().copied().max().unwrap_or(0),
        "outputs": p.outputs, "config": p.record.config.name, "kind": kind,
        "per_slice": p.record.config.dims == 2,
        "probabilities": p.probabilities.is_some(),
        // Semantic models: the label values they write (their training labels'), background
        // first, so that Java colours each class; null for instance models.
        "classes": p.record.head.label_values(),
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_segtrain_bridge_Native_predictLabels<'l>(mut env: EnvUnowned<'l>, _: JClass<'l>, handle: jlong) -> JObjectArray<'l, JIntArray<'l>> {
    boundary(&mut env, |env| {
        let (data, plane) = jobs::with_payload(handle, |p: &Prediction| {
            Ok((p.labels.data.iter().map(|&v| v.min(i32::MAX as u32) as i32).collect::<Vec<i32>>(), p.labels.shape[1] * p.labels.shape[2]))
        })?;
        convert::int_slices(env, &data, plane)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_segtrain_bridge_Native_predictProbabilities<'l>(mut env: EnvUnowned<'l>, _: JClass<'l>, handle: jlong, channel: jint) -> JObjectArray<'l, JFloatArray<'l>> {
    boundary(&mut env, |env| {
        let (data, plane) = jobs::with_payload(handle, |p: &Prediction| {
            let maps = p.probabilities.as_ref().ok_or_else(|| segtrain::Error::setting("probabilities: this auto-label job was not asked for probability maps"))?;
            let map = maps.get(channel.max(0) as usize).ok_or_else(|| segtrain::Error::setting(format!("channel: the model has {} output channels, not {}", maps.len(), channel + 1)))?;
            Ok((map.data.clone(), map.shape[1] * map.shape[2]))
        })?;
        convert::float_slices(env, &data, plane)
    })
}

#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_segtrain_bridge_Native_evaluate<'l>(
    mut env: EnvUnowned<'l>,
    _: JClass<'l>,
    settings: JString<'l>,
    truth: JObjectArray<'l>,
    truth_width: jint,
    truth_height: jint,
    prediction: JObjectArray<'l>,
    width: jint,
    height: jint,
) -> JString<'l> {
    boundary(&mut env, |env| {
        let settings = segtrain::evaluate::EvaluateSettings::from_json(&convert::string(env, &settings)?)?;
        let truth = convert::label_stack(env, &truth, truth_width, truth_height, "truth")?;
        let prediction = convert::label_stack(env, &prediction, width, height, "segmentation")?;
        let report = settings.run(&truth, &prediction)?;
        convert::new_string(env, &report.to_json().to_string())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_segtrain_bridge_Native_jobPoll<'l>(mut env: EnvUnowned<'l>, _: JClass<'l>, handle: jlong) -> JString<'l> {
    boundary(&mut env, |env| convert::new_string(env, &jobs::poll(handle)?))
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_segtrain_bridge_Native_jobIsDone<'l>(mut env: EnvUnowned<'l>, _: JClass<'l>, handle: jlong) -> jboolean {
    boundary(&mut env, |_| jobs::is_done(handle))
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_segtrain_bridge_Native_jobCancel<'l>(mut env: EnvUnowned<'l>, _: JClass<'l>, handle: jlong) {
    boundary(&mut env, |_| jobs::cancel(handle))
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_segtrain_bridge_Native_jobFinish<'l>(mut env: EnvUnowned<'l>, _: JClass<'l>, handle: jlong) -> JString<'l> {
    boundary(&mut env, |env| convert::new_string(env, &jobs::finish(handle)?))
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_segtrain_bridge_Native_jobClose<'l>(mut env: EnvUnowned<'l>, _: JClass<'l>, handle: jlong) {
    boundary(&mut env, |_| Ok(jobs::close(handle)))
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_segtrain_bridge_Native_demoStacks<'l>(
    mut env: EnvUnowned<'l>,
    _: JClass<'l>,
    settings: JString<'l>,
) -> JObjectArray<'l> {
    boundary(&mut env, |env| {
        let demo = segtrain::data::DemoSettings::from_json(&convert::string(env, &settings)?)?.stacks()?;
        let plane = demo.shape[1] * demo.shape[2];
        let labels: Vec<i32> = demo.labels.iter().map(|&l| (l != 0) as i32).collect();
        let image = convert::float_slices(env, &demo.image, plane)?;
        let labels = convert::int_slices(env, &labels, plane)?;
        let shape = convert::int_slices(env, &demo.shape.map(|s| s as i32), 3)?;
        convert::objects(env, &[image.into(), labels.into(), shape.into()])
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_segtrain_bridge_Native_panicForTest<'l>(mut env: EnvUnowned<'l>, _: JClass<'l>, message: JString<'l>) {
    boundary(&mut env, |env| -> BridgeResult<()> {
        let message = convert::string(env, &message)?;
        panic!("{message}")
    })
}
