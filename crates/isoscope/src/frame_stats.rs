//! Frame-time measurement: with `ISOSCOPE_FRAME_STATS=1` the app records
//! how long each frame took (eframe's own CPU time per frame: our logic and
//! UI plus tessellation and painting) and prints p50/p99/max to stderr every
//! few seconds, plus the time from asking to open an image until its root
//! listing is in the table.

use std::time::{Duration, Instant};

/// Frame-time samples.
#[derive(Debug, Default)]
pub struct FrameStats {
    enabled: bool,
    samples: Vec<f32>,
    since: Option<Instant>,
}

const REPORT_EVERY: Duration = Duration::from_secs(5);

impl FrameStats {
    /// On when `ISOSCOPE_FRAME_STATS` is set to anything but "0".
    pub fn from_env() -> Self {
        let enabled = std::env::var_os("ISOSCOPE_FRAME_STATS").is_some_and(|v| v != "0");
        FrameStats {
            enabled,
            ..FrameStats::default()
        }
    }

    /// A start time when stats are on (for [`FrameStats::slow`]).
    pub fn timer(&self) -> Option<Instant> {
        self.enabled.then(Instant::now)
    }

    /// Names `what` (an action or event) on stderr when it took over 8 ms
    /// since `started` (from [`FrameStats::timer`]).
    pub fn slow(&self, started: Option<Instant>, what: impl FnOnce() -> String) {
        if let Some(ms) = started.map(|t| t.elapsed().as_secs_f64() * 1000.0) {
            if ms > 8.0 {
                eprintln!("isoscope frame stats: {:.70} took {ms:.1} ms", what());
            }
        }
    }

    /// Whether stats are being collected.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Records one frame's CPU time in seconds.
    pub fn frame(&mut self, secs: f32) {
        if !self.enabled {
            return;
        }
        self.samples.push(secs);
        let since = *self.since.get_or_insert_with(Instant::now);
        if since.elapsed() >= REPORT_EVERY {
            if let Some(line) = self.summary() {
                eprintln!("isoscope frame stats: {line}");
            }
            self.samples.clear();
            self.since = Some(Instant::now());
        }
    }

    /// "n=300 p50=1.2ms p99=4.0ms max=6.1ms" for the samples so far.
    pub fn summary(&self) -> Option<String> {
        if self.samples.is_empty() {
            return None;
        }
        let mut v = self.samples.clone();
        v.sort_by(f32::total_cmp);
        let at = |q: f32| {
            let i = ((v.len() - 1) as f32 * q).round() as usize;
            v.get(i).copied().unwrap_or(0.0) * 1000.0
        };
        Some(format!(
            "n={} p50={:.2}ms p99={:.2}ms max={:.2}ms",
            v.len(),
            at(0.5),
            at(0.99),
            at(1.0)
        ))
    }

    /// Records the time-to-root of an open.
    pub fn root_visible(&self, secs: f64) {
        if self.enabled {
            eprintln!(
                "isoscope frame stats: root listing visible {:.1} ms after open",
                secs * 1000.0
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles() {
        let mut s = FrameStats {
            enabled: true,
            ..FrameStats::default()
        };
        for i in 1..=100 {
            s.samples.push(i as f32 / 1000.0);
        }
        let line = s.summary().unwrap();
        assert!(
            line.contains("p50=50.") || line.contains("p50=51."),
            "{line}"
        );
        assert!(line.contains("max=100.00ms"), "{line}");
    }
}
