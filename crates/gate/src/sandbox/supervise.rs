//! The supervisor: nothing a check starts outlives it.
//!
//! `spawn_supervised` forks the gate (through `Command::pre_exec`) into a **supervisor** that becomes a child
//! subreaper and forks again; the grandchild enters the sandbox and `exec`s the check. Every process the check
//! starts — `setsid`, `setpgrp` and double-fork children included — stays a descendant of the supervisor (orphans
//! are reparented to it, not to init). When the check's shell exits, or the gate sends `SIGTERM` (time limit), or
//! the gate's thread dies (`PR_SET_PDEATHSIG`), the supervisor SIGKILLs its children, reaps them, and repeats
//! until it has none, then exits with the check's status (`128 + signal` when it was killed).
//!
//! Everything between `fork` and `exec` runs in a copy of a multi-threaded process, so it uses raw system calls
//! only and allocates nothing: the data it needs (`ChildSetup`) is prepared before the fork.

use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command};

use landlock::RulesetCreated;

/// Exit status of a supervisor that was told to stop (time limit) or lost the gate.
pub(crate) const STOPPED_STATUS: i32 = 128 + libc::SIGKILL;

/// What the check's process does before `exec`, prepared in the gate.
pub(crate) struct ChildSetup {
    namespaces: Option<Namespaces>,
    ruleset: Option<RulesetCreated>,
}

/// New user + mount + PID (+ network) namespaces, entered before Landlock.
struct Namespaces {
    /// Also a new network namespace (loopback only).
    net: bool,
    uid_map: CString,
    gid_map: CString,
    /// Folders that stay writable; every other mount becomes read-only, which also stops `chmod`, `chown` and
    /// `touch` on files outside them (metadata changes that Landlock does not cover).
    writable: Vec<CString>,
    /// The check's working directory, entered again after the mounts: the one inherited still points into the
    /// mount that became read-only.
    cwd: CString,
    /// Folders covered by an empty read-only tmpfs (other programs' sockets: see `roots::hidden_dirs`), with the
    /// run's own folders inside them brought back on top.
    hide: Vec<Cover>,
    /// The folder bind-mounted over `/dev/shm` (empty: leave it).
    shm: CString,
    /// The Landlock ruleset (a second descriptor) and the read rights to grant on the fresh `/proc`.
    proc_grant: Option<(OwnedFd, u64)>,
}

/// One covered folder, every string prepared before the fork (nothing is allocated in the child).
struct Cover {
    dir: CString,
    keep: Vec<Keep>,
}

/// A root inside a covered folder: the mount points to make on the cover (each folder from the cover down to the
/// root), then the root's own mounts, cloned before the cover went on, moved back there.
struct Keep {
    path: CString,
    mkdirs: Vec<CString>,
}

impl Cover {
    fn of(h: &super::roots::Hidden) -> Option<Cover> {
        let c = |p: &std::path::Path| CString::new(p.as_os_str().as_bytes()).ok();
        let keep = h
            .keep
            .iter()
            .filter(|k| k.is_dir())
            .filter_map(|k| {
                let rel = k.strip_prefix(&h.dir).ok()?;
                let mut at = h.dir.clone();
                let mut mkdirs = Vec::new();
                for part in rel.components() {
                    at.push(part);
                    mkdirs.push(c(&at)?);
                }
                Some(Keep {
                    path: c(k)?,
                    mkdirs,
                })
            })
            .collect();
        Some(Cover {
            dir: c(&h.dir)?,
            keep,
        })
    }
}

impl ChildSetup {
    /// No namespaces; `ruleset` (if any) enforced before exec.
    pub(crate) fn new(ruleset: Option<RulesetCreated>) -> ChildSetup {
        ChildSetup {
            namespaces: None,
            ruleset,
        }
    }

    /// Adds user + mount namespaces (and a network namespace when `net`), keeping `writable` writable.
    pub(crate) fn with_namespaces(
        mut self,
        proc_grant: Option<(OwnedFd, u64)>,
        net: bool,
        writable: &[PathBuf],
        hide: &[super::roots::Hidden],
        shm: &std::path::Path,
        cwd: &std::path::Path,
    ) -> ChildSetup {
        let c = |p: &PathBuf| CString::new(p.as_os_str().as_bytes()).ok();
        // SAFETY: getuid/getgid cannot fail.
        let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
        // Map our own ids to themselves, so the check sees the same uid and file owners as without a namespace.
        self.namespaces = Some(Namespaces {
            net,
            uid_map: CString::new(format!("{uid} {uid} 1\n")).unwrap_or_default(),
            gid_map: CString::new(format!("{gid} {gid} 1\n")).unwrap_or_default(),
            writable: writable.iter().filter_map(c).collect(),
            cwd: CString::new(cwd.as_os_str().as_bytes()).unwrap_or_default(),
            hide: hide.iter().filter_map(Cover::of).collect(),
            shm: CString::new(shm.as_os_str().as_bytes()).unwrap_or_default(),
            proc_grant,
        });
        self
    }
}

