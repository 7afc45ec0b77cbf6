//! Input a person names on the command line: a file, or `-` for standard input.

use std::io::Read;
use std::path::Path;

use arende::error::{Error, Result};
use arende::fs;
use arende::yaml::{self, Mapping};

/// The fields of a record from a YAML file (`arende new --from FILE`), or
/// from standard input for `-`, read no further than a record may be long.
pub fn read_fields(path: &Path) -> Result<Mapping> {
    let stdin = path == Path::new("-");
    let shown = if stdin { Path::new("<stdin>") } else { path };
    let text = if stdin {
        let mut bytes = Vec::new();
        std::io::stdin()
            .take(yaml::MAX_RECORD_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io(shown, e))?;
        if bytes.len() as u64 > yaml::MAX_RECORD_BYTES {
            return Err(Error::TooLarge {
                path: shown.to_owned(),
                size: bytes.len() as u64,
                limit: yaml::MAX_RECORD_BYTES,
            });
        }
        fs::text_from_bytes(shown, bytes)?
    } else {
        fs::read_text(path, yaml::MAX_RECORD_BYTES).map_err(|e| match e {
            // A file the person named that is not there is bad input, not a broken disk.
            Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                Error::usage(format!("{}: no such file", path.display()), None)
            }
            other => other,
        })?
    };
    yaml::parse_mapping(shown, &text)
}
