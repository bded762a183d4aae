//! A word that is none of the words allowed where it stands (a key of an
//! object, an op, a flavour, a policy, an id the file does not declare),
//! kept with the words that are allowed: the data behind "did you mean
//! ...?". The errors of scenarios ([`crate::scenario::Problem`]), explore
//! specs ([`crate::explore::SpecError`]) and lab configurations
//! ([`crate::lab::ConfigError`]) carry one where it applies, and
//! [`crate::diagnostic`] compares its word with its known words; no error
//! message is read back for that.

/// A word that is none of the known ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unknown {
    /// The word as written.
    pub word: String,
    /// The words allowed where it stands (the keys of the object, the names
    /// of the format, the ids the file declares), in the order they are
    /// listed in the message.
    pub known: Vec<String>,
}

impl Unknown {
    /// `word`, where `known` are the words allowed.
    pub fn new<S: Into<String>>(
        word: impl Into<String>,
        known: impl IntoIterator<Item = S>,
    ) -> Self {
        Unknown {
            word: word.into(),
            known: known.into_iter().map(Into::into).collect(),
        }
    }

    /// The unknown field or variant a serde error message names, with the
    /// ones it lists: `` unknown field `expcet`, expected one of `op`,
    /// `expect` `` (also `` expected `a` ``, `` expected `a` or `b` `` and
    /// `there are no fields`). serde gives these only as text (its
    /// `de::Error::unknown_field` and `unknown_variant` format them, for
    /// serde_json and toml alike): this is the one place where that text is
    /// read, where a serde error becomes one of ours. `None` for any other
    /// message.
    pub fn from_serde(message: &str) -> Option<Unknown> {
        let rest = ["unknown field `", "unknown variant `"]
            .iter()
            .find_map(|p| message.strip_prefix(p))?;
        // The word ends at the last "`, " (the listed words are plain
        // identifiers; the word itself may hold anything).
        let (word, list) = match rest.rfind("`, expected ") {
            Some(i) => (&rest[..i], &rest[i + "`, expected ".len()..]),
            None => (
                rest.strip_suffix("`, there are no fields")
                    .or_else(|| rest.strip_suffix("`, there are no variants"))?,
                "",
            ),
        };
        let list = list.strip_prefix("one of ").unwrap_or(list);
        let known = list
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect();
        Some(Unknown {
            word: word.to_owned(),
            known,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Unknown;
    use serde::Deserialize;

    #[allow(dead_code)]
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Three {
        op: Option<u8>,
        thread: Option<u8>,
        expect: Option<u8>,
    }

    #[allow(dead_code)]
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Two {
        op: Option<u8>,
        port: Option<u8>,
    }

    #[allow(dead_code)]
    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Op {
        Get,
        Post,
        GetEx,
    }

    /// The message serde_json gives for `text`, without its position.
    fn serde_message<T: for<'de> Deserialize<'de> + std::fmt::Debug>(text: &str) -> String {
        let e = serde_json::from_str::<T>(text).unwrap_err().to_string();
        e[..e.rfind(" at line ").unwrap()].to_owned()
    }

    /// The messages are serde's own, made by serde_json and toml here: a
    /// serde release that words them otherwise fails this test rather than
    /// silently losing "did you mean".
    #[test]
    fn serde_unknown_fields_and_variants_are_read_as_data() {
        let m = serde_message::<Three>(r#"{"expcet": 1}"#);
        assert_eq!(
            Unknown::from_serde(&m),
            Some(Unknown::new("expcet", ["op", "thread", "expect"])),
            "{m}"
        );
        let m = serde_message::<Two>(r#"{"prt": 1}"#);
        assert_eq!(
            Unknown::from_serde(&m),
            Some(Unknown::new("prt", ["op", "port"])),
            "{m}"
        );
        let m = serde_message::<Op>(r#""gett""#);
        assert_eq!(
            Unknown::from_serde(&m),
            Some(Unknown::new("gett", ["get", "post", "get_ex"])),
            "{m}"
        );
        let e = toml::from_str::<Two>("op = 1\nprot = 2\n").unwrap_err();
        assert_eq!(
            Unknown::from_serde(e.message().trim()),
            Some(Unknown::new("prot", ["op", "port"])),
            "{}",
            e.message()
        );
        // A word with backquotes and commas of its own is kept whole.
        let m = serde_message::<Two>(r#"{"a`, b": 1}"#);
        assert_eq!(Unknown::from_serde(&m).unwrap().word, "a`, b", "{m}");
        for other in [
            "missing field `title`",
            "invalid type: integer `3`, expected a string",
            "the field is unknown",
        ] {
            assert_eq!(Unknown::from_serde(other), None, "{other}");
        }
    }
}