/// Spawns `command` under a supervisor. The returned child is the supervisor.
pub(crate) fn spawn_supervised(mut command: Command, setup: ChildSetup) -> io::Result<Child> {
    // SAFETY: getpid cannot fail.
    let gate_pid = unsafe { libc::getpid() };
    let mut setup = Some(setup);
    // SAFETY: the closure runs after fork in the child; see `fork_supervisor` for what it does there.
    unsafe {
        command.pre_exec(move || match setup.take() {
            Some(s) => fork_supervisor(gate_pid, s),
            None => Err(io::Error::other("sandbox setup used twice")),
        });
    }
    command.spawn()
}

/// Asks a supervisor to stop its check (time limit): it kills every descendant and exits.
pub(crate) fn request_stop(supervisor: libc::pid_t) {
    // SAFETY: sending a signal has no memory effects; ESRCH (already gone) is fine.
    unsafe {
        libc::kill(supervisor, libc::SIGTERM);
    }
}

/// Runs in the forked child. Returns `Ok` only in the grandchild, which then `exec`s the check; the supervisor
/// never returns.
fn fork_supervisor(gate_pid: libc::pid_t, setup: ChildSetup) -> io::Result<()> {
    // SAFETY: raw system calls on this process only; no memory is shared with other threads (there are none
    // after fork).
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
        if libc::getppid() != gate_pid {
            // The gate died between fork and prctl.
            libc::_exit(STOPPED_STATUS);
        }
        if libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1) != 0 {
            return Err(io::Error::last_os_error());
        }
        let signals = stop_signals();
        libc::sigprocmask(libc::SIG_BLOCK, &signals, std::ptr::null_mut());
        let supervisor = libc::getpid();
        match libc::fork() {
            -1 => Err(io::Error::last_os_error()),
            0 => {
                let empty = empty_set();
                libc::sigprocmask(libc::SIG_SETMASK, &empty, std::ptr::null_mut());
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                if libc::getppid() != supervisor {
                    libc::_exit(STOPPED_STATUS);
                }
                enter_sandbox(setup)
            }
            check => {
                // The supervisor keeps no descriptors: std's exec-status pipe must close when the check execs.
                close_from(3);
                // Drop the ruleset without touching it further (its descriptor is already closed above).
                std::mem::forget(setup);
                let status = wait_for(check, &signals);
                kill_descendants();
                libc::_exit(status)
            }
        }
    }
}

