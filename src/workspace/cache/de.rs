//! Typed records straight from the cache's encoded documents.
//!
//! `sla` and `report` read tens of thousands of cached records. Decoding
//! each document into a YAML value and then deserializing the record from
//! that value allocated every string and mapping twice and was the largest
//! part of their time; this deserializer drives the record's own
//! `Deserialize` impls over the encoded bytes directly, making the same
//! visitor calls the YAML value's deserializer makes for the same node.
//!
//! It is only ever asked about documents that were read from their files
//! and deserialized through [`crate::yaml`] without error; anything it does
//! not handle (a tagged node, a length mismatch) is an error, and the
//! caller then takes the slow path through the value, so the answer never
//! depends on which path was taken.

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};

use super::MAX_DEPTH;

/// Why a document could not be read this way; never shown to a person.
#[derive(Debug)]
pub(super) struct Unreadable(String);

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unreadable {}

impl de::Error for Unreadable {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Unreadable(msg.to_string())
    }
}

fn damaged() -> Unreadable {
    Unreadable("the cached document is damaged".to_owned())
}

/// A position in one encoded document (the layout of `super::encode`).
pub(super) struct Cursor<'de> {
    data: &'de [u8],
    at: usize,
    depth: usize,
}

impl<'de> Cursor<'de> {
    /// A cursor at the start of an encoded document.
    pub(super) fn new(data: &'de [u8]) -> Cursor<'de> {
        Cursor {
            data,
            at: 0,
            depth: 0,
        }
    }

    fn take(&mut self, n: usize) -> Result<&'de [u8], Unreadable> {
        let end = self.at.checked_add(n).ok_or_else(damaged)?;
        let out = self.data.get(self.at..end).ok_or_else(damaged)?;
        self.at = end;
        Ok(out)
    }

    fn byte(&mut self) -> Result<u8, Unreadable> {
        Ok(self.take(1)?[0])
    }

    fn peek(&self) -> Result<u8, Unreadable> {
        self.data.get(self.at).copied().ok_or_else(damaged)
    }

    fn u32(&mut self) -> Result<u32, Unreadable> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self) -> Result<u64, Unreadable> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    fn str(&mut self) -> Result<&'de str, Unreadable> {
        let n = self.u32()? as usize;
        std::str::from_utf8(self.take(n)?).map_err(|_| damaged())
    }

    /// A count of items that each take at least a byte.
    fn count(&mut self) -> Result<usize, Unreadable> {
        let n = self.u32()? as usize;
        if n > self.data.len() - self.at {
            return Err(damaged());
        }
        Ok(n)
    }

    fn descend(&mut self) -> Result<(), Unreadable> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(damaged());
        }
        Ok(())
    }

    /// Passes over one node without building anything.
    fn skip(&mut self) -> Result<(), Unreadable> {
        match self.byte()? {
            0..=2 => Ok(()),
            3..=5 => self.take(8).map(drop),
            6 => self.str().map(drop),
            7 => {
                let n = self.count()?;
                self.descend()?;
                for _ in 0..n {
                    self.skip()?;
                }
                self.depth -= 1;
                Ok(())
            }
            8 => {
                let n = self.count()?;
                self.descend()?;
                for _ in 0..2 * n {
                    self.skip()?;
                }
                self.depth -= 1;
                Ok(())
            }
            _ => Err(damaged()),
        }
    }
}

