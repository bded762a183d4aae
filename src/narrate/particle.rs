//! Korean particles after names and numbers (조사): 은/는, 이/가, 을/를,
//! 으로/로, 과/와. Which form follows a word depends on how the word ends
//! when it is read aloud, so this module decides how a scenario's id or a
//! number is read:
//!
//! - a number on its own is read in Sino-Korean: `3` 삼 (ends in ㅁ), `2`
//!   이 (a vowel), `10` 십, `0` 영;
//! - digits after letters are read in English, as Korean readers say ids:
//!   `T1` 티원 (ends in ㄴ), `T2` 티투 (a vowel), `T7` 티세븐;
//! - one letter, or capitals, are read as letter names: `P` 피, `sockA`
//!   ...에이, `M` 엠, `L` 엘;
//! - a lower-case word is read as an English word: `ovPlain` ...플레인
//!   (ends in ㄴ), `sock` 삭, `db` 디비;
//! - Hangul ends as it is written.
//!
//! Every Korean sentence puts a particle after a variable through
//! [`with`], never by hand (`lesson_languages` checks the sources).

/// A particle whose form depends on the word before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Particle {
    /// Topic: 은 after a consonant, 는 after a vowel.
    EunNeun,
    /// Subject: 이 / 가.
    IGa,
    /// Object: 을 / 를.
    EulReul,
    /// Means or direction: 으로 after a consonant, 로 after a vowel or ㄹ.
    EuroRo,
    /// "and, with": 과 / 와.
    GwaWa,
}

/// How a word ends when read aloud.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// A vowel (no final consonant).
    Vowel,
    /// The final consonant ㄹ (으로/로 takes 로 after it).
    Rieul,
    /// Any other final consonant.
    Consonant,
}

/// `word` followed by `p` in the form its reading asks for:
/// `with("ov1", Particle::EunNeun)` is `"ov1은"`.
pub fn with(word: &str, p: Particle) -> String {
    let e = ending(word);
    let after = match (p, e) {
        (Particle::EunNeun, Ending::Vowel) => "는",
        (Particle::EunNeun, _) => "은",
        (Particle::IGa, Ending::Vowel) => "가",
        (Particle::IGa, _) => "이",
        (Particle::EulReul, Ending::Vowel) => "를",
        (Particle::EulReul, _) => "을",
        (Particle::EuroRo, Ending::Consonant) => "으로",
        (Particle::EuroRo, _) => "로",
        (Particle::GwaWa, Ending::Vowel) => "와",
        (Particle::GwaWa, _) => "과",
    };
    format!("{word}{after}")
}

/// How `word` ends when read aloud (see the module docs).
pub fn ending(word: &str) -> Ending {
    let word = word.trim_end_matches(|c: char| !c.is_alphanumeric());
    let Some(last) = word.chars().last() else {
        return Ending::Vowel;
    };
    if let Some(e) = hangul(last) {
        return e;
    }
    if last.is_ascii_digit() {
        let digits = word.len() - word.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let (head, number) = word.split_at(word.len() - digits);
        // Long digit strings: the last 18 digits decide how it ends.
        let n: u64 = number[number.len().saturating_sub(18)..]
            .parse()
            .unwrap_or(0);
        return if head.ends_with(|c: char| c.is_ascii_alphabetic()) {
            english_number(n)
        } else {
            korean_number(n)
        };
    }
    if last.is_ascii_alphabetic() {
        return latin(word);
    }
    Ending::Vowel
}

/// The final consonant of a Hangul syllable, if `c` is one.
fn hangul(c: char) -> Option<Ending> {
    let code = c as u32;
    if !(0xAC00..=0xD7A3).contains(&code) {
        return None;
    }
    Some(match (code - 0xAC00) % 28 {
        0 => Ending::Vowel,
        8 => Ending::Rieul,
        _ => Ending::Consonant,
    })
}

/// A number read in Sino-Korean: 영, 일 이 삼 사 오 육 칠 팔 구, and for
/// a number ending in zeros the last unit read: 십 백 천 만 억 (all end in
/// a consonant) or 조 (a vowel).
fn korean_number(n: u64) -> Ending {
    match n % 10 {
        1 | 7 | 8 => Ending::Rieul,                    // 일 칠 팔
        3 | 6 => Ending::Consonant,                    // 삼 육
        2 | 4 | 5 | 9 => Ending::Vowel,                // 이 사 오 구
        _ if n == 0 => Ending::Consonant,              // 영
        _ if trailing_zeros(n) >= 12 => Ending::Vowel, // 조
        _ => Ending::Consonant,                        // 십 백 천 만 억
    }
}