/// In the grandchild: namespaces, then Landlock.
fn enter_sandbox(setup: ChildSetup) -> io::Result<()> {
    if let Some(ns) = &setup.namespaces {
        // SAFETY: unshare/open/write/ioctl/mount on this single-threaded process; buffers are owned by `setup`.
        unsafe { enter_namespaces(ns)? };
        // SAFETY: fork/waitpid/mount/_exit on this single-threaded process.
        unsafe { start_pid_namespace(ns)? };
    }
    if let Some(ruleset) = setup.ruleset {
        let status = ruleset
            .restrict_self()
            .map_err(|e| io::Error::other(format!("landlock: {e}")))?;
        if status.ruleset == landlock::RulesetStatus::NotEnforced {
            return Err(io::Error::other("landlock: the ruleset was not enforced"));
        }
        // Not under bubblewrap: it needs its capabilities to build its namespaces, and drops them for the check.
        drop_capabilities();
    }
    // Descriptors the gate's own caller left open (a shell's `exec 7>file`, an inherited socket) were opened
    // outside the sandbox: writing through one would bypass it. The check keeps only stdin, stdout and stderr.
    // SAFETY: close_range on this process's own descriptors; it only sets flags.
    if unsafe { libc::syscall(libc::SYS_close_range, 3u32, u32::MAX, CLOSE_RANGE_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// The check holds no capability, now or after `exec`: run as root (or as root of its user namespace) it could
/// otherwise read any file Landlock grants regardless of owner and mode (`CAP_DAC_OVERRIDE`), and reach kernel
/// interfaces meant for administrators. Clears the bounding and ambient sets, locks the "root gets every
/// capability on exec" rule off, then empties the rest. An unprivileged user holds none to begin with, and the
/// calls that need `CAP_SETPCAP` fail harmlessly.
fn drop_capabilities() {
    #[repr(C)]
    struct Header {
        version: u32,
        pid: libc::c_int,
    }
    #[repr(C)]
    #[derive(Clone, Copy)]
    struct Data {
        effective: u32,
        permitted: u32,
        inheritable: u32,
    }
    const LINUX_CAPABILITY_VERSION_3: u32 = 0x2008_0522;
    // SECBIT_NOROOT, SECBIT_NO_SETUID_FIXUP and SECBIT_NO_CAP_AMBIENT_RAISE, each with its lock bit.
    const SECUREBITS: libc::c_ulong = 0b1111 | (0b11 << 6);
    // SAFETY: prctl and capset on this process only; the structs outlive the calls.
    unsafe {
        for cap in 0..64 {
            libc::prctl(libc::PR_CAPBSET_DROP, cap, 0, 0, 0);
        }
        libc::prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_CLEAR_ALL,
            0,
            0,
            0,
        );
        libc::prctl(libc::PR_SET_SECUREBITS, SECUREBITS, 0, 0, 0);
        let header = Header {
            version: LINUX_CAPABILITY_VERSION_3,
            pid: 0,
        };
        let data = [Data {
            effective: 0,
            permitted: 0,
            inheritable: 0,
        }; 2];
        libc::syscall(libc::SYS_capset, &header as *const Header, data.as_ptr());
    }
}

/// Called after `unshare(CLONE_NEWPID)`: forks the namespace's pid 1, a tiny init that forks the check and
/// reaps orphans until the check exits, then exits with its status. When pid 1 exits the kernel kills every
/// other process in the namespace at once and forbids new ones: nothing the check started survives it, however
/// fast it forks. Returns `Ok` only in the check; the caller (outside the namespace) and the init never return.
unsafe fn start_pid_namespace(ns: &Namespaces) -> io::Result<()> {
    // SAFETY: see the caller.
    unsafe {
        let init = match libc::fork() {
            -1 => return Err(io::Error::last_os_error()),
            0 => libc::getpid(),
            init => {
                // The caller only relays pid 1's status to the supervisor; the check keeps std's exec-status pipe.
                close_from(3);
                libc::_exit(wait_exit_code(init))
            }
        };
        // Pid 1 dies with the process outside (SIGKILL from outside the namespace reaches an init).
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
        // A /proc of this namespace: the check sees its own processes only, not other programs' command lines.
        // Where the kernel refuses (a container that masks parts of /proc), the host's stays readable as before.
        let mounted = libc::mount(
            c"proc".as_ptr(),
            c"/proc".as_ptr(),
            c"proc".as_ptr(),
            libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
            std::ptr::null(),
        ) == 0;
        if mounted
            && let Some((ruleset, access)) = &ns.proc_grant
            && !super::landlock::add_path_rule(ruleset.as_raw_fd(), c"/proc", *access)
        {
            return Err(io::Error::other("landlock: cannot grant the check's /proc"));
        }
        match libc::fork() {
            -1 => Err(io::Error::last_os_error()),
            0 => {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                if libc::getppid() != init {
                    libc::_exit(STOPPED_STATUS);
                }
                Ok(())
            }
            check => {
                close_from(3);
                loop {
                    let mut status = 0;
                    let pid = libc::waitpid(-1, &mut status, 0);
                    if pid == check {
                        libc::_exit(exit_code(status));
                    }
                    if pid < 0 && io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
                        libc::_exit(STOPPED_STATUS);
                    }
                }
            }
        }
    }
}

/// Waits for `pid` and returns its exit code (`128 + signal` when it was killed).
unsafe fn wait_exit_code(pid: libc::pid_t) -> i32 {
    loop {
        let mut status = 0;
        // SAFETY: waitpid writes only `status`.
        let rc = unsafe { libc::waitpid(pid, &mut status, 0) };
        if rc == pid {
            return exit_code(status);
        }
        if rc < 0 && io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            return STOPPED_STATUS;
        }
    }
}

/// A `waitpid` status as a shell would report it.
fn exit_code(status: i32) -> i32 {
    if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    }
}