impl<'de> de::Deserializer<'de> for &mut Cursor<'de> {
    type Error = Unreadable;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unreadable> {
        match self.byte()? {
            0 => visitor.visit_unit(),
            1 => visitor.visit_bool(false),
            2 => visitor.visit_bool(true),
            3 => {
                let i = self.u64()? as i64;
                // The YAML value holds a non-negative integer as unsigned and
                // visits it so; the encoding stores every integer that fits as i64.
                match u64::try_from(i) {
                    Ok(u) => visitor.visit_u64(u),
                    Err(_) => visitor.visit_i64(i),
                }
            }
            4 => visitor.visit_u64(self.u64()?),
            5 => visitor.visit_f64(f64::from_bits(self.u64()?)),
            6 => visitor.visit_borrowed_str(self.str()?),
            7 => {
                let left = self.count()?;
                self.descend()?;
                let value = visitor.visit_seq(Items {
                    cursor: &mut *self,
                    left,
                })?;
                self.depth -= 1;
                Ok(value)
            }
            8 => {
                let left = self.count()?;
                self.descend()?;
                let value = visitor.visit_map(Entries {
                    cursor: &mut *self,
                    left,
                })?;
                self.depth -= 1;
                Ok(value)
            }
            // Tagged nodes go the slow way, through the YAML value.
            _ => Err(Unreadable("a tagged node".to_owned())),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unreadable> {
        if self.peek()? == 0 {
            self.at += 1;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Unreadable> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Unreadable> {
        match self.peek()? {
            6 => {
                self.at += 1;
                let name: &str = self.str()?;
                visitor.visit_enum(name.into_deserializer())
            }
            8 => {
                self.at += 1;
                if self.count()? != 1 {
                    return Err(Unreadable("an enum map of more than one entry".to_owned()));
                }
                self.descend()?;
                let value = visitor.visit_enum(Variant { cursor: &mut *self })?;
                self.depth -= 1;
                Ok(value)
            }
            _ => Err(Unreadable(
                "an enum that is neither a name nor a map".to_owned(),
            )),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unreadable> {
        self.skip()?;
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier
    }
}

/// A sequence's items; every one must be read.
struct Items<'a, 'de> {
    cursor: &'a mut Cursor<'de>,
    left: usize,
}

impl<'de> de::SeqAccess<'de> for Items<'_, 'de> {
    type Error = Unreadable;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Unreadable> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        seed.deserialize(&mut *self.cursor).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.left)
    }
}

impl Drop for Items<'_, '_> {
    fn drop(&mut self) {
        // A visitor that stops early (a fixed-size tuple) leaves items
        // behind; poisoning the cursor makes the next read fail, so the
        // record goes the slow way rather than read the wrong bytes.
        if self.left > 0 {
            self.cursor.at = usize::MAX;
        }
    }
}

/// A mapping's entries, key then value.
struct Entries<'a, 'de> {
    cursor: &'a mut Cursor<'de>,
    left: usize,
}

impl<'de> de::MapAccess<'de> for Entries<'_, 'de> {
    type Error = Unreadable;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Unreadable> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        seed.deserialize(&mut *self.cursor).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Unreadable> {
        seed.deserialize(&mut *self.cursor)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.left)
    }
}

impl Drop for Entries<'_, '_> {
    fn drop(&mut self) {
        if self.left > 0 {
            self.cursor.at = usize::MAX;
        }
    }
}

/// An enum written as a one-entry mapping `{variant: value}`.
struct Variant<'a, 'de> {
    cursor: &'a mut Cursor<'de>,
}

impl<'de> de::EnumAccess<'de> for Variant<'_, 'de> {
    type Error = Unreadable;
    type Variant = Self;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Self), Unreadable> {
        let name = seed.deserialize(&mut *self.cursor)?;
        Ok((name, self))
    }
}

impl<'de> de::VariantAccess<'de> for Variant<'_, 'de> {
    type Error = Unreadable;

    fn unit_variant(self) -> Result<(), Unreadable> {
        de::Deserialize::deserialize(&mut *self.cursor)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<T::Value, Unreadable> {
        seed.deserialize(&mut *self.cursor)
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Unreadable> {
        de::Deserializer::deserialize_seq(&mut *self.cursor, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Unreadable> {
        de::Deserializer::deserialize_map(&mut *self.cursor, visitor)
    }
}

/// A whole document, owned by the deserializer: what
/// [`Record::from_parts`](crate::record::Record::from_parts) asks for.
pub(super) struct Doc<'de>(pub(super) Cursor<'de>);

impl<'de> de::Deserializer<'de> for Doc<'de> {
    type Error = Unreadable;

    fn deserialize_any<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, Unreadable> {
        (&mut self.0).deserialize_any(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, Unreadable> {
        (&mut self.0).deserialize_option(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        mut self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Unreadable> {
        (&mut self.0).deserialize_newtype_struct(name, visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        mut self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Unreadable> {
        (&mut self.0).deserialize_enum(name, variants, visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(
        mut self,
        visitor: V,
    ) -> Result<V::Value, Unreadable> {
        (&mut self.0).deserialize_ignored_any(visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier
    }
}
