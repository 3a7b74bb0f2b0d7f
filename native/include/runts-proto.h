/* runts-proto.h: the wire contract between the runts CLI (TypeScript, "parent" side of
 * the sync socket) and the native init (C). Runs in: native; mirrored by
 * src/process/proto.ts, and test/unit/process/proto.test.ts parses this file to check
 * that every #define below has the same value there. Keep each #define on one line with
 * a plain decimal or hex literal so that the test can read it.
 *
 * argv:  runts-init init <sync-fd> <log-fd>     create, run: a new container's PID 1
 *        runts-init join <sync-fd> <log-fd>     exec: a process in an existing container
 *   <sync-fd>  AF_UNIX SOCK_STREAM socket; the CLI holds the other end
 *   <log-fd>   stream the stages write JSON lines to ({"level":"debug","msg":"..."}),
 *              or -1 for none; forwarded by src/process/log-forward.ts
 * Every other fd number (exec fifo, setup socket, preserved fds) comes in the bootstrap.
 *
 * The conversation (runc libcontainer/sync.go and nsexec.c describe theirs the same way):
 *
 *  CLI (node)             [0:PARENT]         [1:CHILD]                [2:INIT]
 *   |--SYNC_BOOTSTRAP------->|
 *   |                        fork ------------->|
 *   |                        waitpid(child)     setns(join[i]) in the order given
 *   |                                           unshare(CLONE_NEWUSER)       (1)
 *   |<--SYNC_USERMAP_PLS(pid)-------------------|
 *   write /proc/pid/{setgroups,uid_map,gid_map}
 *   |--SYNC_USERMAP_ACK------------------------>|
 *   |                                           setresgid/setresuid(0)
 *   |                                           unshare(other CLONE_NEW*)    (2)
 *   |                                           write timens_offsets
 *   |                                           clone(CLONE_PARENT) ---------->|
 *   |<--SYNC_PID(init pid)----------------------|                              |
 *   |                        reaps child        exit(0)                        |
 *   join cgroups, oom_score_adj, hooks                                         |
 *   |--SYNC_GO------------------------------------------------------------------>|
 *   |                                              unshare(CLONE_NEWCGROUP), setsid
 *   |<== its own socket ==> setup (fd 3): mounts, pivot_root    <-- fork+exec, wait
 *   |                       (--no-pivot: MS_MOVE + chroot)  (3)  follow it to the new root
 *   |                                              keyring, rlimits, umask, cwd, HOME,
 *   |                                              stdio owner, caps, uid/gid, no_new_privs,
 *   |                                              seccomp (5)
 *   |<--SYNC_READY---------------------------------------------------------------|
 *   |                        <-- one byte on a private socket ------------------|
 *   |                        create: exit(0)      close fds, open exec fifo
 *   |                        run: waitpid(init),  (blocks until `start`), write "0",
 *   |                        exit with its status startContainer hooks, execve
 *
 *  (1) only when cloneFlags has CLONE_NEWUSER   (2) everything but CLONE_NEWUSER/NEWCGROUP
 *  (3) pivot_root moves init's root along; a chroot in setup does not (finalize.c)
 *
 * Join mode (exec) is the same conversation without the parts that make a container
 * (runc libcontainer/process_linux.go setnsProcess, nsexec.c join_namespaces):
 *
 *  CLI (node)             [0:PARENT]         [1:CHILD]                [2:INIT]
 *   |--SYNC_BOOTSTRAP------->|
 *   |                        fork ------------->| setns(join[i]): the namespaces
 *   |                                           | of PID 1, user first, mount last
 *   |                                           clone(CLONE_PARENT) ---------->|
 *   |<--SYNC_PID(process pid)-------------------|  exit                        |
 *   write the pid into every cgroup.procs of the container                     |
 *   |--SYNC_GO------------------------------------------------------------------>|
 *   |                                              setsid, console (4), keyring,
 *   |                                              rlimits, umask, cwd, HOME, caps,
 *   |                                              uid/gid, no_new_privs, PATH lookup
 *   |<--SYNC_READY---------------------------------------------------------------|
 *   |                        exec --detach: exit(0) once told, as in create
 *   |                        exec: waitpid, exit  close fds, execve
 *   |                        with its status
 *
 *  (5) ATTR_SECCOMP: without no_new_privs the filter is loaded before the uid change
 *      and capability drop (it needs CAP_SYS_ADMIN then), else after the PATH lookup,
 *      just before SYNC_READY (runc standard_init_linux.go, setns_init_linux.go).
 *      With SECCOMP_FILTER_FLAG_NEW_LISTENER in its flags (SCMP_ACT_NOTIFY), in both modes:
 *   |<--SYNC_SECCOMP_PLS(u32 listener fd number in INIT)---------------------------|
 *   pidfd_getfd the listener, send it to the agent at listenerPath
 *   |--SYNC_SECCOMP_ACK---------------------------------------------------------->|
 *   |                                              close the listener, go on
 *
 *  (4) with ATTR_CONSOLE_SOCKET_FD, in both modes (init: after setup, so that /dev/ptmx
 *      is the container's): open /dev/ptmx, send the master on that socket in runc's
 *      format (one sendmsg: data = the pty's name, SCM_RIGHTS = exactly the master, no
 *      reply), make the other end the controlling terminal and stdio 0-2. The master is
 *      sent before SYNC_READY, so a CLI that reads it after SYNC_READY never blocks.
 *
 * Instead of the message the CLI waits for, any stage may send SYNC_ERROR and exit
 * non-zero. Every receive names the type it expects; anything else is an error naming
 * both types. Errors travel as data here; logs travel on the log fd.
 */
