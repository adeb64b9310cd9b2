//! Conversions between Java values and the core's types.
use crate::boundary::BridgeResult;
use jni::objects::{JFloatArray, JIntArray, JObject, JObjectArray, JString};
use jni::Env;
use segtrain::train::TrainingStacks;
use segtrain::Error;
use segtrain_volume::Volume;

pub fn string(env: &Env, s: &JString) -> BridgeResult<String> {
    Ok(s.try_to_string(env)?)
}

pub fn new_string<'local>(env: &mut Env<'local>, s: &str) -> BridgeResult<JString<'local>> {
    Ok(JString::from_str(env, s)?)
}

fn check_slices(what: &str, slices: usize, len: usize, width: i32, height: i32) -> BridgeResult<usize> {
    if width <= 0 || height <= 0 || slices == 0 {
        return Err(Error::InvalidInput(format!("the {what} stack is empty ({slices} slices of {width}x{height})")).into());
    }
    let plane = width as usize * height as usize;
    if len != plane {
        return Err(Error::InvalidInput(format!("a slice of the {what} stack has {len} pixels, expected {width}x{height}")).into());
    }
    Ok(plane)
}

/// float[slice][pixel] -> Volume<f32> (z, y, x).
pub fn float_stack(env: &mut Env, slices: &JObjectArray, width: i32, height: i32) -> BridgeResult<Volume<f32>> {
    let depth = slices.len(env)?;
    let mut data = Vec::new();
    for z in 0..depth {
        let element = slices.get_element(env, z)?;
        let slice = JFloatArray::cast_local(env, element)?;
        let plane = check_slices("image", depth, slice.len(env)?, width, height)?;
        let start = data.len();
        data.resize(start + plane, 0.0);
        slice.get_region(env, 0, &mut data[start..])?;
        env.delete_local_ref(slice); // stacks can have more slices than the local reference table
    }
    Ok(Volume::new(data, [depth, height.max(0) as usize, width.max(0) as usize]).map_err(Error::from)?)
}

/// The image and label stacks of a training (their sizes are checked by the core).
pub fn training_stacks(env: &mut Env, image: &JObjectArray, width: i32, height: i32, labels: &JObjectArray, label_width: i32, label_height: i32) -> BridgeResult<TrainingStacks> {
    Ok(TrainingStacks { image: float_stack(env, image, width, height)?, labels: label_stack(env, labels, label_width, label_height, "labels")? })
}

/// int[slice][pixel] (8- and 16-bit images: raw values; negative ones are refused) or
/// float[slice][pixel] (32-bit images: checked by the core) -> Volume<u32>. `role` names the
/// stack in messages ("labels", "truth", "segmentation").
pub fn label_stack(env: &mut Env, slices: &JObjectArray, width: i32, height: i32, role: &str) -> BridgeResult<Volume<u32>> {
    let depth = slices.len(env)?;
    let mut data = Vec::new();
    let mut ints = Vec::new();
    let mut floats = Vec::new();
    for z in 0..depth {
        let element = slices.get_element(env, z)?;
        if env.as_cast::<JFloatArray>(&element).is_ok() {
            let slice = JFloatArray::cast_local(env, element)?;
            let plane = check_slices(role, depth, slice.len(env)?, width, height)?;
            floats.resize(plane, 0.0);
            slice.get_region(env, 0, &mut floats)?;
            env.delete_local_ref(slice);
            data.extend(segtrain::data::labels_from_floats(&floats, width as usize, z + 1, role)?);
            continue;
        }
        let slice = JIntArray::cast_local(env, element)?;
        let plane = check_slices(role, depth, slice.len(env)?, width, height)?;
        ints.resize(plane, 0);
        slice.get_region(env, 0, &mut ints)?;
        env.delete_local_ref(slice); // stacks can have more slices than the local reference table
        if let Some(v) = ints.iter().find(|&&v| v < 0) {
            return Err(Error::InvalidInput(format!("the {role} stack holds a negative value ({v}) in slice {}; labels must be 0 or positive", z + 1)).into());
        }
        data.extend(ints.iter().map(|&v| v as u32));
    }
    Ok(Volume::new(data, [depth, height.max(0) as usize, width.max(0) as usize]).map_err(Error::from)?)
}

/// One Java float[] per slice (a float[][]).
pub fn float_slices<'local>(env: &mut Env<'local>, data: &[f32], plane: usize) -> BridgeResult<JObjectArray<'local, JFloatArray<'local>>> {
    let slices = JObjectArray::<JFloatArray>::new(env, data.len() / plane.max(1), JFloatArray::null())?;
    for (z, chunk) in data.chunks(plane).enumerate() {
        let slice = JFloatArray::new(env, plane)?;
        slice.set_region(env, 0, chunk)?;
        slices.set_element(env, z, &slice)?;
        env.delete_local_ref(slice);
    }
    Ok(slices)
}

/// One Java int[] per slice (an int[][]).
pub fn int_slices<'local>(env: &mut Env<'local>, data: &[i32], plane: usize) -> BridgeResult<JObjectArray<'local, JIntArray<'local>>> {
    let slices = JObjectArray::<JIntArray>::new(env, data.len() / plane.max(1), JIntArray::null())?;
    for (z, chunk) in data.chunks(plane).enumerate() {
        let slice = JIntArray::new(env, plane)?;
        slice.set_region(env, 0, chunk)?;
        slices.set_element(env, z, &slice)?;
        env.delete_local_ref(slice);
    }
    Ok(slices)
}

/// Object[] { a, b }
pub fn objects<'local>(env: &mut Env<'local>, items: &[JObject<'local>]) -> BridgeResult<JObjectArray<'local>> {
    let array = JObjectArray::<JObject>::new(env, items.len(), JObject::null())?;
    for (i, item) in items.iter().enumerate() {
        array.set_element(env, i, item)?;
    }
    Ok(array)
}