/// Digits after letters, read in English: one 원, seven 세븐, nine 나인,
/// eight 에잇, ten 텐, eleven 일레븐, the teens ...틴, the rest a vowel.
fn english_number(n: u64) -> Ending {
    if (10..=19).contains(&(n % 100)) {
        return if n % 100 == 12 {
            Ending::Vowel // twelve 트웰브
        } else {
            Ending::Consonant // ten, eleven, thir-teen ...
        };
    }
    match n % 10 {
        1 | 7 | 9 => Ending::Consonant, // 원 세븐 나인
        8 => Ending::Consonant,         // 에잇
        // zero 제로, two 투, three 쓰리, four 포, five 파이브, six 식스,
        // twenty ... 티, hundred 헌드레드, thousand 사우전드.
        _ => Ending::Vowel,
    }
}

/// A word ending in Latin letters: the last camel-case part, read as
/// letter names (one letter, or capitals) or as an English word.
fn latin(word: &str) -> Ending {
    let tail: String = word
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    // The last camel-case part: from the last capital that follows a
    // lower-case letter (ovPlain -> Plain, sockA -> A, DB -> DB).
    let bytes = tail.as_bytes();
    let mut start = 0;
    for i in 1..bytes.len() {
        if bytes[i].is_ascii_uppercase() && bytes[i - 1].is_ascii_lowercase() {
            start = i;
        }
    }
    let part = &tail[start..];
    let letters = part.len() == 1 || part.bytes().all(|b| b.is_ascii_uppercase());
    let last = part.as_bytes()[part.len() - 1].to_ascii_lowercase();
    if letters {
        return match last {
            b'l' | b'r' => Ending::Rieul,     // 엘 알
            b'm' | b'n' => Ending::Consonant, // 엠 엔
            _ => Ending::Vowel,               // 에이 비 씨 ... 지
        };
    }
    let lower = part.to_ascii_lowercase();
    if lower.ends_with("ng") {
        return Ending::Consonant; // 링
    }
    match last {
        b'l' => Ending::Rieul,                          // pool 풀
        b'm' | b'n' | b'k' | b'c' => Ending::Consonant, // 플레인, 삭, 맥
        b't' if lower.ends_with("et") || lower.ends_with("it") => Ending::Consonant, // 소켓
        _ => Ending::Vowel,                             // port 포트, db 디비, ...
    }
}

/// The number of trailing decimal zeros of `n > 0`.
fn trailing_zeros(mut n: u64) -> u32 {
    let mut z = 0;
    while n > 0 && n % 10 == 0 {
        n /= 10;
        z += 1;
    }
    z
}

#[cfg(test)]
mod tests {
    use super::Particle::*;
    use super::*;

    #[test]
    fn ids_take_the_particle_of_their_reading() {
        for (word, p, want) in [
            ("T1", EunNeun, "T1은"), // 티원
            ("T1", EuroRo, "T1으로"),
            ("T2", IGa, "T2가"), // 티투
            ("T3", EulReul, "T3를"),
            ("T7", EunNeun, "T7은"), // 티세븐
            ("T8", IGa, "T8이"),     // 티에잇
            ("T10", EunNeun, "T10은"),
            ("T12", EunNeun, "T12는"),
            ("T20", IGa, "T20가"),
            ("ov1", EunNeun, "ov1은"),
            ("ovPlain", EuroRo, "ovPlain으로"), // ...플레인
            ("ovA", EuroRo, "ovA로"),           // ...에이
            ("P", EunNeun, "P는"),              // 피
            ("M", EulReul, "M을"),              // 엠
            ("L", EuroRo, "L로"),               // 엘
            ("sockA", GwaWa, "sockA와"),
            ("sock", IGa, "sock이"), // 삭
            ("socket", EunNeun, "socket은"),
            ("db", EunNeun, "db는"), // 디비
            ("DB", EulReul, "DB를"),
            ("pool", EuroRo, "pool로"),
            ("Sleep(100)", EuroRo, "Sleep(100)으로"), // ...백: ㄱ
        ] {
            assert_eq!(with(word, p), want, "{word}");
        }
    }

    #[test]
    fn numbers_alone_are_read_in_sino_korean() {
        for (n, p, want) in [
            ("3", EuroRo, "3으로"),  // 삼
            ("1", EuroRo, "1로"),    // 일: ㄹ takes 로
            ("2", EunNeun, "2는"),   // 이
            ("6", IGa, "6이"),       // 육
            ("10", EulReul, "10을"), // 십
            ("0", IGa, "0이"),       // 영
            ("100", EuroRo, "100으로"),
            ("1000", GwaWa, "1000과"),
            ("15", EunNeun, "15는"), // 십오
            ("7", EuroRo, "7로"),    // 칠
        ] {
            assert_eq!(with(n, p), want, "{n}");
        }
    }

    #[test]
    fn hangul_ends_as_written() {
        assert_eq!(with("스레드", IGa), "스레드가");
        assert_eq!(with("포트", EuroRo), "포트로");
        assert_eq!(with("디바이스 리스트", EulReul), "디바이스 리스트를");
        assert_eq!(with("작업자1", EunNeun), "작업자1은");
        assert_eq!(with("큐", GwaWa), "큐와");
        assert_eq!(with("책상", EunNeun), "책상은");
        assert_eq!(with("서울", EuroRo), "서울로");
        assert_eq!(with("밥", EuroRo), "밥으로");
    }
}
