//! A person's signing key: an SSH public key as OpenSSH writes it (and as
//! git's allowed-signers file takes it), or an OpenPGP fingerprint.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A key a person signs commits with. Written `ssh: "…"` or `openpgp: "…"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "KeyForm", into = "KeyForm")]
#[schemars(with = "KeyForm")]
pub enum SigningKey {
    /// An SSH public key, `ssh-ed25519 AAAA… comment`, as in `~/.ssh/id_ed25519.pub`
    /// (git signs with it under `gpg.format=ssh`).
    Ssh(String),
    /// An OpenPGP key's fingerprint, 40 (v4) or 64 (v5, v6) hexadecimal
    /// digits, spaces allowed.
    Openpgp(String),
}

/// A key as the registry file writes it: a mapping with exactly one of
/// the two.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "SigningKey")]
struct KeyForm {
    /// An SSH public key, `ssh-ed25519 AAAA… comment`, as in `~/.ssh/id_ed25519.pub`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ssh: Option<String>,
    /// An OpenPGP fingerprint, 40 or 64 hexadecimal digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    openpgp: Option<String>,
}

impl TryFrom<KeyForm> for SigningKey {
    type Error = String;

    fn try_from(form: KeyForm) -> Result<SigningKey, String> {
        match (form.ssh, form.openpgp) {
            (Some(ssh), None) => Ok(SigningKey::Ssh(ssh)),
            (None, Some(fp)) => Ok(SigningKey::Openpgp(fp)),
            _ => Err("a key is `ssh: \"ssh-ed25519 AAAA…\"` or `openpgp: \"FINGERPRINT\"`, one of the two".into()),
        }
    }
}

impl From<SigningKey> for KeyForm {
    fn from(key: SigningKey) -> KeyForm {
        match key {
            SigningKey::Ssh(ssh) => KeyForm {
                ssh: Some(ssh),
                openpgp: None,
            },
            SigningKey::Openpgp(fp) => KeyForm {
                ssh: None,
                openpgp: Some(fp),
            },
        }
    }
}

/// Why a key is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Not `type base64 [comment]`.
    #[error("`{0}` is not an SSH public key (`ssh-ed25519 AAAA… comment`)")]
    SshShape(String),
    /// A key type OpenSSH does not sign with.
    #[error("`{0}` is not a key type git can sign with")]
    SshType(String),
    /// The base64 part does not decode, or does not say the type it is given as.
    #[error("the {0} key's base64 part is damaged: it does not decode to a {0} key")]
    SshBlob(String),
    /// Not 40 or 64 hexadecimal digits.
    #[error("`{0}` is not an OpenPGP fingerprint (40 or 64 hexadecimal digits)")]
    Fingerprint(String),
}

impl KeyError {
    /// How to put it right.
    pub fn help(&self) -> &'static str {
        match self {
            KeyError::SshShape(_) | KeyError::SshType(_) | KeyError::SshBlob(_) => {
                "copy the whole line of the person's public key file (`cat ~/.ssh/id_ed25519.pub`) after `ssh:`"
            }
            KeyError::Fingerprint(_) => {
                "copy the fingerprint `gpg --fingerprint EMAIL` prints after `openpgp:`"
            }
        }
    }
}

/// The key types OpenSSH signs with (`ssh-keygen -Y sign`).
const SSH_TYPES: &[&str] = &[
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
];

impl SigningKey {
    /// Checks the key's form; gives what identifies it (the type and key
    /// data of an SSH key, the fingerprint's digits in capitals), for
    /// finding one key claimed by two people.
    pub fn check(&self) -> Result<String, KeyError> {
        match self {
            SigningKey::Ssh(text) => check_ssh(text),
            SigningKey::Openpgp(text) => {
                let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
                let hex = digits.chars().all(|c| c.is_ascii_hexdigit());
                if hex && matches!(digits.len(), 40 | 64) {
                    Ok(format!("openpgp {}", digits.to_ascii_uppercase()))
                } else {
                    Err(KeyError::Fingerprint(text.clone()))
                }
            }
        }
    }
}

