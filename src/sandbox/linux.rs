//! The Linux sandbox: Landlock for writes, seccomp for the network, each applied by its crate's
//! safe call to the calling thread (and so to the program it `exec`s next).
//!
//! Must not fail loudly: each layer reports what it obtained as a [`Layer`], and the caller
//! decides whether that is enough. Reading is never restricted: only Landlock's write rights
//! are handled, so every read stays open.

use std::collections::BTreeMap;

use landlock::{
    ABI, AccessFs, LandlockStatus, Ruleset, RulesetAttr as _, RulesetCreatedAttr as _,
    RulesetStatus, path_beneath_rules,
};
use nix::libc;
use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule, TargetArch,
};

use super::{Enforcement, Layer, Rules};

/// The Landlock ABI whose write rights hone asks for. ABI 2 added renames and links across
/// directories (`Refer`; before it they are always refused), ABI 3 `truncate(2)` (before it a
/// file anywhere can be emptied). Later ABIs restrict more than writes (device ioctls, TCP
/// ports, signals), which the modes do not need; asking for them would only make older kernels
/// read as partial.
const TARGET: ABI = ABI::V3;

/// Applies `rules` to the calling thread: Landlock when writes are restricted, then seccomp
/// when the network is denied (Landlock first: its `restrict_self` sets `no_new_privs`, which
/// the seccomp filter needs without `CAP_SYS_ADMIN`).
pub(super) fn restrict(rules: &Rules) -> Enforcement {
    let files = if rules.restricts_files() {
        landlock(rules)
    } else {
        Layer::NotNeeded
    };
    let network = if rules.denies_network() {
        seccomp()
    } else {
        Layer::NotNeeded
    };
    Enforcement { files, network }
}

fn landlock(rules: &Rules) -> Layer {
    let access = AccessFs::from_write(TARGET);
    let status = Ruleset::default()
        .handle_access(access)
        .and_then(|r| r.create())
        .and_then(|r| r.add_rules(path_beneath_rules(&rules.writable, access)))
        .and_then(|r| r.restrict_self());
    let status = match status {
        Ok(s) => s,
        Err(e) => {
            return Layer::Missing {
                why: format!("Landlock refused the rules: {e}"),
            };
        }
    };
    let by = match status.landlock {
        LandlockStatus::Available {
            effective_abi,
            kernel_abi,
        } => format!(
            "Landlock ABI {}",
            kernel_abi.map_or(effective_abi.to_string(), |k| k.to_string())
        ),
        LandlockStatus::NotEnabled | LandlockStatus::NotImplemented => "Landlock".to_string(),
    };
    match status.ruleset {
        RulesetStatus::FullyEnforced => Layer::Full { by },
        RulesetStatus::PartiallyEnforced => Layer::Partial {
            gap: gap(&status.landlock),
            by,
        },
        RulesetStatus::NotEnforced => Layer::Missing {
            why: match status.landlock {
                LandlockStatus::NotEnabled => {
                    "this kernel has Landlock but it is not enabled (add `landlock` to the \
                     `lsm=` boot parameter)"
                        .to_string()
                }
                LandlockStatus::NotImplemented => {
                    "this kernel has no Landlock (Linux 5.13 or later has it)".to_string()
                }
                LandlockStatus::Available { .. } => "Landlock did not enforce the rules".into(),
            },
        },
    }
}

/// What an older Landlock ABI lets through.
fn gap(status: &LandlockStatus) -> String {
    match status {
        LandlockStatus::Available {
            effective_abi: ABI::V1,
            ..
        } => "Landlock ABI 1: files outside the writable paths can still be truncated, and no \
              file can be moved or linked between directories"
            .into(),
        LandlockStatus::Available { effective_abi, .. } => format!(
            "Landlock ABI {effective_abi}: files outside the writable paths can still be truncated"
        ),
        LandlockStatus::NotEnabled | LandlockStatus::NotImplemented => {
            "Landlock is not fully available".into()
        }
    }
}

fn seccomp() -> Layer {
    match network_filter().and_then(|bpf| seccompiler::apply_filter(&bpf)) {
        Ok(()) => Layer::Full {
            by: "seccomp".into(),
        },
        Err(e) => Layer::Missing {
            why: format!("the seccomp network filter could not be applied: {e}"),
        },
    }
}

/// x32 system calls reach the same kernel functions under their own numbers (this bit set), and
/// pass an x86-64 filter's architecture check: they are filtered by number too.
const X32: i64 = 0x4000_0000;

/// The network filter: `socket(2)` of any family but `AF_UNIX` fails with `EPERM`, and so does
/// io_uring, which can open sockets without `socket(2)`. Everything else is allowed. Another
/// architecture's system calls (an i386 program's `socketcall`) kill the process: seccompiler's
/// architecture check.
fn network_filter() -> Result<BpfProgram, seccompiler::Error> {
    let arch = TargetArch::try_from(std::env::consts::ARCH)?;
    let not_unix = SeccompRule::new(vec![SeccompCondition::new(
        0,
        SeccompCmpArgLen::Dword,
        SeccompCmpOp::Ne,
        libc::AF_UNIX as u64,
    )?])?;
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> = BTreeMap::new();
    let io_uring = [
        libc::SYS_io_uring_setup,
        libc::SYS_io_uring_enter,
        libc::SYS_io_uring_register,
    ];
    let mut numbers = vec![libc::SYS_socket];
    if arch == TargetArch::x86_64 {
        numbers.push(X32 | libc::SYS_socket);
    }
    for nr in numbers {
        rules.insert(nr, vec![not_unix.clone()]);
    }
    for nr in io_uring {
        rules.insert(nr, Vec::new());
        if arch == TargetArch::x86_64 {
            rules.insert(X32 | nr, Vec::new());
        }
    }
    SeccompFilter::new(
        rules,
        SeccompAction::Allow,
        SeccompAction::Errno(libc::EPERM as u32),
        arch,
    )?
    .try_into()
    .map_err(seccompiler::Error::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_network_filter_builds_for_this_architecture() {
        let bpf = network_filter().unwrap();
        assert!(!bpf.is_empty());
    }
}