#ifndef RUNTS_PROTO_H
#define RUNTS_PROTO_H

#define RUNTS_PROTO_VERSION 1

/* Stage ids, carried in SYNC_ERROR. Process titles are runts:[<id>:<NAME>]. */
#define RUNTS_STAGE_PARENT 0
#define RUNTS_STAGE_CHILD 1
#define RUNTS_STAGE_INIT 2

/* Bootstrap ATTR_MODE values. [0:PARENT] exits once the process is ready (CREATE,
 * EXEC_DETACH) or waits for it and exits with its status (RUN, EXEC). */
#define RUNTS_MODE_CREATE 1
#define RUNTS_MODE_RUN 2
#define RUNTS_MODE_EXEC 3           /* argv "join" */
#define RUNTS_MODE_EXEC_DETACH 4    /* argv "join" */

/*
 * A message: header { uint32 type; uint32 len; } in host byte order (both ends run on
 * the same machine), then len bytes of payload.
 */
#define RUNTS_MSG_HDR_LEN 8
/* Largest payload of any message but SYNC_BOOTSTRAP. */
#define RUNTS_MSG_MAX 65536
/* Largest SYNC_BOOTSTRAP payload: args and env are bounded by the kernel's exec limits
 * anyway (a quarter of the stack rlimit), so this only stops garbage. */
#define RUNTS_BOOTSTRAP_MAX 16777216
/* Largest message text in SYNC_ERROR. */
#define RUNTS_ERROR_MSG_MAX 4096

/* Message types. Requests end in _PLS and their answers in _ACK (runc's naming). */
#define SYNC_BOOTSTRAP 64      /* CLI -> PARENT: TLV records (below) */
#define SYNC_USERMAP_PLS 65    /* CHILD -> CLI: uint32 pid of the child, map its new userns */
#define SYNC_USERMAP_ACK 66    /* CLI -> CHILD: maps written; empty */
#define SYNC_PID 67            /* CHILD -> CLI: uint32 host pid of init */
#define SYNC_GO 68             /* CLI -> INIT: init is in its cgroups; empty */
#define SYNC_READY 69          /* INIT -> CLI: about to wait on the exec fifo; empty */
#define SYNC_ERROR 70          /* any stage -> CLI: uint32 stage, int32 errno, message bytes */
/* Reserved for later issues (console socket). */
#define SYNC_CONSOLE_PLS 71
#define SYNC_CONSOLE_ACK 72
#define SYNC_SECCOMP_PLS 73    /* INIT -> CLI: u32 fd number of the seccomp listener in INIT (5) */
#define SYNC_SECCOMP_ACK 74    /* CLI -> INIT: the agent has the listener; empty */

/*
 * SYNC_BOOTSTRAP payload: a sequence of records { uint32 id; uint32 len; } + len bytes,
 * no padding. Types: u32 (4 bytes), string (bytes ending in exactly one NUL, none
 * inside), list = the record repeated in order. Unknown ids, wrong lengths and repeated
 * single records are errors that name the record.
 */
