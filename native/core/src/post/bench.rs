use super::*;
#[test]
#[ignore]
fn bench_big() {
    let (d, h, w, cell) = (32usize, 1024usize, 1024usize, 32usize);
    let n = d * h * w;
    let (mut fg, mut ct) = (vec![0f32; n], vec![0f32; n]);
    let t = std::time::Instant::now();
    for z in 0..d { for y in 0..h { for x in 0..w {
        let (dz, dy, dx) = ((z % cell) as f32 - 15.5, (y % cell) as f32 - 15.5, (x % cell) as f32 - 15.5);
        let r = (dz*dz + dy * dy + dx * dx).sqrt();
        let edge = dz.abs().max(dy.abs().max(dx.abs()));
        let i = (z * h + y) * w + x;
        fg[i] = (r <= 17.0) as u8 as f32 * 0.9 + 0.05 * ((i * 2654435761) % 7) as f32 / 7.0;
        ct[i] = (r > 15.0 || edge > 13.5) as u8 as f32 * 0.9 + 0.05 * ((i * 40503) % 5) as f32 / 5.0;
    }}}
    eprintln!("gen {:?}", t.elapsed());
    let dist: Vec<f32> = ct.iter().map(|&c| 1.0 - c).collect();
    for per_slice in [false, true] {
        for with_d in [false, true] {
            let t = std::time::Instant::now();
            let labels = segment_instances(&fg, &ct, if with_d { Some(&dist) } else { None }, [d, h, w], per_slice, &InstanceParams::default());
            let m = labels.iter().max().unwrap();
            eprintln!("per_slice {per_slice} dist {with_d}: {:?}, {m} objects", t.elapsed());
        }
    }
    let t = std::time::Instant::now();
    let mask = threshold(&fg, 0.8);
    let (_, c) = connected_components(&mask, [d, h, w], false);
    eprintln!("threshold+cc {:?} {c}", t.elapsed());
}
