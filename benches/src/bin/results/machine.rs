//! The machine and the run: CPU, memory, kernel, toolchains, load.

use std::fmt::Write;
use std::fs;
use std::process::Command;

use benches::go_baseline::PROVENANCE;

use crate::format::cell;
use crate::go_here::GoRun;

/// This machine's CPU model and core count, as the page names it.
pub(crate) fn this_cpu() -> String {
    let cpu = read_first("/proc/cpuinfo", "model name").unwrap_or_else(|| "unknown".into());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!("{cpu}, {cores} cores (`nproc`)")
}

/// The CPU family a page's CPU row names, as a file name: `AMD EPYC` →
/// `amd-epyc`, `Intel(R) Xeon(R) Processor` → `intel-xeon`.
pub(crate) fn family(cpu: &str) -> String {
    let model = cpu.split(',').next().unwrap_or(cpu);
    let words: Vec<String> = model
        .replace("(R)", "")
        .replace("(TM)", "")
        .split_whitespace()
        .take(2)
        .map(str::to_lowercase)
        .collect();
    words.join("-")
}

/// The CPU a page was made on: the one its run recorded, else this machine's.
pub(crate) fn cpu_of(run_info: &str) -> String {
    run_info
        .lines()
        .find_map(|line| line.strip_prefix("CPU: "))
        .map_or_else(this_cpu, str::to_owned)
}

fn read_first(path: &str, key: &str) -> Option<String> {
    fs::read_to_string(path)
        .ok()?
        .lines()
        .find(|line| line.starts_with(key))
        .and_then(|line| line.split_once(':'))
        .map(|(_, value)| value.trim().to_owned())
}

fn command_output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

pub(crate) fn machine(md: &mut String, run_info: &str, go_runs: &[GoRun]) {
    md.push_str("### Machine and run\n\n| | |\n|---|---|\n");
    // A page re-rendered from an older one (`--from-page`) keeps the machine
    // it recorded, rather than describing the one it is re-rendered on.
    let recorded = |key: &str| run_info.lines().any(|l| l.starts_with(&format!("{key}: ")));
    if !recorded("CPU") {
        let _ = writeln!(md, "| CPU | {} |", this_cpu());
    }
    if !recorded("Memory")
        && let Some(mem) = read_first("/proc/meminfo", "MemTotal")
    {
        let _ = writeln!(md, "| Memory | {mem} |");
    }
    if !recorded("Kernel")
        && let Ok(kernel) = fs::read_to_string("/proc/sys/kernel/osrelease")
    {
        let _ = writeln!(md, "| Kernel | Linux {} |", kernel.trim());
    }
    if !run_info.contains("rustc:")
        && let Some(rustc) = command_output("rustc", &["--version"])
    {
        let _ = writeln!(md, "| rustc | {rustc} |");
    }
    for line in run_info.lines() {
        if let Some((key, value)) = line.split_once(": ") {
            let _ = writeln!(md, "| {key} | {} |", cell(value));
        }
    }
    for go in go_runs {
        let _ = writeln!(
            md,
            "| {} (this machine) | {} |",
            go.label,
            cell(&go.header.join("; "))
        );
    }
    let _ = writeln!(md, "| Go reference figures | {} |\n", cell(PROVENANCE));
}

#[cfg(test)]
mod tests {
    use super::family;

    #[test]
    fn a_cpu_family_is_its_first_two_words() {
        assert_eq!(family("AMD EPYC, 2 cores (`nproc`)"), "amd-epyc");
        assert_eq!(
            family("Intel(R) Xeon(R) Processor, 2 cores (`nproc`)"),
            "intel-xeon"
        );
    }
}