unsafe fn enter_namespaces(ns: &Namespaces) -> io::Result<()> {
    let mut flags = libc::CLONE_NEWUSER | libc::CLONE_NEWNS | libc::CLONE_NEWPID;
    if ns.net {
        flags |= libc::CLONE_NEWNET;
    }
    // SAFETY: see the caller; every pointer is a NUL-terminated string owned by `ns`.
    unsafe {
        if libc::unshare(flags) != 0 {
            return Err(io::Error::last_os_error());
        }
        write_proc(c"/proc/self/setgroups", c"deny")?;
        write_proc(c"/proc/self/uid_map", &ns.uid_map)?;
        write_proc(c"/proc/self/gid_map", &ns.gid_map)?;
        if ns.net {
            loopback_up()?;
        }
        read_only_except(&ns.writable)?;
        // A private, writable /dev/shm: other programs' shared memory is neither readable nor writable there.
        // Before the covers: its source lives in the run's temp folder, which may sit in a covered one.
        if !ns.shm.is_empty() {
            let null = std::ptr::null::<libc::c_char>();
            if libc::mount(
                ns.shm.as_ptr(),
                c"/dev/shm".as_ptr(),
                null,
                libc::MS_BIND,
                std::ptr::null(),
            ) != 0
                || mount_setattr(c"/dev/shm", 0, MOUNT_ATTR_RDONLY) != 0
            {
                return Err(io::Error::last_os_error());
            }
        }
        for cover in &ns.hide {
            cover_folder(cover)?;
        }
        if !ns.cwd.is_empty() && libc::chdir(ns.cwd.as_ptr()) != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Covers `cover.dir` with an empty tmpfs, brings the run's own folders inside it back on top (clones of their
/// mounts, taken before the cover went on, keep their read-only or writable state), then makes the cover itself
/// read-only: other programs' sockets there are gone, the run's folders are where they were.
unsafe fn cover_folder(cover: &Cover) -> io::Result<()> {
    let err = || Err(io::Error::last_os_error());
    // SAFETY: raw system calls with NUL-terminated paths owned by `cover`; the descriptors are closed here.
    unsafe {
        let mut trees: [libc::c_int; MAX_KEEP] = [-1; MAX_KEEP];
        if cover.keep.len() > MAX_KEEP {
            return Err(io::Error::other(
                "too many run folders inside one socket folder",
            ));
        }
        for (i, k) in cover.keep.iter().enumerate() {
            let fd = libc::syscall(
                libc::SYS_open_tree,
                libc::AT_FDCWD,
                k.path.as_ptr(),
                (OPEN_TREE_CLONE
                    | libc::O_CLOEXEC as libc::c_uint
                    | libc::AT_RECURSIVE as libc::c_uint) as libc::c_uint,
            );
            if fd < 0 {
                return err();
            }
            trees[i] = fd as libc::c_int;
        }
        let flags = libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC;
        if libc::mount(
            c"tmpfs".as_ptr(),
            cover.dir.as_ptr(),
            c"tmpfs".as_ptr(),
            flags,
            c"size=64k,mode=0755".as_ptr().cast(),
        ) != 0
        {
            return err();
        }
        for (i, k) in cover.keep.iter().enumerate() {
            for d in &k.mkdirs {
                if libc::mkdir(d.as_ptr(), 0o755) != 0
                    && io::Error::last_os_error().raw_os_error() != Some(libc::EEXIST)
                {
                    return err();
                }
            }
            let rc = libc::syscall(
                libc::SYS_move_mount,
                trees[i],
                c"".as_ptr(),
                libc::AT_FDCWD,
                k.path.as_ptr(),
                MOVE_MOUNT_F_EMPTY_PATH,
            );
            libc::close(trees[i]);
            if rc != 0 {
                return err();
            }
        }
        // Read-only: this mount only, not the run's folders on it.
        let null = std::ptr::null::<libc::c_char>();
        if libc::mount(
            null,
            cover.dir.as_ptr(),
            null,
            libc::MS_REMOUNT | libc::MS_BIND | libc::MS_RDONLY | flags,
            std::ptr::null(),
        ) != 0
        {
            return err();
        }
    }
    Ok(())
}

/// Most run folders brought back inside one covered folder (the run has a handful of roots).
const MAX_KEEP: usize = 16;
/// `OPEN_TREE_CLONE` of `<linux/mount.h>` (Linux 5.2): a detached copy of the mount tree.
const OPEN_TREE_CLONE: libc::c_uint = 1;
/// `MOVE_MOUNT_F_EMPTY_PATH` of `<linux/mount.h>`: the source is the descriptor itself.
const MOVE_MOUNT_F_EMPTY_PATH: libc::c_uint = 0x0000_0004;

/// Makes every mount read-only except bind mounts of `writable` (mount changes stay in this namespace).
unsafe fn read_only_except(writable: &[CString]) -> io::Result<()> {
    let check = |rc: libc::c_long| {
        if rc == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    };
    // SAFETY: mount/mount_setattr with valid NUL-terminated paths and a `mount_attr` owned by this frame.
    unsafe {
        let null = std::ptr::null::<libc::c_char>();
        check(libc::c_long::from(libc::mount(
            null,
            c"/".as_ptr(),
            null,
            libc::MS_REC | libc::MS_PRIVATE,
            std::ptr::null(),
        )))?;
        for w in writable {
            check(libc::c_long::from(libc::mount(
                w.as_ptr(),
                w.as_ptr(),
                null,
                libc::MS_BIND | libc::MS_REC,
                std::ptr::null(),
            )))?;
        }
        check(mount_setattr(c"/", MOUNT_ATTR_RDONLY, 0))?;
        for w in writable {
            check(mount_setattr(w, 0, MOUNT_ATTR_RDONLY))?;
        }
    }
    Ok(())
}

const MOUNT_ATTR_RDONLY: u64 = 0x1;

/// `CLOSE_RANGE_CLOEXEC` of `<linux/close_range.h>` (Linux 5.11): mark the range close-on-exec.
const CLOSE_RANGE_CLOEXEC: libc::c_uint = 1 << 2;

/// `struct mount_attr` of `<linux/mount.h>`.
#[repr(C)]
struct MountAttr {
    attr_set: u64,
    attr_clr: u64,
    propagation: u64,
    userns_fd: u64,
}

/// `mount_setattr(AT_FDCWD, path, AT_RECURSIVE, {set, clr})`.
unsafe fn mount_setattr(path: &std::ffi::CStr, set: u64, clr: u64) -> libc::c_long {
    let attr = MountAttr {
        attr_set: set,
        attr_clr: clr,
        propagation: 0,
        userns_fd: 0,
    };
    // SAFETY: `attr` outlives the call and its size is passed.
    unsafe {
        libc::syscall(
            libc::SYS_mount_setattr,
            libc::AT_FDCWD,
            path.as_ptr(),
            libc::AT_RECURSIVE as libc::c_uint,
            &attr as *const MountAttr,
            std::mem::size_of::<MountAttr>(),
        )
    }
}

unsafe fn write_proc(path: &std::ffi::CStr, data: &std::ffi::CStr) -> io::Result<()> {
    // SAFETY: both pointers are valid NUL-terminated strings for the duration of the calls.
    unsafe {
        let fd = libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        let bytes = data.to_bytes();
        let n = libc::write(fd, bytes.as_ptr().cast(), bytes.len());
        let err = io::Error::last_os_error();
        libc::close(fd);
        if n != bytes.len() as isize {
            return Err(err);
        }
    }
    Ok(())
}

/// Brings `lo` up in the new network namespace (it starts down), so tests that listen on 127.0.0.1 work.
unsafe fn loopback_up() -> io::Result<()> {
    // SAFETY: `req` is a zeroed ifreq owned by this frame; the ioctls read and write only it.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0);
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        let mut req: libc::ifreq = std::mem::zeroed();
        for (dst, src) in req.ifr_name.iter_mut().zip(b"lo\0") {
            *dst = *src as libc::c_char;
        }
        let mut rc = libc::ioctl(fd, libc::SIOCGIFFLAGS, &mut req);
        if rc == 0 {
            req.ifr_ifru.ifru_flags |= (libc::IFF_UP | libc::IFF_RUNNING) as libc::c_short;
            rc = libc::ioctl(fd, libc::SIOCSIFFLAGS, &req);
        }
        let err = io::Error::last_os_error();
        libc::close(fd);
        if rc != 0 {
            return Err(err);
        }
    }
    Ok(())
}

fn empty_set() -> libc::sigset_t {
    // SAFETY: sigemptyset initialises the set it is given.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        set
    }
}

