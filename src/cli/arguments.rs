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
    #[command(
        after_help = "Examples:\n  deploycheck run production\n  deploycheck run prod --answers rehearsal.yaml --operator release-bot\n  deploycheck run staging -c checklists/mail-score.md --resume\n  deploycheck run production --answers ci.yaml --run-checks --dry-run\n\nAt a terminal: Left/Right and Home/End edit, Ctrl-W deletes a word, Up/Down recall\nearlier answers, Tab completes; `?` lists the answers. Ctrl-D or `quit` stops (saved,\nresumable); Ctrl-C does the same and exits 130. At an item with a check, `r` runs its\ncommand (Ctrl-C stops the check, not the run) and Enter records what it proposes.\nNothing a checklist says is run unless you type `r` or give --run-checks."
    )]
    Run {
        /// The environment to walk (production, staging, or an alias such as prod), in any case
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
        /// Run each open item's check as the walk reaches it; a passing check answers its
        /// item, a failing one stops to ask (without it, checks run only when `r` is typed)
        #[arg(long)]
        run_checks: bool,
        /// List the checks --run-checks would run, in order, with the environment variables
        /// they would get; run nothing and write nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Print a blank run sheet to walk on paper, in a pull request or in an email
    #[command(
        after_help = "Examples:\n  deploycheck sheet production\n  deploycheck sheet production --format html -o sheet.html"
    )]
    Sheet {
        /// Only the sections for this environment (all sections, labelled, without it)
        env: Option<String>,
        /// Checklist name in checklists/ or a path to a .md or .yaml file
        #[arg(short, long, value_name = "NAME|PATH")]
        checklist: Option<String>,
        /// The sheet's format: Markdown (pull requests), plain text, or HTML to print
        #[arg(long, value_enum, default_value_t = SheetFormatArg::Markdown)]
        format: SheetFormatArg,
        /// Write the sheet to this file instead of stdout
        #[arg(short, long, value_name = "FILE")]
        output: Option<std::path::PathBuf>,
    },
    /// Summarise one run record: verdict, fields, and everything not simply done
    #[command(
        after_help = "Examples:\n  deploycheck report runs/mail-score-production-20261123T220000Z/record.yaml\n  deploycheck report runs/RUN/record.yaml --format junit > deploy.xml"
    )]
    Report {
        /// A run: its folder under runs/, or the record.yaml inside it; sign-offs added
        /// since are shown with it
        #[arg(value_name = "RUN")]
        record: std::path::PathBuf,
        /// table for a person, markdown for a pull request, json or junit for CI
        #[arg(long, value_enum, default_value_t = ReportFormatArg::Table)]
        format: ReportFormatArg,
    },
    /// Compare two run records item by item (exit 1 when they differ)
    #[command(
        after_help = "Example:\n  deploycheck diff runs/staging-run/record.yaml runs/production-run/record.yaml"
    )]
    Diff {
        /// The first run (its folder or record.yaml), usually the earlier one
        #[arg(value_name = "A")]
        a: std::path::PathBuf,
        /// The second run (its folder or record.yaml), compared against A
        #[arg(value_name = "B")]
        b: std::path::PathBuf,
        /// table for a person, markdown for a pull request, json for scripts
        #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
        format: DiffFormat,
        /// Also compare operators, hosts and times
        #[arg(long)]
        all: bool,
    },
    /// Check a run's record, addenda and SSH signatures (exit 1 when anything fails)
    #[command(
        after_help = "Example:\n  deploycheck verify runs/mail-score-production-20261123T220000Z --allowed-signers allowed_signers\n\nThe same check with plain OpenSSH, for one sign-off addendum:\n  sha256sum runs/RUN/record.yaml          # equals the addendum's record_sha256\n  ssh-keygen -Y verify -f allowed_signers -I dana@example.com -n deploycheck \\\n    -s runs/RUN/ADDENDUM.yaml.sig < runs/RUN/ADDENDUM.yaml"
    )]
    Verify {
        /// A run: its folder under runs/, or the record.yaml inside it
        #[arg(value_name = "RUN")]
        record: std::path::PathBuf,
        /// OpenSSH allowed_signers file that says whose keys count
        #[arg(long, value_name = "FILE")]
        allowed_signers: Option<std::path::PathBuf>,
    },
    /// A role's sign-off after the run, written as a new file in the run folder
    #[command(
        alias = "sign",
        after_help = "Examples:\n  deploycheck signoff runs/mail-score-production-20261123T220000Z --role \"Security Team\"\n  deploycheck signoff runs/RUN --role \"Security Team\" --key ~/.ssh/id_ed25519\n  deploycheck signoff runs/RUN --role \"Security Team\" --refuse \"pen test still open\"\n  deploycheck signoff runs/RUN --role \"Security Team\" --name dana@example.com --yes\n\nShows the run's summary, asks the role's owner to confirm each of its statements (y, or\nrefuse REASON), and writes signoff-<role>-<UTC time>.yaml beside the record, which is never\nrewritten. With --key, also <file>.sig: an SSH signature (namespace deploycheck) over the\nfile's exact bytes. Anyone can check it with plain OpenSSH:\n  sha256sum runs/RUN/record.yaml          # equals the addendum's record_sha256\n  ssh-keygen -Y verify -f allowed_signers -I dana@example.com -n deploycheck \\\n    -s runs/RUN/signoff-security-team-20261124T091500Z.yaml.sig < runs/RUN/signoff-security-team-20261124T091500Z.yaml\n\nExit code: 0 when the run is GO now (awaiting other sign-offs or not), 1 when it is not,\n2 when the sign-off is refused as asked (unknown role, unfinished run, already given)."
    )]
    Signoff {
        /// The run: its folder under runs/, or the record.yaml inside it
        #[arg(value_name = "RUN")]
        run: std::path::PathBuf,
        /// The sign-off role, as the checklist names it (e.g. "Security Team")
        #[arg(long)]
        role: String,
        /// OpenSSH private key (ed25519, ECDSA or RSA) to sign the addendum with; asks for
        /// its passphrase if it has one (or reads DEPLOYCHECK_KEY_PASSPHRASE)
        #[arg(long, value_name = "FILE")]
        key: Option<std::path::PathBuf>,
        /// Refuse the sign-off, saying why (the run becomes NO-GO)
        #[arg(long, value_name = "REASON")]
        refuse: Option<String>,
        /// Who signs (default: the key's comment, else asked); with --key, the identity an
        /// allowed_signers file lists, such as dana@example.com
        #[arg(long, alias = "signer", value_name = "NAME")]
        name: Option<String>,
        /// Confirm every statement without asking (for scripts); needs a name
        #[arg(long)]
        yes: bool,
    },
    /// Runs over time: the runs table, the items that fail most, time per phase
    #[command(
        after_help = "Examples:\n  deploycheck history\n  deploycheck history --item response-time-200ms-p95\n  deploycheck history runs/ ../other-team/runs --env production --last 50\n  deploycheck history --format html -o history.html\n\nEvery run folder under the folders is read (default: the project's records folder, runs/).\nAn index in <folder>/.index/ remembers what was read; it is rebuilt from the records\nwhenever they change, ignored by git, and safe to delete."
    )]
    History {
        /// Folders holding run folders (default: the project's records folder)
        #[arg(value_name = "DIR")]
        dirs: Vec<PathBuf>,
        /// One item's outcomes and measured values across runs: its ID, or the end of it
        #[arg(long, value_name = "ID")]
        item: Option<String>,
        /// Only runs in this environment
        #[arg(long, value_name = "ENV")]
        env: Option<String>,
        /// Only the newest N runs
        #[arg(long, value_name = "N")]
        last: Option<usize>,
        /// table for a person, json or csv for scripts and spreadsheets, html for a page with charts
        #[arg(long, value_enum, default_value_t = HistoryFormatArg::Table)]
        format: HistoryFormatArg,
        /// Write to this file instead of stdout
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Print the parsed checklist: an outline, or the tree as JSON or YAML
    #[command(
        after_help = "Examples:\n  deploycheck show production --ids\n  deploycheck show -c checklists/mail-score.md --format json"
    )]
    Show {
        /// Keep only the sections that apply to this environment
        env: Option<String>,
        /// Checklist name in checklists/ or a path to a .md or .yaml file
        #[arg(short, long, value_name = "NAME|PATH")]
        checklist: Option<String>,
        /// tree: an outline for a person; json or yaml: the parsed tree for programs
        #[arg(long, value_enum, default_value_t = ShowFormat::Tree)]
        format: ShowFormat,
        /// Show each item's ID in the outline (the keys of answers files and records)
        #[arg(long)]
        ids: bool,
    },
    /// List the checklists found, their environments and item counts
    #[command(after_help = "Example:\n  deploycheck list --format json")]
    List {
        /// table for a person, json for scripts
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Parse and lint checklists (all of checklists/ when no file is named)
    #[command(
        after_help = "Examples:\n  deploycheck validate\n  deploycheck validate checklists/mail-score.md --format json"
    )]
    Validate {
        /// Checklist files (.md, .yaml, .yml); all of checklists/ when none is named
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
        /// text for a person (FILE:LINE: ...), json for editors and CI
        #[arg(long, value_enum, default_value_t = ValidateFormat::Text)]
        format: ValidateFormat,
        /// Also warn about doubtful inferences (a role taken from a heading, a threshold
        /// without a unit, ...), each with its line, so an author can confirm or override them
        #[arg(long)]
        strict: bool,
    },
    /// Print the JSON Schema of the YAML checklist format, for editors
    #[command(after_help = "Example:\n  deploycheck schema > deploycheck.schema.json")]
    Schema,
    /// Print a shell completion script
    #[command(
        after_help = "Example:\n  deploycheck completions bash > /etc/bash_completion.d/deploycheck"
    )]
    Completions {
        /// The shell to complete in
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// List follow-ups due or overdue across runs (exit 1 when any is overdue)
    #[command(
        after_help = "Examples:\n  deploycheck due\n  deploycheck due runs/ --format json\n\nA follow-up is an item of a time window (First Week, T+2h) that a run handed over to be\nanswered later; answer them with `deploycheck followup RUN`. In cron or CI, exit 1 says\nthat something is overdue, and exit 2 that a run did not read, so its follow-ups are not\nknown."
    )]
    Due {
        /// Folders holding run folders, or run folders (default: the project's records folder)
        #[arg(value_name = "DIR")]
        dirs: Vec<PathBuf>,
        /// table for a person, json for scripts
        #[arg(long, value_enum, default_value_t = DueFormat::Table)]
        format: DueFormat,
    },
    /// Answer a finished run's open follow-ups, as an addendum beside its record
    #[command(
        after_help = "Examples:\n  deploycheck followup runs/enterprise-production-20261123T220000Z\n  deploycheck followup runs/RUN --answers week-one.yaml --operator lee\n\nOnly the run's open follow-ups are asked. The answers are journaled as they are given, in\nfollowup-<UTC time>-<operator>.jsonl, and land in followup-<UTC time>-<operator>.yaml when\nthe walk ends; the run's record is never rewritten. `deploycheck run ENV --resume` does\nthe same for the latest run of that environment when it has follow-ups open."
    )]
    Followup {
        /// The run: its folder under runs/, or its record.yaml
        #[arg(value_name = "RUN")]
        run: PathBuf,
        /// Take answers from a YAML file (the same format as for `run`); the rest is asked
        #[arg(long, value_name = "FILE")]
        answers: Option<PathBuf>,
        /// Who answers them (default: DEPLOYCHECK_OPERATOR, git user.name, then $USER)
        #[arg(long, value_name = "NAME")]
        operator: Option<String>,
    },
    /// Print the man page (roff), made from the same definitions as --help
    #[command(
        after_help = "Example:\n  deploycheck man | man -l -\n  deploycheck man > /usr/local/share/man/man1/deploycheck.1"
    )]
    Man,
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
pub enum DueFormat {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ValidateFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HistoryFormatArg {
    Table,
    Json,
    Csv,
    Html,
}
