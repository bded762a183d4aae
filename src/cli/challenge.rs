//! `iocp-sim challenge FILE`: play a challenge in the terminal player, or
//! (`--solve`) print the explorer's shortest answer and compare it with
//! the one the file gives.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{LangArg, EXIT_BAD_INPUT, EXIT_FAILED};
use crate::challenge;
use crate::explore::free::Shortest;
use crate::lesson::Lesson;
use crate::narrate::{self, Lang};
use crate::views::player::{self, Player};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The challenge file (format iocp-sim-challenge/1).
    file: PathBuf,
    /// Language of the texts, the narration and the labels.
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    lang: LangArg,
    /// Print the explorer's shortest answer instead of playing; exit 1 if
    /// its length differs from the file's `shortest`.
    #[arg(long)]
    solve: bool,
}

/// Runs `iocp-sim challenge`.
pub fn main(args: Args) -> ExitCode {
    let lang: Lang = args.lang.into();
    let ch = match challenge::load(&args.file) {
        Ok(c) => c,
        Err(e) => {
            super::print_scenario_error(&e);
            return ExitCode::from(EXIT_BAD_INPUT);
        }
    };
    if !args.solve {
        let mut p = Player::challenge(ch, lang);
        return match player::run(&mut p) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(EXIT_BAD_INPUT)
            }
        };
    }
    println!("{}", ch.title.get(lang));
    println!(
        "goal: {}   budget: {}   flavour: {}",
        ch.goal,
        ch.budget,
        ch.flavor.as_str()
    );
    let answer = crate::lesson::solve(&ch);
    let found = match &answer {
        Shortest::Already => Some(0),
        Shortest::Found(path) => {
            // Played on the lesson, so each move is worded at its state.
            let mut lesson = Lesson::challenge(ch.clone());
            for (i, mv) in path.iter().enumerate() {
                let at = lesson.start() + i;
                let k = lesson.state(at);
                let words = match lesson.try_move(at, *mv) {
                    Ok(a) => narrate::lesson_move(mv, &a, &k, lesson.names(), lang),
                    Err(r) => narrate::refusal(&r, lesson.names(), lang),
                };
                println!("  {}. {words}", i + 1);
                if lesson.play(at, *mv).is_err() {
                    break;
                }
            }
            Some(path.len())
        }
        Shortest::NotWithin { depth, states } => {
            println!("  no way within {depth} moves ({states} states searched)");
            None
        }
        Shortest::TooMany { states } => {
            println!(
                "  no answer within the bound of {states} states: the shortest answer is unknown"
            );
            return ExitCode::from(EXIT_FAILED);
        }
    };
    let show = |n: Option<usize>| n.map_or("none".to_owned(), |n| n.to_string());
    println!(
        "explorer's shortest: {}   the file says: {}",
        show(found),
        show(ch.shortest)
    );
    if found == ch.shortest {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FAILED)
    }
}