/// The signals the supervisor waits for: its check's death and the requests to stop.
fn stop_signals() -> libc::sigset_t {
    let mut set = empty_set();
    // SAFETY: sigaddset on an initialised set.
    unsafe {
        for sig in [libc::SIGCHLD, libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
            libc::sigaddset(&mut set, sig);
        }
    }
    set
}

/// Waits until the check exits (its status) or a stop is requested ([`STOPPED_STATUS`]). Orphans that die
/// meanwhile are reaped on the way.
unsafe fn wait_for(check: libc::pid_t, signals: &libc::sigset_t) -> i32 {
    loop {
        // SAFETY: `signals` is an initialised set blocked in this process; waitpid writes only `status`.
        unsafe {
            let sig = libc::sigwaitinfo(signals, std::ptr::null_mut());
            if sig == libc::SIGTERM || sig == libc::SIGINT || sig == libc::SIGHUP {
                return STOPPED_STATUS;
            }
            loop {
                let mut status = 0;
                let pid = libc::waitpid(-1, &mut status, libc::WNOHANG);
                if pid == check {
                    return exit_code(status);
                }
                if pid <= 0 {
                    break;
                }
            }
        }
    }
}

/// SIGKILLs every child, reaps, and repeats: grandchildren are reparented here as their parents die, so the
/// loop ends only when no descendant is left.
unsafe fn kill_descendants() {
    loop {
        let listed = for_each_child(|pid| {
            // SAFETY: a signal to a pid that is our child (or already gone: ESRCH).
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        });
        // SAFETY: waitpid with a null status pointer.
        let pid = unsafe {
            libc::waitpid(
                -1,
                std::ptr::null_mut(),
                if listed { 0 } else { libc::WNOHANG },
            )
        };
        if pid < 0 {
            let errno = io::Error::last_os_error().raw_os_error();
            if errno == Some(libc::EINTR) {
                continue;
            }
            // ECHILD: no child left.
            return;
        }
        if pid == 0 && !listed {
            // Children exist but none is listed and none has died: /proc is unreadable. Best effort only.
            return;
        }
    }
}

