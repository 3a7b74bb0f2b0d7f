// Owns: the TypeScript mirror of native/include/runts-proto.h — message types, TLV
// attribute ids, stage ids and limits, with the same names. Runs in: cli.
//
// The diagram of the conversation lives in the header and in sync.ts.
// test/unit/process/proto.test.ts parses the header and fails when a value here drifts.

export const RUNTS_PROTO_VERSION = 1;

export const RUNTS_STAGE_PARENT = 0;
export const RUNTS_STAGE_CHILD = 1;
export const RUNTS_STAGE_INIT = 2;

export const RUNTS_MODE_CREATE = 1;
export const RUNTS_MODE_RUN = 2;
export const RUNTS_MODE_EXEC = 3;
export const RUNTS_MODE_EXEC_DETACH = 4;

export const RUNTS_MSG_HDR_LEN = 8;
export const RUNTS_MSG_MAX = 65536;
export const RUNTS_BOOTSTRAP_MAX = 16777216;
export const RUNTS_ERROR_MSG_MAX = 4096;

export const SYNC_BOOTSTRAP = 64;
export const SYNC_USERMAP_PLS = 65;
export const SYNC_USERMAP_ACK = 66;
export const SYNC_PID = 67;
export const SYNC_GO = 68;
export const SYNC_READY = 69;
export const SYNC_ERROR = 70;
export const SYNC_CONSOLE_PLS = 71;
export const SYNC_CONSOLE_ACK = 72;
export const SYNC_SECCOMP_PLS = 73;
export const SYNC_SECCOMP_ACK = 74;

export const RUNTS_ATTR_HDR_LEN = 8;
export const ATTR_MODE = 1;
export const ATTR_CLONE_FLAGS = 2;
export const ATTR_NS_JOIN = 3;
export const ATTR_TIMENS_OFFSETS = 4;
export const ATTR_SETUP_PATH = 5;
export const ATTR_SETUP_ARG = 6;
export const ATTR_SETUP_ENV = 7;
export const ATTR_SETUP_FD = 8;
export const ATTR_PROCESS_ARG = 9;
export const ATTR_PROCESS_ENV = 10;
export const ATTR_PROCESS_CWD = 11;
export const ATTR_PROCESS_UID = 12;
export const ATTR_PROCESS_GID = 13;
export const ATTR_PROCESS_GIDS = 14;
export const ATTR_PROCESS_UMASK = 15;
export const ATTR_PROCESS_RLIMIT = 16;
export const ATTR_PROCESS_CAPS = 17;
export const ATTR_NO_NEW_PRIVS = 18;
export const ATTR_KEYRING_NAME = 19;
export const ATTR_KEYRING_PERM = 20;
export const ATTR_PRESERVE_FDS = 21;
export const ATTR_EXEC_FIFO_FD = 22;
export const ATTR_START_HOOK = 23;
export const ATTR_STATE_JSON = 24;
export const ATTR_PROCESS_HOME_ENV = 25;
export const ATTR_NO_PIVOT = 26;
export const ATTR_CONSOLE_SIZE = 27;
export const ATTR_SECCOMP = 28;
export const ATTR_PERSONALITY = 29;
export const ATTR_IOPRIO = 30;
export const ATTR_SCHEDULER = 31;
export const ATTR_HOOK_PATH = 32;
export const ATTR_HOOK_ARG = 33;
export const ATTR_HOOK_ENV = 34;
export const ATTR_HOOK_TIMEOUT = 35;
export const ATTR_APPARMOR = 36;
export const ATTR_SELINUX_LABEL = 37;
export const ATTR_CONSOLE_SOCKET_FD = 48;
export const ATTR_SECCOMP_FD = 49;
export const ATTR_JOIN_CGROUP = 50;

const SYNC_NAMES = new Map<number, string>([
  [SYNC_BOOTSTRAP, 'SYNC_BOOTSTRAP'],
  [SYNC_USERMAP_PLS, 'SYNC_USERMAP_PLS'],
  [SYNC_USERMAP_ACK, 'SYNC_USERMAP_ACK'],
  [SYNC_PID, 'SYNC_PID'],
  [SYNC_GO, 'SYNC_GO'],
  [SYNC_READY, 'SYNC_READY'],
  [SYNC_ERROR, 'SYNC_ERROR'],
  [SYNC_CONSOLE_PLS, 'SYNC_CONSOLE_PLS'],
  [SYNC_CONSOLE_ACK, 'SYNC_CONSOLE_ACK'],
  [SYNC_SECCOMP_PLS, 'SYNC_SECCOMP_PLS'],
  [SYNC_SECCOMP_ACK, 'SYNC_SECCOMP_ACK'],
]);

/** "SYNC_PID (67)", or "unknown (n)": how both sides name a message type in errors. */
export function syncName(type: number): string {
  return `${SYNC_NAMES.get(type) ?? 'unknown'} (${type})`;
}

export type StageName = 'parent' | 'child' | 'init';

export function stageName(stage: number): StageName | `stage ${number}` {
  switch (stage) {
    case RUNTS_STAGE_PARENT:
      return 'parent';
    case RUNTS_STAGE_CHILD:
      return 'child';
    case RUNTS_STAGE_INIT:
      return 'init';
    default:
      return `stage ${stage}`;
  }
}
