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

/// A second handle on `ruleset` and the read rights, for the check's pid 1 to grant its fresh `/proc` (mounted
/// after the ruleset was built, so no rule covers it yet: Landlock does not look through to the mount point).
pub(super) fn proc_grant(
    ruleset: &RulesetCreated,
    abi: u8,
) -> io::Result<Option<(std::os::fd::OwnedFd, u64)>> {
    let abi = ABI::from(i32::from(abi));
    let fd: Option<std::os::fd::OwnedFd> = ruleset.try_clone()?.into();
    Ok(fd.map(|fd| (fd, AccessFs::from_read(abi).bits())))
}

/// `landlock_add_rule(ruleset, LANDLOCK_RULE_PATH_BENEATH, {access, path})` with raw system calls only: it runs
/// between fork and exec.
pub(super) fn add_path_rule(ruleset: libc::c_int, path: &std::ffi::CStr, access: u64) -> bool {
    #[repr(C, packed)]
    struct PathBeneath {
        allowed_access: u64,
        parent_fd: i32,
    }
    const LANDLOCK_RULE_PATH_BENEATH: libc::c_int = 1;
    // SAFETY: open/syscall/close with a NUL-terminated path and an attribute owned by this frame.
    unsafe {
        let fd = libc::open(path.as_ptr(), libc::O_PATH | libc::O_CLOEXEC);
        if fd < 0 {
            return false;
        }
        let attr = PathBeneath {
            allowed_access: access,
            parent_fd: fd,
        };
        let rc = libc::syscall(
            libc::SYS_landlock_add_rule,
            ruleset,
            LANDLOCK_RULE_PATH_BENEATH,
            &attr as *const PathBeneath,
            0u32,
        );
        libc::close(fd);
        rc == 0
    }
}
