//! `hive corpus ...`: the verifier's corpus runners. Each prints one line per disagreement,
//! its notes, and ends with `total=N agree=A false_accept=F false_reject=R skipped=S`; exit
//! status 0 when every compared case agrees, 1 otherwise.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, anyhow};
use clap::Subcommand;
use hive_corpus::kernel_verifier::{self, Overrides};
use hive_corpus::tally::Tally;
use hive_corpus::{prevail, samples};

#[derive(Debug, Subcommand)]
pub enum CorpusCommand {
    /// The kernel's old verifier selftests (verifier_old_json/*.json) on Hive's verifier.
    KernelVerifier {
        /// The folder of JSON tests.
        dir: PathBuf,
        /// The unprivileged pass (result_unpriv; socket filter and cgroup skb only).
        #[arg(long)]
        unprivileged: bool,
        /// Print the counts, disagreements and log misses as JSON instead.
        #[arg(long)]
        json: bool,
        /// Only tests whose `file:descr` contains this.
        #[arg(long)]
        filter: Option<String>,
        /// Also print Hive's log under each disagreement.
        #[arg(short, long)]
        verbose: bool,
        /// Ignore the committed host-kernel overrides (compare with the 6.12 JSON alone).
        #[arg(long)]
        no_overrides: bool,
    },
    /// PREVAIL's YAML test cases (test-data/*.yaml): PREVAIL accepts iff it reports no error.
    Prevail {
        /// The folder of YAML files.
        dir: PathBuf,
        /// Print the counts and disagreements as JSON instead.
        #[arg(long)]
        json: bool,
        /// Only cases whose `file:test-case` contains this.
        #[arg(long)]
        filter: Option<String>,
        /// Also print the translated program under each disagreement.
        #[arg(short, long)]
        verbose: bool,
    },
    /// The ebpf-samples objects: every program of linux, new_linux, ovs, suricata, falco and
    /// prototype-kernel must be accepted, the known-unsafe build/ objects rejected.
    Samples {
        /// The ebpf-samples folder.
        dir: PathBuf,
        /// Print the counts and disagreements as JSON instead.
        #[arg(long)]
        json: bool,
        /// Only objects whose path contains this.
        #[arg(long)]
        filter: Option<String>,
    },
}

pub fn run(cmd: &CorpusCommand) -> Result<ExitCode> {
    match cmd {
        CorpusCommand::KernelVerifier { dir, unprivileged, json, filter, verbose, no_overrides } => {
            let opts = kernel_verifier::Options {
                unprivileged: *unprivileged,
                filter: filter.clone(),
                overrides: (!no_overrides).then(Overrides::committed),
            };
            let report = kernel_verifier::run_dir(dir, &opts).map_err(|e| anyhow!(e))?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&report.json())?);
            } else {
                for (d, (name, log)) in report.tally.disagreements.iter().zip(&report.logs) {
                    println!("{}", d.line());
                    if *verbose {
                        debug_assert_eq!(&d.case, name);
                        for l in log.lines() {
                            println!("    {l}");
                        }
                    }
                }
                for m in &report.log_misses {
                    println!("{m}");
                }
                finish_text(&report.tally, &[report.log_line()]);
            }
            Ok(status(&report.tally))
        }
        CorpusCommand::Prevail { dir, json, filter, verbose } => {
            let report = prevail::run_dir(dir, filter.as_deref()).map_err(|e| anyhow!(e))?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&report.json())?);
            } else {
                for (d, program) in report.tally.disagreements.iter().zip(&report.programs) {
                    println!("{}", d.line());
                    if *verbose {
                        for l in program.lines() {
                            println!("    {l}");
                        }
                    }
                }
                finish_text(&report.tally, &report.notes());
            }
            Ok(status(&report.tally))
        }
        CorpusCommand::Samples { dir, json, filter } => {
            let report = samples::run_dir(dir, filter.as_deref()).map_err(|e| anyhow!(e))?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&report.json())?);
            } else {
                for d in &report.tally.disagreements {
                    println!("{}", d.line());
                }
                finish_text(&report.tally, &report.notes());
            }
            Ok(status(&report.tally))
        }
    }
}

/// The skip reasons, the notes, then the total line, last.
fn finish_text(tally: &Tally, notes: &[String]) {
    for l in tally.skip_lines() {
        println!("{l}");
    }
    for n in notes {
        println!("{n}");
    }
    println!("{}", tally.line());
}

fn status(tally: &Tally) -> ExitCode {
    if tally.all_agree() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
