//! Swedish personal identity numbers (*personnummer*) and co-ordination
//! numbers (*samordningsnummer*, day + 60) in ticket text. Ticket text is
//! shared with suppliers and lives forever in git; these numbers must not be
//! in it (SPEC §5).
//!
//! Matched forms: `YYMMDD-NNNN`, `YYMMDD+NNNN`, `YYYYMMDD-NNNN` and
//! `YYYYMMDDNNNN` (century 18, 19 or 20), with a valid date part and a valid
//! Luhn check digit. A bare ten-digit number is not matched: ticket numbers
//! look like that, and one in ten would pass the check digit by chance.

use std::sync::OnceLock;

use regex::Regex;

/// The first personal identity number in `text`, if any.
pub fn find(text: &str) -> Option<&str> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"(?:^|[^0-9])((?:1[89]|20)?(\d{2})(\d{2})(\d{2})[-+](\d{4})|(?:1[89]|20)(\d{2})(\d{2})(\d{2})(\d{4}))(?:$|[^0-9])")
            .expect("the pattern is valid")
    });
    // Most text holds no candidate at all: the fast matcher says so without
    // the capture machinery.
    if !re.is_match(text) {
        return None;
    }
    // A record ID carries a date and random characters: `INC-20160229-4710AB`
    // holds `20160229-4710`, which has a valid check digit. IDs are blanked out
    // before the search (same length, so the positions found stay true).
    static ID: OnceLock<Regex> = OnceLock::new();
    let id = ID.get_or_init(|| {
        Regex::new(r"(?:INC|PRB|CHG|REL|SR|CI|CAP)-\d{8}-[0-9A-Z]+").expect("the pattern is valid")
    });
    let blanked = id.replace_all(text, |c: &regex::Captures<'_>| " ".repeat(c[0].len()));
    let start = re.captures_iter(&blanked).find_map(|c| {
        let whole = c.get(1)?;
        let digits: String = whole
            .as_str()
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        let ten = &digits[digits.len() - 10..];
        valid(ten).then_some((whole.start(), whole.end()))
    })?;
    text.get(start.0..start.1)
}

/// Whether ten digits YYMMDDNNNC form a valid number: a real month, a day
/// (or day + 60) that exists in some month, and the Luhn check digit.
fn valid(ten: &str) -> bool {
    let d: Vec<u32> = ten.chars().filter_map(|c| c.to_digit(10)).collect();
    if d.len() != 10 {
        return false;
    }
    let month = d[2] * 10 + d[3];
    let mut day = d[4] * 10 + d[5];
    if day > 60 {
        day -= 60;
    }
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return false;
    }
    let sum: u32 = d[..9]
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let v = if i % 2 == 0 { x * 2 } else { x };
            if v > 9 { v - 9 } else { v }
        })
        .sum();
    (10 - sum % 10) % 10 == d[9]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_numbers_are_found_in_text() {
        // Skatteverket's published test numbers.
        assert_eq!(find("Patient 19121212-1212 ringde"), Some("19121212-1212"));
        assert_eq!(find("pnr 121212-1212."), Some("121212-1212"));
        assert_eq!(find("191212121212"), Some("191212121212"));
        // Samordningsnummer: day + 60.
        assert_eq!(find("sn 701063-2391"), Some("701063-2391"));
    }

    #[test]
    fn near_misses_are_not() {
        assert_eq!(find("19121212-1213"), None, "wrong check digit");
        assert_eq!(find("121312-1212"), None, "month 13");
        assert_eq!(find("ticket 1212121212"), None, "bare ten digits");
        assert_eq!(find("2026-11-22T09:30:00+01:00"), None);
        assert_eq!(find("INC-20261122-K7QF2M"), None);
        // A record ID whose date and first four characters look like a
        // personnummer with a valid check digit is still an ID.
        assert_eq!(
            find("20160229-4710"),
            Some("20160229-4710"),
            "the digits alone are one"
        );
        assert_eq!(find("INC-20160229-4710AB"), None);
        assert_eq!(
            find("linked INC-20160229-4710AB, see 19121212-1212"),
            Some("19121212-1212")
        );
    }
}
