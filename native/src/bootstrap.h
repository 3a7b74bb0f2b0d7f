/* bootstrap.h: the decoded SYNC_BOOTSTRAP (records in runts-proto.h). Runs in: native.
 * Strings point into the bootstrap buffer, which lives until execve. */
#ifndef RUNTS_BOOTSTRAP_H
#define RUNTS_BOOTSTRAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runts-proto.h"
#include "attrs.h"

/* A NULL-terminated string vector, ready for execve. */
struct strv {
	char **v;
	size_t n;
};

struct ns_join {
	uint32_t type; /* CLONE_NEW* */
	const char *path;
};

struct rlimit_rec {
	uint32_t resource;
	uint64_t soft, hard;
};

struct hook {
	const char *path;
	struct strv argv, envp;
	uint32_t timeout; /* seconds; 0: none */
};

struct runts_config {
	uint32_t mode;
	uint32_t clone_flags;
	struct ns_join *joins;
	size_t njoins;
	const char *timens_offsets;

	const char *setup_path;
	struct strv setup_argv, setup_envp;
	int setup_fd;

	struct strv argv, envp;
	const char *cwd;
	uint32_t uid, gid;
	bool has_gids;
	uint32_t *gids;
	size_t ngids;
	bool has_umask;
	uint32_t umask;
	struct rlimit_rec *rlimits;
	size_t nrlimits;
	bool has_caps;
	uint64_t cap_bounding, cap_effective, cap_permitted, cap_inheritable, cap_ambient;
	bool no_new_privs;
	const char *keyring_name;
	bool has_keyring_perm;
	uint32_t keyring_perm;
	uint32_t preserve_fds;
	int exec_fifo_fd;
	struct hook *hooks;
	size_t nhooks;
	const char *state_json;
	bool has_home_env;
	uint32_t home_env; /* index into envp of the "HOME=" entry to fill */
	bool no_pivot;
	int console_fd; /* -1: no terminal */
	bool has_console_size;
	uint32_t console_height, console_width;
	uint32_t seccomp_flags;
	void *seccomp_filter; /* struct sock_filter[seccomp_len], aligned copy; NULL: none */
	uint16_t seccomp_len;
	struct proc_attrs attrs; /* attrs.h: ATTR_PERSONALITY .. ATTR_SELINUX_LABEL */
};

/* Join mode (exec): the process enters an existing container instead of making one. */
static inline bool is_join_mode(uint32_t mode)
{
	return mode == RUNTS_MODE_EXEC || mode == RUNTS_MODE_EXEC_DETACH;
}

/* Decode buf[0..len) (buf[len] must be NUL); bails naming the offending record. */
void bootstrap_decode(char *buf, uint32_t len, struct runts_config *cfg);

#endif
