//! `seam completions SHELL` and `seam man`: shell completion scripts and man
//! pages, both generated from the command line's own definition (clap), so
//! they always list the flags this binary has.

use crate::{exit, failure::input, CliError, Outcome};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

#[derive(clap::Args)]
pub struct ManArgs {
    /// Write `seam.1` and a page per subcommand (`seam-mock.1`, ...) into
    /// DIR instead of printing `seam.1`.
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

/// Prints the completion script for `args.shell` to stdout.
pub fn completions(args: CompletionsArgs, mut command: clap::Command) -> Result<Outcome, CliError> {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut command, "seam", &mut out);
    print(&out)
}

/// Writes to stdout; a reader that stops early (`| head`) is not an error.
fn print(bytes: &[u8]) -> Result<Outcome, CliError> {
    use std::io::Write;
    match std::io::stdout().write_all(bytes) {
        Ok(()) => Ok(exit::OK),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(exit::OK),
        Err(e) => Err(input(format!("cannot write to stdout: {e}"))),
    }
}

/// Prints `seam.1`, or writes every page into `--dir`.
pub fn man(args: ManArgs, mut command: clap::Command) -> Result<Outcome, CliError> {
    // built, the command has what the parser adds: the `help` subcommands
    // the pages list
    command.build();
    let Some(dir) = args.dir else {
        let mut out = Vec::new();
        render(&command, &mut out)?;
        return print(&out);
    };
    std::fs::create_dir_all(&dir)
        .map_err(|e| input(format!("cannot create {}: {e}", dir.display())))?;
    let mut written = 0;
    let mut pages = vec![(String::from("seam"), command.clone())];
    add_pages(&command, "seam", "seam", &mut pages);
    for (name, page) in pages {
        let mut out = Vec::new();
        render(&page, &mut out)?;
        let path = dir.join(format!("{name}.1"));
        std::fs::write(&path, out)
            .map_err(|e| input(format!("cannot write {}: {e}", path.display())))?;
        written += 1;
    }
    println!("wrote {written} man pages to {}", dir.display());
    Ok(exit::OK)
}

/// A page for each subcommand of `command`, at every depth, named as
/// `man` looks it up: seam-pact-verify(1) for `seam pact verify`.
fn add_pages(
    command: &clap::Command,
    name: &str,
    usage: &str,
    pages: &mut Vec<(String, clap::Command)>,
) {
    for sub in command.get_subcommands() {
        let sub_name = format!("{name}-{}", sub.get_name());
        let sub_usage = format!("{usage} {}", sub.get_name());
        pages.push((
            sub_name.clone(),
            sub.clone()
                .name(sub_name.clone())
                .bin_name(sub_usage.clone()),
        ));
        // `help` repeats the tree below it: its own page is enough
        if sub.get_name() != "help" {
            add_pages(sub, &sub_name, &sub_usage, pages);
        }
    }
}

fn render(command: &clap::Command, out: &mut Vec<u8>) -> Result<(), CliError> {
    clap_mangen::Man::new(command.clone())
        .render(out)
        .map_err(|e| input(format!("cannot render the man page: {e}")))
}
