//! The command line as clap sees it. [`super::config`] turns it into typed commands.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "deploycheck",
    version,
    about = "Walk deployment checklists written in Markdown or YAML, and keep a verifiable record of every run",
    after_help = "Exit codes: 0 success or GO; 1 NO-GO, ROLLED BACK, INCOMPLETE, a failed verification or differences found;\n2 bad input or usage; 3 the machine failed, not the input (disk full, a folder that cannot be written);\n130 a run stopped by Ctrl-C (its record is saved and it resumes)."
)]
pub struct Arguments {
    #[command(subcommand)]
    pub command: CommandArgs,
}

#[derive(Debug, Subcommand)]
pub enum CommandArgs {
    /// Walk the checklist for an environment and write a run record
    Run {
        /// The environment to walk (production, staging, or an alias such as prod)
        env: String,
        /// Checklist name in checklists/ or a path to a .md or .yaml file
        #[arg(short, long, value_name = "NAME|PATH")]
        checklist: Option<String>,
        /// Take answers from a YAML file; whatever it leaves open is asked
        #[arg(long, value_name = "FILE")]
        answers: Option<std::path::PathBuf>,
        /// Who is running it (default: DEPLOYCHECK_OPERATOR, git user.name, then $USER)
        #[arg(long, value_name = "NAME")]
        operator: Option<String>,
        /// Resume the unfinished run of this checklist and environment
        #[arg(long, conflicts_with = "new")]
        resume: bool,
        /// Start a new run, abandoning an unfinished one
        #[arg(long)]
        new: bool,
    },
    /// Print a blank run sheet to walk on paper, in a pull request or in an email
    Sheet {
        /// Only the sections for this environment (all sections, labelled, without it)
        env: Option<String>,
        /// Checklist name in checklists/ or a path to a .md or .yaml file
        #[arg(short, long, value_name = "NAME|PATH")]
        checklist: Option<String>,
        #[arg(long, value_enum, default_value_t = SheetFormatArg::Markdown)]
        format: SheetFormatArg,
        /// Write the sheet to this file instead of stdout
        #[arg(short, long, value_name = "FILE")]
        output: Option<std::path::PathBuf>,
    },
    /// Summarise one run record: verdict, fields, and everything not simply done
    Report {
        record: std::path::PathBuf,
        #[arg(long, value_enum, default_value_t = ReportFormatArg::Table)]
        format: ReportFormatArg,
    },
    /// Compare two run records item by item (exit 1 when they differ)
    Diff {
        a: std::path::PathBuf,
        b: std::path::PathBuf,
        #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
        format: DiffFormat,
        /// Also compare operators, hosts and times
        #[arg(long)]
        all: bool,
    },
    /// Check a record's digest and SSH signatures (exit 1 when anything fails)
    Verify {
        record: std::path::PathBuf,
        /// OpenSSH allowed_signers file that says whose keys count
        #[arg(long, value_name = "FILE")]
        allowed_signers: Option<std::path::PathBuf>,
    },
    /// Add a role's SSH signature over the record's digest
    Sign {
        record: std::path::PathBuf,
        /// OpenSSH private key (ed25519 or RSA); asks for the passphrase if it has one
        #[arg(long, value_name = "FILE")]
        key: std::path::PathBuf,
        /// One of the record's sign-off roles
        #[arg(long)]
        role: String,
        /// Who is signing (default: the key's comment)
        #[arg(long, value_name = "ID")]
        signer: Option<String>,
    },
    /// Print the parsed checklist: an outline, or the tree as JSON or YAML
    Show {
        /// Keep only the sections that apply to this environment
        env: Option<String>,
        /// Checklist name in checklists/ or a path to a .md or .yaml file
        #[arg(short, long, value_name = "NAME|PATH")]
        checklist: Option<String>,
        #[arg(long, value_enum, default_value_t = ShowFormat::Tree)]
        format: ShowFormat,
        /// Show each item's ID in the outline (the keys of answers files and records)
        #[arg(long)]
        ids: bool,
    },
    /// List the checklists found, their environments and item counts
    List {
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Parse and lint checklists (all of checklists/ when no file is named)
    Validate {
        files: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = ValidateFormat::Text)]
        format: ValidateFormat,
        /// Also warn about doubtful inferences (a role taken from a heading, a threshold
        /// without a unit, ...), each with its line, so an author can confirm or override them
        #[arg(long)]
        strict: bool,
    },
    /// Print the JSON Schema of the YAML checklist format, for editors
    Schema,
    /// Print a shell completion script
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    Tree,
    Json,
    Yaml,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SheetFormatArg {
    Markdown,
    Text,
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormatArg {
    Table,
    Markdown,
    Json,
    Junit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Table,
    Markdown,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ValidateFormat {
    Text,
    Json,
}
