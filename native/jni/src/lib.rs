//! libsegtrain_jni: the native methods of `segtrain.bridge.Native`. Each one converts its
//! arguments, calls the core, and converts back; `boundary` turns errors and panics into Java
//! exceptions. The bridge is not API: no logic lives here.
mod boundary;
mod convert;
mod jobs;

use boundary::{boundary, BridgeResult};
use jni::objects::{JClass, JObjectArray, JString};
use jni::sys::{jboolean, jint, jlong};
use jni::EnvUnowned;
use segtrain::settings::TrainSettings;
use segtrain::train::{check_training, train, TrainingStacks};

#[unsafe(no_mangle)]
pub extern "system" fn Java_segtrain_bridge_Native_version<'l>(mut env: EnvUnowned<'l>, _: JClass<'l>) -> JString<'l> {
    boundary(&mut env, |env| convert::new_string(env, &segtrain::version()))
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
        let stacks = TrainingStacks {
            image: convert::float_stack(env, &image, width, height)?,
            labels: convert::label_stack(env, &labels, label_width, label_height)?,
        };
        check_training(&plan, &stacks)?;
        let job = segtrain::job::Job::spawn("train", move |ctx| Ok(serde_json::to_value(train(&plan, stacks, ctx)?).unwrap()))?;
        Ok(jobs::register(job))
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
    depth: jint,
    height: jint,
    width: jint,
    seed: jlong,
) -> JObjectArray<'l> {
    boundary(&mut env, |env| {
        let demo = segtrain::data::demo_stacks_checked(depth as i64, height as i64, width as i64, seed)?;
        let plane = demo.shape[1] * demo.shape[2];
        let labels: Vec<i32> = demo.labels.iter().map(|&l| (l != 0) as i32).collect();
        let image = convert::float_slices(env, &demo.image, plane)?;
        let labels = convert::int_slices(env, &labels, plane)?;
        convert::pair(env, image, labels)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_segtrain_bridge_Native_panicForTest<'l>(mut env: EnvUnowned<'l>, _: JClass<'l>, message: JString<'l>) {
    boundary(&mut env, |env| -> BridgeResult<()> {
        let message = convert::string(env, &message)?;
        panic!("{message}")
    })
}
