//! The Landlock ruleset for a check, built in the gate (opening each root) and enforced in the check's process
//! just before `exec` (see [`super::supervise`]).

use std::io;

use landlock::{
    ABI, Access, AccessFs, AccessNet, CompatLevel, Compatible, Ruleset, RulesetAttr,
    RulesetCreated, RulesetCreatedAttr, Scope, path_beneath_rules,
};

use super::roots::Roots;

/// The kernel's Landlock ABI version, 0 when unsupported.
pub(super) fn abi_version() -> u8 {
    const LANDLOCK_CREATE_RULESET_VERSION: libc::c_uint = 1;
    // SAFETY: with a null attribute pointer and size 0 this syscall only returns the ABI version (or -1).
    let v = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<libc::c_void>(),
            0usize,
            LANDLOCK_CREATE_RULESET_VERSION,
        )
    };
    u8::try_from(v).unwrap_or(0)
}

/// Builds the ruleset: every filesystem right handled, reads granted on `roots.read`, everything on
/// `roots.write`; all TCP binds and connects denied when `deny_tcp`; signals and abstract unix sockets scoped to
/// the sandbox where the ABI has scopes (6+). Not yet enforced: that happens in the check's process.
pub(super) fn ruleset(abi: u8, roots: &Roots, deny_tcp: bool) -> io::Result<RulesetCreated> {
    let abi = ABI::from(i32::from(abi));
    let err = |e: landlock::RulesetError| io::Error::other(format!("landlock: {e}"));
    // Filesystem rules are required (HardRequirement); the newer extras degrade on older kernels.
    let mut ruleset = Ruleset::default()
        .set_compatibility(CompatLevel::HardRequirement)
        .handle_access(AccessFs::from_all(abi))
        .map_err(err)?
        .set_compatibility(CompatLevel::BestEffort);
    if deny_tcp {
        ruleset = ruleset
            .handle_access(AccessNet::BindTcp | AccessNet::ConnectTcp)
            .map_err(err)?;
    }
    ruleset = ruleset
        .scope(Scope::AbstractUnixSocket | Scope::Signal)
        .map_err(err)?;
    ruleset
        .create()
        .map_err(err)?
        .add_rules(path_beneath_rules(&roots.read, AccessFs::from_read(abi)))
        .map_err(err)?
        .add_rules(path_beneath_rules(&roots.write, AccessFs::from_all(abi)))
        .map_err(err)
}
