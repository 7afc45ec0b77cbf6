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

/// The candidate `given` is a near miss of: a slip of one or two keys, as
/// a mistyped YAML key is (`impcat` for `impact`: two letters swapped count
/// once), and only one for a name of four letters or fewer. Stricter than
/// [`closest`], which suggests among values a user was asked for: a key
/// may be one of the user's own, and only a slip should be called one.
pub fn near_miss<'a>(given: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let reach = if given.chars().count() <= 4 { 1 } else { 2 };
    candidates
        .map(|c| (slip_distance(given, c), c))
        .filter(|(d, _)| *d > 0 && *d <= reach)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Edits between two names, where an edit is a character added, dropped,
/// changed, or two neighbours swapped (optimal string alignment).
pub fn slip_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
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

    #[test]
    fn a_near_miss_is_a_slip_of_a_key_or_two() {
        let fields = ["impact", "urgency", "status", "title", "id"];
        assert_eq!(near_miss("impcat", fields.iter().copied()), Some("impact"));
        assert_eq!(near_miss("urgncy", fields.iter().copied()), Some("urgency"));
        assert_eq!(near_miss("titel", fields.iter().copied()), Some("title"));
        assert_eq!(near_miss("impact", fields.iter().copied()), None);
        assert_eq!(near_miss("internal_ref", fields.iter().copied()), None);
        // Short names: one slip only.
        assert_eq!(near_miss("ix", fields.iter().copied()), Some("id"));
        assert_eq!(near_miss("ab", fields.iter().copied()), None);
        assert_eq!(slip_distance("impcat", "impact"), 1);
        assert_eq!(slip_distance("", "abc"), 3);
    }
}
