//! Text written by a scenario's author (`title`, `description`, `note`):
//! either one string, or an object of languages such as
//! `{"en": "...", "ko": "..."}`. English is required (it is what every
//! other language falls back to); a language missing from the object is
//! shown in English behind the visible marker [`FALLBACK_MARK`].

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use crate::narrate::Lang;

/// Put in front of the English text shown in place of a missing translation.
pub const FALLBACK_MARK: &str = "[en] ";

/// An author's text, in English and possibly in other languages.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Text {
    /// The English text (always present).
    pub en: String,
    /// The Korean text, if the author wrote one.
    pub ko: Option<String>,
}

impl Text {
    /// Text with only an English version.
    pub fn plain(en: impl Into<String>) -> Text {
        Text {
            en: en.into(),
            ko: None,
        }
    }

    /// The text as written in `lang`, if the author wrote it.
    pub fn exact(&self, lang: Lang) -> Option<&str> {
        match lang {
            Lang::En => Some(&self.en),
            Lang::Ko => self.ko.as_deref(),
        }
    }

    /// The text in `lang`; when that translation is missing, the English
    /// text behind [`FALLBACK_MARK`], so the reader sees it is untranslated.
    pub fn get(&self, lang: Lang) -> Cow<'_, str> {
        match self.exact(lang) {
            Some(s) => Cow::Borrowed(s),
            None => Cow::Owned(format!("{FALLBACK_MARK}{}", self.en)),
        }
    }

    /// Every version written, with its language.
    pub fn versions(&self) -> impl Iterator<Item = (Lang, &str)> {
        Lang::ALL
            .into_iter()
            .filter_map(move |l| self.exact(l).map(|s| (l, s)))
    }
}

/// Written as it is read: a string when there is only English, else
/// `{"en": ..., "ko": ...}`.
impl Serialize for Text {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Some(ko) = &self.ko else {
            return s.serialize_str(&self.en);
        };
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("en", &self.en)?;
        m.serialize_entry("ko", ko)?;
        m.end()
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        d.deserialize_any(TextVisitor)
    }
}

struct TextVisitor;

const LANG_KEYS: &[&str] = &["en", "ko"];

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string, or an object of languages {\"en\": \"...\", \"ko\": \"...\"}")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Text, E> {
        Ok(Text::plain(s))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Text, E> {
        Ok(Text::plain(s))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Text, A::Error> {
        let mut en: Option<String> = None;
        let mut ko: Option<String> = None;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            let slot = match &*key {
                "en" => &mut en,
                "ko" => &mut ko,
                other => return Err(de::Error::unknown_field(other, LANG_KEYS)),
            };
            if slot.is_some() {
                return Err(de::Error::custom(format_args!(
                    "language {key:?} is given twice"
                )));
            }
            *slot = Some(map.next_value()?);
        }
        let en = en.ok_or_else(|| {
            de::Error::custom(
                "a text object needs \"en\" (the English text every language falls back to)",
            )
        })?;
        Ok(Text { en, ko })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_string_is_english_and_korean_falls_back_with_the_mark() {
        let t: Text = serde_json::from_str("\"hello\"").unwrap();
        assert_eq!(t, Text::plain("hello"));
        assert_eq!(t.get(Lang::En), "hello");
        assert_eq!(t.get(Lang::Ko), "[en] hello");
    }

    #[test]
    fn an_object_gives_each_language() {
        let t: Text = serde_json::from_str(r#"{"ko": "안녕", "en": "hello"}"#).unwrap();
        assert_eq!(t.get(Lang::En), "hello");
        assert_eq!(t.get(Lang::Ko), "안녕");
        assert_eq!(t.versions().count(), 2);
    }

    #[test]
    fn bad_objects_are_refused_with_the_reason() {
        let e = serde_json::from_str::<Text>(r#"{"ko": "안녕"}"#).unwrap_err();
        assert!(e.to_string().contains("needs \"en\""), "{e}");
        let e = serde_json::from_str::<Text>(r#"{"en": "a", "kr": "b"}"#).unwrap_err();
        assert!(e.to_string().contains("unknown field `kr`"), "{e}");
        let e = serde_json::from_str::<Text>(r#"{"en": "a", "en": "b"}"#).unwrap_err();
        assert!(e.to_string().contains("twice"), "{e}");
        let e = serde_json::from_str::<Text>("3").unwrap_err();
        assert!(e.to_string().contains("object of languages"), "{e}");
    }
}
