//! Medians and paired-ratio cells shared by the benchmark binaries.

/// The `q` quantile (0..=1) by linear interpolation; sorts `v`.
pub fn quantile(v: &mut [f64], q: f64) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let pos = q * (v.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
}

/// The median; sorts `v`.
#[allow(dead_code)]
pub fn median(v: &mut [f64]) -> f64 {
    quantile(v, 0.5)
}

/// "median (p25-p75)" of paired ratios.
#[allow(dead_code)]
pub fn ratio_cell(v: &mut [f64]) -> String {
    format!(
        "{:.2}x ({:.2}-{:.2})",
        quantile(v, 0.5),
        quantile(v, 0.25),
        quantile(v, 0.75)
    )
}
