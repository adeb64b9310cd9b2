//! Batches are prepared on background threads while the network computes. Batch i is drawn
//! with a generator seeded from (seed, i) alone, by worker i mod threads, and read back in
//! order: the sequence of batches is the same for any number of threads, and a resumed run
//! starting at iteration k sees exactly the batches the uninterrupted run saw.
use super::{Batch, WindowSampler};
use crate::rng::Rng;
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Batches each worker may have ready ahead of the trainer.
const AHEAD_PER_WORKER: usize = 2;

/// The generator for batch `iteration` of a run seeded `seed`.
pub fn batch_rng(seed: u64, iteration: u64) -> Rng {
    Rng::new(seed ^ (iteration + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

pub struct BatchStream {
    receivers: Vec<Receiver<Batch>>,
    workers: Vec<JoinHandle<()>>,
    next: u64,
    waited: Duration,
}

impl BatchStream {
    /// Starts `threads` workers producing the batches of iterations first..total.
    pub fn start(sampler: Arc<WindowSampler>, batch_size: usize, seed: u64, first: u64, total: u64, threads: usize) -> Self {
        let threads = threads.max(1);
        let mut receivers = Vec::with_capacity(threads);
        let mut workers = Vec::with_capacity(threads);
        for worker in 0..threads as u64 {
            let (sender, receiver) = sync_channel(AHEAD_PER_WORKER);
            let sampler = sampler.clone();
            let handle = std::thread::Builder::new()
                .name(format!("segtrain-data-{worker}"))
                .spawn(move || {
                    let mut iteration = first + worker;
                    while iteration < total {
                        let batch = sampler.sample_batch(batch_size, &mut batch_rng(seed, iteration));
                        if sender.send(batch).is_err() {
                            return; // the trainer stopped: nobody needs more batches
                        }
                        iteration += threads as u64;
                    }
                })
                .expect("a data thread starts");
            receivers.push(receiver);
            workers.push(handle);
        }
        BatchStream { receivers, workers, next: 0, waited: Duration::ZERO }
    }

    /// The next batch in iteration order; the time spent waiting for it is counted.
    pub fn next_batch(&mut self) -> Batch {
        let started = Instant::now();
        let worker = (self.next % self.receivers.len() as u64) as usize;
        let batch = self.receivers[worker].recv().expect("a data worker died (see its panic above)");
        self.waited += started.elapsed();
        self.next += 1;
        batch
    }

    /// Total time the trainer has waited for data.
    pub fn waited(&self) -> Duration {
        self.waited
    }
}

impl Drop for BatchStream {
    fn drop(&mut self) {
        self.receivers.clear(); // workers blocked in send() now fail and return
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::augment::AugmentConfig;
    use crate::data::{Region, SamplerSettings, StackData};
    use crate::train::Head;

    fn sampler() -> Arc<WindowSampler> {
        let shape = [2, 40, 40];
        let image: Vec<f32> = (0..3200).map(|i| i as f32).collect();
        let data = Arc::new(StackData { image, labels: vec![1; 3200], shape });
        let settings = SamplerSettings { window: [1, 16, 16], flips: true, rotations: true, foreground_share: 0.5, augment: AugmentConfig::default(), dims: 2, ignore_label: None };
        Arc::new(WindowSampler::new(data, Region::whole(shape), settings, Head::Binary { background: 0, foreground: 1 }))
    }

    #[test]
    fn the_batch_sequence_does_not_depend_on_threads_or_the_starting_point() {
        let take = |threads: usize, first: u64, n: usize| {
            let mut stream = BatchStream::start(sampler(), 2, 7, first, 100, threads);
            (0..n).map(|_| stream.next_batch()).collect::<Vec<_>>()
        };
        let one = take(1, 0, 6);
        assert_eq!(one, take(3, 0, 6));
        assert_eq!(one[4..], take(2, 4, 2)[..], "resuming at iteration 4");
        assert_ne!(one[0], one[1]);
    }

    #[test]
    fn dropping_a_stream_with_blocked_workers_returns() {
        let mut stream = BatchStream::start(sampler(), 1, 1, 0, 1_000_000, 2);
        stream.next_batch();
        drop(stream); // must not hang
    }
}
