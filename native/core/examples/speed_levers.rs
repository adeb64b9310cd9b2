//! Times the network alone, one lever at a time (issue 12): training steps (forward, backward,
//! SGD) or inference batches, in the layout and precision given. One process per setting, so that
//! runs can be interleaved A/B/A/B on a shared machine.
//!
//!   cargo run --release --example speed_levers -- s2d|i3d train|infer nchw|cl fp32|bf16 [steps]
//!
//! Prints the median wall seconds per step after two warm-up steps, and the median CPU seconds
//! (all threads). THREADS=n sets libtorch's threads (default 2); SEGTRAIN_MALLOC_DEFAULT=1 keeps
//! glibc's default malloc parameters.
use segtrain::model::{Compute, UNet, UNetSpec};
use segtrain::rng::Rng;
use std::time::Instant;
use tch::nn::{ModuleT, OptimizerConfig, VarStore};
use tch::{nn, Device, Kind, Tensor};

#[repr(C)]
struct Timespec {
    sec: i64,
    nsec: i64,
}
extern "C" {
    fn clock_gettime(clock: i32, t: *mut Timespec) -> i32;
}
/// CPU seconds of the whole process (all threads): less disturbed than wall time when other
/// programs share the cores.
fn cpu_seconds() -> f64 {
    let mut t = Timespec { sec: 0, nsec: 0 };
    // SAFETY: CLOCK_PROCESS_CPUTIME_ID (2) fills the struct.
    unsafe { clock_gettime(2, &mut t) };
    t.sec as f64 + t.nsec as f64 * 1e-9
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: &str| args.get(i).cloned().unwrap_or_else(|| default.to_string());
    let (net_kind, mode, layout, precision) = (arg(0, "s2d"), arg(1, "train"), arg(2, "nchw"), arg(3, "fp32"));
    let steps: usize = arg(4, "8").parse().unwrap();
    let threads: u32 = std::env::var("THREADS").ok().and_then(|t| t.parse().ok()).unwrap_or(2);
    segtrain::runtime::set_cpu_threads(threads);
    let filters = [28, 36, 48, 64, 80];
    let (spec, input): (UNetSpec, Vec<i64>) = match net_kind.as_str() {
        "s2d" if mode == "train" => (UNetSpec::two_d(&filters, 1, 1), vec![2, 1, 256, 256]),
        "s2d" => (UNetSpec::two_d(&filters, 1, 1), vec![4, 1, 256, 256]),
        "i3d" if mode == "train" => (UNetSpec::three_d(&filters, [5.0, 5.0, 40.0], 1, 3), vec![2, 1, 8, 96, 96]),
        _ => (UNetSpec::three_d(&filters, [5.0, 5.0, 40.0], 1, 3), vec![4, 1, 8, 96, 96]),
    };
    let vs = VarStore::new(Device::Cpu);
    let mut net = UNet::new(&vs.root(), &spec, &mut Rng::new(0));
    net.set_compute(Compute { channels_last: layout == "cl", bf16: precision == "bf16" });
    let mut opt = nn::Sgd { momentum: 0.9, ..Default::default() }.build(&vs, 0.01).unwrap();
    let x = Tensor::randn(input.as_slice(), (Kind::Float, Device::Cpu));
    let target = x.gt(0.0).to_kind(Kind::Float);
    let (mut times, mut cpu) = (Vec::new(), Vec::new());
    for step in 0..steps + 2 {
        let (t0, c0) = (Instant::now(), cpu_seconds());
        if mode == "train" {
            let logits = net.forward_t(&x, true);
            let loss = logits.narrow(1, 0, 1).binary_cross_entropy_with_logits::<Tensor>(&target, None, None, tch::Reduction::Mean);
            opt.zero_grad();
            loss.backward();
            opt.step();
        } else {
            let p = tch::no_grad(|| net.forward_t(&x, false).sigmoid());
            let _v = Vec::<f32>::try_from(p.flatten(0, -1)).unwrap();
        }
        if step >= 2 {
            times.push(t0.elapsed().as_secs_f64());
            cpu.push(cpu_seconds() - c0);
        }
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    cpu.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "{net_kind} {mode} {layout} {precision} threads={threads} median_s={:.4} min_s={:.4} median_cpu_s={:.4}",
        times[times.len() / 2],
        times[0],
        cpu[cpu.len() / 2]
    );
}