/// The type and base64 data of an SSH key line, checked: the data decodes
/// and begins with the type it is given as (OpenSSH's wire form).
fn check_ssh(text: &str) -> Result<String, KeyError> {
    let mut words = text.split_whitespace();
    let (Some(kind), Some(data)) = (words.next(), words.next()) else {
        return Err(KeyError::SshShape(text.to_owned()));
    };
    if !SSH_TYPES.contains(&kind) {
        return Err(KeyError::SshType(kind.to_owned()));
    }
    let blob = base64_decode(data).ok_or_else(|| KeyError::SshBlob(kind.to_owned()))?;
    let named = blob
        .get(..4)
        .map(|n| u32::from_be_bytes([n[0], n[1], n[2], n[3]]) as usize)
        .and_then(|n| blob.get(4..4 + n));
    if named != Some(kind.as_bytes()) || blob.len() < 4 + kind.len() + 4 {
        return Err(KeyError::SshBlob(kind.to_owned()));
    }
    Ok(format!("{kind} {data}"))
}

/// An SSH key line without its comment: `type base64`.
pub(super) fn ssh_key_without_comment(text: &str) -> String {
    text.split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Standard base64 (with `=` padding) decoded; `None` if it is not.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let bytes = text.as_bytes();
    if bytes.is_empty() || !bytes.len().is_multiple_of(4) {
        return None;
    }
    let body = text.trim_end_matches('=').as_bytes();
    if bytes.len() - body.len() > 2 {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    for chunk in body.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= value(c)? << (18 - 6 * i);
        }
        let n = chunk.len() * 6 / 8;
        out.extend_from_slice(&acc.to_be_bytes()[1..1 + n]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    // A real ed25519 public key (made for this test, the private half thrown away).
    const ED25519: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHC35ZYVViidYTHz1k3NNl8ZMT1QQUWITZz2TH2Crn3r eva@example.se";

    #[test]
    fn ssh_keys_are_checked_to_their_wire_form() {
        let key = SigningKey::Ssh(ED25519.into());
        assert!(key.check().is_ok(), "{:?}", key.check());
        let wrong_type = ED25519.replacen("ssh-ed25519", "ssh-rsa", 1);
        assert_eq!(
            SigningKey::Ssh(wrong_type).check(),
            Err(KeyError::SshBlob("ssh-rsa".into()))
        );
        let cut = ED25519.replacen("AAAAC3Nza", "AAAAC3Nzb", 1);
        assert!(SigningKey::Ssh(cut).check().is_err());
        assert_eq!(
            SigningKey::Ssh("ssh-dss AAAA".into()).check(),
            Err(KeyError::SshType("ssh-dss".into()))
        );
        assert!(matches!(
            SigningKey::Ssh("not a key at all".into()).check(),
            Err(KeyError::SshType(_))
        ));
        assert!(matches!(
            SigningKey::Ssh("ssh-ed25519".into()).check(),
            Err(KeyError::SshShape(_))
        ));
        assert!(
            SigningKey::Ssh("ssh-ed25519 AAAA!!!=".into())
                .check()
                .is_err()
        );
    }

    #[test]
    fn fingerprints_are_forty_or_sixty_four_hex_digits() {
        let fp = "ABCD EF01 2345 6789 ABCD  EF01 2345 6789 ABCD EF01";
        assert_eq!(
            SigningKey::Openpgp(fp.into()).check(),
            Ok("openpgp ABCDEF0123456789ABCDEF0123456789ABCDEF01".into())
        );
        assert!(SigningKey::Openpgp("ABCD".into()).check().is_err());
        assert!(SigningKey::Openpgp("G".repeat(40)).check().is_err());
    }

    #[test]
    fn base64_round_trips_what_openssh_writes() {
        assert_eq!(base64_decode("AAAAC3Nz").unwrap(), b"\0\0\0\x0bss");
        assert_eq!(base64_decode("aGk=").unwrap(), b"hi");
        assert_eq!(base64_decode("aA==").unwrap(), b"h");
        assert_eq!(base64_decode("aA="), None);
        assert_eq!(base64_decode("a==="), None);
    }
}
