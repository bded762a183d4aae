//! The command's modules follow one shape (src/cli/mod.rs): one module per
//! subcommand, named after it, with `pub struct Args` and
//! `pub fn main(args: Args) -> ExitCode`, which `cli::main` calls.

use crate::util::repo;

#[test]
fn every_subcommand_module_has_args_and_main_and_is_dispatched() {
    let dir = repo("src/cli");
    let root = std::fs::read_to_string(dir.join("mod.rs")).expect("src/cli/mod.rs");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("src/cli")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .filter(|n| n != "mod")
        .collect();
    names.sort();
    assert!(names.len() >= 11, "{names:?}");
    let mut wrong = Vec::new();
    for name in &names {
        let text = std::fs::read_to_string(dir.join(format!("{name}.rs"))).unwrap();
        if !text.contains("\npub struct Args {") {
            wrong.push(format!("{name}.rs: no `pub struct Args`"));
        }
        if !text.contains("\npub fn main(args: Args) -> ExitCode {")
            && !text.contains("\npub fn main(_args: Args) -> ExitCode {")
        {
            wrong.push(format!(
                "{name}.rs: no `pub fn main(args: Args) -> ExitCode`"
            ));
        }
        let variant = name[..1].to_uppercase() + &name[1..];
        if !root.contains(&format!("    {variant}({name}::Args),")) {
            wrong.push(format!("mod.rs: no `{variant}({name}::Args)` subcommand"));
        }
        if !root.contains(&format!("Command::{variant}(args) => {name}::main(args),")) {
            wrong.push(format!("mod.rs: `{variant}` does not call `{name}::main`"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
