//! Did-you-mean for names the user typed (metrics, strategies).
//!
//! The same rule as the scenario crate's key suggestions (Jaro-Winkler above 0.8), kept here
//! because the engine must not depend on the scenario crate.

/// ` (did you mean `x`?)` for the closest candidate, or an empty string.
#[must_use]
pub fn did_you_mean(word: &str, candidates: &[&str]) -> String {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(word, c), *c))
        .filter(|(score, c)| *score > 0.8 && *c != word)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn suggests_the_closest_name_only_when_close() {
        let names = ["unmet_magnet_t", "lost_output_usd"];
        assert_eq!(
            did_you_mean("unmet_magnet", &names),
            " (did you mean `unmet_magnet_t`?)"
        );
        assert_eq!(did_you_mean("zzz", &names), "");
    }
}