#define RUNTS_ATTR_HDR_LEN 8
#define ATTR_MODE 1                 /* u32 RUNTS_MODE_*; required */
#define ATTR_CLONE_FLAGS 2          /* u32 CLONE_NEW* to create; required (0 in join mode) */
#define ATTR_NS_JOIN 3              /* list of { u32 CLONE_NEW* type; string path } */
#define ATTR_TIMENS_OFFSETS 4       /* string written to /proc/self/timens_offsets */
#define ATTR_SETUP_PATH 5           /* string: execve path of setup (node); init mode only */
#define ATTR_SETUP_ARG 6            /* list of string: setup argv, argv[0] included */
#define ATTR_SETUP_ENV 7            /* list of string: setup envp */
#define ATTR_SETUP_FD 8             /* u32: fd that becomes setup's fd 3 */
#define ATTR_PROCESS_ARG 9          /* list of string: process argv; at least one */
#define ATTR_PROCESS_ENV 10         /* list of string: process envp (its PATH is searched) */
#define ATTR_PROCESS_CWD 11         /* string */
#define ATTR_PROCESS_UID 12         /* u32 */
#define ATTR_PROCESS_GID 13         /* u32 */
#define ATTR_PROCESS_GIDS 14        /* u32 array (len % 4 == 0); absent: setgroups is not called */
#define ATTR_PROCESS_UMASK 15       /* u32 */
#define ATTR_PROCESS_RLIMIT 16      /* list of { u32 resource; u64 soft; u64 hard } (20 bytes) */
#define ATTR_PROCESS_CAPS 17        /* { u64 bounding, effective, permitted, inheritable, ambient } */
#define ATTR_NO_NEW_PRIVS 18        /* u32 0 | 1 */
#define ATTR_KEYRING_NAME 19        /* string: session keyring to join */
#define ATTR_KEYRING_PERM 20        /* u32: bits OR-ed into the session keyring's permissions */
#define ATTR_PRESERVE_FDS 21        /* u32: fds 3 .. 3+n-1 pass to the process */
#define ATTR_EXEC_FIFO_FD 22        /* u32: O_PATH fd of exec.fifo; required in init mode, refused in join mode */
#define ATTR_START_HOOK 23          /* list of nested records ATTR_HOOK_* */
#define ATTR_STATE_JSON 24          /* string: stdin of startContainer hooks */
#define ATTR_PROCESS_HOME_ENV 25    /* u32: index of a "HOME=" entry of ATTR_PROCESS_ENV that init
                                       fills with the uid's home from the container's /etc/passwd
                                       ("/" when it has none); absent: the env has its HOME */
#define ATTR_NO_PIVOT 26            /* u32 0 | 1: setup moves the rootfs onto "/" (MS_MOVE) and
                                       chroots instead of pivot_root; init follows it there */
#define ATTR_CONSOLE_SIZE 27        /* { u32 height; u32 width }: initial window size of the pty */
#define ATTR_SECCOMP 28             /* { u32 SECCOMP_FILTER_FLAG_*; struct sock_filter[] (8 bytes each,
                                       1..4096) }: compiled by the CLI, loaded by seccomp(2) as late as
                                       possible — before the uid/capability change without no_new_privs */
/* Process attributes (native/src/attrs.c), applied by init just before execve, in both modes. */
#define ATTR_PERSONALITY 29         /* u32: personality(2) persona (PER_LINUX 0x0000, PER_LINUX32 0x0008) */
#define ATTR_IOPRIO 30              /* u32: ioprio_set(IOPRIO_WHO_PROCESS, 0, class << 13 | data) */
#define ATTR_SCHEDULER 31           /* struct sched_attr as the kernel lays it out (56 bytes, size = 56) */
/* Records nested in ATTR_START_HOOK. */
#define ATTR_HOOK_PATH 32           /* string; required */
#define ATTR_HOOK_ARG 33            /* list of string: argv, argv[0] included */
#define ATTR_HOOK_ENV 34            /* list of string */
#define ATTR_HOOK_TIMEOUT 35        /* u32 seconds; absent: no timeout */
/* LSM labels, written to the real procfs (PROC_SUPER_MAGIC checked) by init. */
#define ATTR_APPARMOR 36            /* string written to /proc/thread-self/attr/apparmor/exec ("exec <profile>") */
#define ATTR_SELINUX_LABEL 37       /* string written to /proc/thread-self/attr/exec (and keycreate) */
/* u32: a connected AF_UNIX stream socket (the caller's --console-socket, or the CLI's
 * own socketpair): the process gets a new pty, whose master is sent there (4). In init
 * mode the pty is also bind-mounted onto /dev/console, as runc does for PID 1. */
#define ATTR_CONSOLE_SOCKET_FD 48
/* Reserved ids, rejected by this version of the decoder. */
#define ATTR_SECCOMP_FD 49
#define ATTR_JOIN_CGROUP 50

#endif