/// Calls `f` for each pid in `/proc/thread-self/children`; whether any was listed. Reads into a stack buffer.
fn for_each_child(mut f: impl FnMut(libc::pid_t)) -> bool {
    // SAFETY: open/read/close with a stack buffer this frame owns.
    unsafe {
        let fd = libc::open(
            c"/proc/thread-self/children".as_ptr(),
            libc::O_RDONLY | libc::O_CLOEXEC,
        );
        if fd < 0 {
            return false;
        }
        let mut any = false;
        let mut buf = [0u8; 512];
        let mut current: Option<libc::pid_t> = None;
        loop {
            let n = libc::read(fd, buf.as_mut_ptr().cast(), buf.len());
            if n <= 0 {
                break;
            }
            for &b in &buf[..n as usize] {
                if b.is_ascii_digit() {
                    let d = libc::pid_t::from(b - b'0');
                    current = Some(current.unwrap_or(0).saturating_mul(10).saturating_add(d));
                } else if let Some(pid) = current.take() {
                    any = true;
                    f(pid);
                }
            }
        }
        if let Some(pid) = current {
            any = true;
            f(pid);
        }
        libc::close(fd);
        any
    }
}

/// Closes every descriptor from `first` up.
unsafe fn close_from(first: libc::c_int) {
    // SAFETY: closing descriptors of this (single-threaded) process.
    unsafe {
        if libc::syscall(
            libc::SYS_close_range,
            first as libc::c_uint,
            libc::c_uint::MAX,
            0,
        ) == 0
        {
            return;
        }
        for fd in first..65_536 {
            libc::close(fd);
        }
    }
}

/// Whether user, mount and network namespaces can be created here and mounts made read-only in them (a fork
/// that tries, then exits).
pub(super) fn user_namespaces_work() -> bool {
    let mut probe = Command::new("/bin/true");
    probe
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    // SAFETY: unshare is a raw system call in the forked child.
    unsafe {
        probe.pre_exec(|| {
            let ns = Namespaces {
                net: true,
                uid_map: CString::new(format!("{0} {0} 1\n", libc::getuid())).unwrap_or_default(),
                gid_map: CString::new(format!("{0} {0} 1\n", libc::getgid())).unwrap_or_default(),
                writable: Vec::new(),
                cwd: CString::default(),
                hide: Vec::new(),
                shm: CString::default(),
                proc_grant: None,
            };
            enter_namespaces(&ns)
        });
    }
    probe.status().is_ok_and(|s| s.success())
}
