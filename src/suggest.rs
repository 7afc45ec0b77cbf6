//! "Did you mean": the nearest of some known names to a mistyped one.

/// The candidate closest to `given`, if one is close enough to be a typo.
pub fn closest<'a>(given: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (edit_distance(given, c), c))
        .filter(|(d, c)| *d > 0 && *d <= 3.max(given.chars().count() / 3) && *d < c.chars().count())
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// `did you mean `x`? ` for a close candidate, else nothing.
pub fn did_you_mean<'a>(given: &str, candidates: impl Iterator<Item = &'a str>) -> String {
    closest(given, candidates)
        .map(|c| format!("did you mean `{c}`? "))
        .unwrap_or_default()
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_only_near_names() {
        let names = ["staden", "leverantor", "servicedesk"];
        assert_eq!(closest("stadn", names.iter().copied()), Some("staden"));
        assert_eq!(closest("kommunen", names.iter().copied()), None);
        assert_eq!(closest("staden", names.iter().copied()), None);
        assert_eq!(edit_distance("kunden", "kund"), 2);
    }
}
