/* bootstrap.c: strict decoding of the SYNC_BOOTSTRAP records. Runs in: native
 * ([0:PARENT], before any fork, so every later stage has the decoded copy).
 *
 * Strict because this is the only input the native code trusts to decide what to do
 * with root privileges: an unknown id, a length that does not match the record's type,
 * a string with an inner NUL or a repeated single record is an error naming the record,
 * never a guess (runc's nsexec.c likewise bails on an unknown netlink attribute). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runts-proto.h"
#include "bootstrap.h"
#include "log.h"

struct cursor {
	const char *what; /* "bootstrap" or "bootstrap hook #n" */
	size_t index;     /* record number, from 0 */
	uint32_t id;
};

static const char *attr_name(uint32_t id)
{
	switch (id) {
	case ATTR_MODE: return "ATTR_MODE";
	case ATTR_CLONE_FLAGS: return "ATTR_CLONE_FLAGS";
	case ATTR_NS_JOIN: return "ATTR_NS_JOIN";
	case ATTR_TIMENS_OFFSETS: return "ATTR_TIMENS_OFFSETS";
	case ATTR_SETUP_PATH: return "ATTR_SETUP_PATH";
	case ATTR_SETUP_ARG: return "ATTR_SETUP_ARG";
	case ATTR_SETUP_ENV: return "ATTR_SETUP_ENV";
	case ATTR_SETUP_FD: return "ATTR_SETUP_FD";
	case ATTR_PROCESS_ARG: return "ATTR_PROCESS_ARG";
	case ATTR_PROCESS_ENV: return "ATTR_PROCESS_ENV";
	case ATTR_PROCESS_CWD: return "ATTR_PROCESS_CWD";
	case ATTR_PROCESS_UID: return "ATTR_PROCESS_UID";
	case ATTR_PROCESS_GID: return "ATTR_PROCESS_GID";
	case ATTR_PROCESS_GIDS: return "ATTR_PROCESS_GIDS";
	case ATTR_PROCESS_UMASK: return "ATTR_PROCESS_UMASK";
	case ATTR_PROCESS_RLIMIT: return "ATTR_PROCESS_RLIMIT";
	case ATTR_PROCESS_CAPS: return "ATTR_PROCESS_CAPS";
	case ATTR_NO_NEW_PRIVS: return "ATTR_NO_NEW_PRIVS";
	case ATTR_KEYRING_NAME: return "ATTR_KEYRING_NAME";
	case ATTR_KEYRING_PERM: return "ATTR_KEYRING_PERM";
	case ATTR_PRESERVE_FDS: return "ATTR_PRESERVE_FDS";
	case ATTR_EXEC_FIFO_FD: return "ATTR_EXEC_FIFO_FD";
	case ATTR_START_HOOK: return "ATTR_START_HOOK";
	case ATTR_STATE_JSON: return "ATTR_STATE_JSON";
	case ATTR_PROCESS_HOME_ENV: return "ATTR_PROCESS_HOME_ENV";
	case ATTR_NO_PIVOT: return "ATTR_NO_PIVOT";
	case ATTR_CONSOLE_SIZE: return "ATTR_CONSOLE_SIZE";
	case ATTR_SECCOMP: return "ATTR_SECCOMP";
	case ATTR_PERSONALITY: return "ATTR_PERSONALITY";
	case ATTR_IOPRIO: return "ATTR_IOPRIO";
	case ATTR_SCHEDULER: return "ATTR_SCHEDULER";
	case ATTR_APPARMOR: return "ATTR_APPARMOR";
	case ATTR_SELINUX_LABEL: return "ATTR_SELINUX_LABEL";
	case ATTR_HOOK_PATH: return "ATTR_HOOK_PATH";
	case ATTR_HOOK_ARG: return "ATTR_HOOK_ARG";
	case ATTR_HOOK_ENV: return "ATTR_HOOK_ENV";
	case ATTR_HOOK_TIMEOUT: return "ATTR_HOOK_TIMEOUT";
	case ATTR_CONSOLE_SOCKET_FD: return "ATTR_CONSOLE_SOCKET_FD";
	case ATTR_SECCOMP_FD: return "ATTR_SECCOMP_FD";
	case ATTR_JOIN_CGROUP: return "ATTR_JOIN_CGROUP";
	}
	return "unknown";
}

#define bad(c, ...) bad_record(c, __VA_ARGS__)
static _Noreturn void __attribute__((format(printf, 2, 3))) bad_record(const struct cursor *c, const char *fmt, ...)
{
	char detail[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	bailx(EINVAL, "%s record %zu (%s, id %u): %s", c->what, c->index, attr_name(c->id), c->id, detail);
}

static void want_len(const struct cursor *c, uint32_t len, uint32_t want)
{
	if (len != want)
		bad(c, "length %u, want %u", len, want);
}

static uint32_t get_u32(const struct cursor *c, const char *p, uint32_t len)
{
	uint32_t v;
	want_len(c, len, 4);
	memcpy(&v, p, 4);
	return v;
}

static uint64_t get_u64(const char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

/* An fd number: u32 that fits an int. */
static int get_fd(const struct cursor *c, const char *p, uint32_t len)
{
	uint32_t v = get_u32(c, p, len);
	if (v > 0x7fffffff)
		bad(c, "fd %u out of range", v);
	return (int)v;
}

/* A string record must end in its only NUL, so it can be used in place. */
static char *get_str(const struct cursor *c, char *p, uint32_t len)
{
	if (len == 0 || p[len - 1] != '\0')
		bad(c, "string is not NUL-terminated");
	if (memchr(p, '\0', len) != p + len - 1)
		bad(c, "string has a NUL before its end");
	return p;
}

static void *grow(void *v, size_t n, size_t size)
{
	void *r = realloc(v, (n + 1) * size);
	if (r == NULL)
		bail("allocate the bootstrap tables");
	return r;
}

static void strv_push(struct strv *s, char *str)
{
	s->v = grow(s->v, s->n + 1, sizeof(char *));
	s->v[s->n++] = str;
	s->v[s->n] = NULL;
}

/* Single-valued records may appear once: a repeat would mean the encoder is confused. */
static void once(const struct cursor *c, uint64_t *seen)
{
	if (c->id >= 64)
		return;
	if (*seen & (1ULL << c->id))
		bad(c, "repeated");
	*seen |= 1ULL << c->id;
}

/* Walk records in buf[0..len); calls fn for each, with the cursor set. */
typedef void (*record_fn)(struct cursor *c, char *p, uint32_t len, void *ctx);
static void walk(const char *what, char *buf, uint32_t len, record_fn fn, void *ctx)
{
	struct cursor c = { .what = what, .index = 0, .id = 0 };
	uint32_t off = 0;

	while (off < len) {
		uint32_t hdr[2];
		if (len - off < RUNTS_ATTR_HDR_LEN)
			bailx(EINVAL, "%s record %zu: truncated header (%u bytes left)", what, c.index, len - off);
		memcpy(hdr, buf + off, sizeof(hdr));
		c.id = hdr[0];
		off += RUNTS_ATTR_HDR_LEN;
		if (hdr[1] > len - off)
			bad(&c, "length %u exceeds the %u bytes left", hdr[1], len - off);
		fn(&c, buf + off, hdr[1], ctx);
		off += hdr[1];
		c.index++;
	}
}

struct hook_ctx {
	struct hook *h;
	uint64_t seen;
};

static void hook_record(struct cursor *c, char *p, uint32_t len, void *ctx)
{
	struct hook_ctx *hc = ctx;
	switch (c->id) {
	case ATTR_HOOK_PATH:
		once(c, &hc->seen);
		hc->h->path = get_str(c, p, len);
		break;
	case ATTR_HOOK_ARG:
		strv_push(&hc->h->argv, get_str(c, p, len));
		break;
	case ATTR_HOOK_ENV:
		strv_push(&hc->h->envp, get_str(c, p, len));
		break;
	case ATTR_HOOK_TIMEOUT:
		once(c, &hc->seen);
		hc->h->timeout = get_u32(c, p, len);
		break;
	default:
		bad(c, "not a hook record");
	}
}

struct top_ctx {
	struct runts_config *cfg;
	uint64_t seen;
};

static void top_record(struct cursor *c, char *p, uint32_t len, void *ctx)
{
	struct top_ctx *tc = ctx;
	struct runts_config *cfg = tc->cfg;

	switch (c->id) {
	case ATTR_MODE:
		once(c, &tc->seen);
		cfg->mode = get_u32(c, p, len);
		if (cfg->mode != RUNTS_MODE_CREATE && cfg->mode != RUNTS_MODE_RUN && !is_join_mode(cfg->mode))
			bad(c, "unknown mode %u", cfg->mode);
		break;
	case ATTR_CLONE_FLAGS:
		once(c, &tc->seen);
		cfg->clone_flags = get_u32(c, p, len);
		break;
	case ATTR_NS_JOIN:
		if (len < 5)
			bad(c, "length %u, want at least 5", len);
		cfg->joins = grow(cfg->joins, cfg->njoins, sizeof(*cfg->joins));
		memcpy(&cfg->joins[cfg->njoins].type, p, 4);
		cfg->joins[cfg->njoins].path = get_str(c, p + 4, len - 4);
		cfg->njoins++;
		break;
	case ATTR_TIMENS_OFFSETS:
		once(c, &tc->seen);
		cfg->timens_offsets = get_str(c, p, len);
		break;
	case ATTR_SETUP_PATH:
		once(c, &tc->seen);
		cfg->setup_path = get_str(c, p, len);
		break;
	case ATTR_SETUP_ARG:
		strv_push(&cfg->setup_argv, get_str(c, p, len));
		break;
	case ATTR_SETUP_ENV:
		strv_push(&cfg->setup_envp, get_str(c, p, len));
		break;
	case ATTR_SETUP_FD:
		once(c, &tc->seen);
		cfg->setup_fd = get_fd(c, p, len);
		break;
	case ATTR_PROCESS_ARG:
		strv_push(&cfg->argv, get_str(c, p, len));
		break;
	case ATTR_PROCESS_ENV:
		strv_push(&cfg->envp, get_str(c, p, len));
		break;
	case ATTR_PROCESS_CWD:
		once(c, &tc->seen);
		cfg->cwd = get_str(c, p, len);
		break;
	case ATTR_PROCESS_UID:
		once(c, &tc->seen);
		cfg->uid = get_u32(c, p, len);
		break;
	case ATTR_PROCESS_GID:
		once(c, &tc->seen);
		cfg->gid = get_u32(c, p, len);
		break;
	case ATTR_PROCESS_GIDS:
		once(c, &tc->seen);
		if (len % 4 != 0)
			bad(c, "length %u is not a multiple of 4", len);
		cfg->has_gids = true;
		cfg->ngids = len / 4;
		cfg->gids = grow(NULL, cfg->ngids, sizeof(uint32_t));
		memcpy(cfg->gids, p, len);
		break;
	case ATTR_PROCESS_UMASK:
		once(c, &tc->seen);
		cfg->has_umask = true;
		cfg->umask = get_u32(c, p, len);
		break;
	case ATTR_PROCESS_RLIMIT:
		want_len(c, len, 20);
		cfg->rlimits = grow(cfg->rlimits, cfg->nrlimits, sizeof(*cfg->rlimits));
		memcpy(&cfg->rlimits[cfg->nrlimits].resource, p, 4);
		cfg->rlimits[cfg->nrlimits].soft = get_u64(p + 4);
		cfg->rlimits[cfg->nrlimits].hard = get_u64(p + 12);
		cfg->nrlimits++;
		break;
	case ATTR_PROCESS_CAPS:
		once(c, &tc->seen);
		want_len(c, len, 40);
		cfg->has_caps = true;
		cfg->cap_bounding = get_u64(p);
		cfg->cap_effective = get_u64(p + 8);
		cfg->cap_permitted = get_u64(p + 16);
		cfg->cap_inheritable = get_u64(p + 24);
		cfg->cap_ambient = get_u64(p + 32);
		break;
	case ATTR_NO_NEW_PRIVS: {
		once(c, &tc->seen);
		uint32_t v = get_u32(c, p, len);
		if (v > 1)
			bad(c, "value %u, want 0 or 1", v);
		cfg->no_new_privs = v == 1;
		break;
	}
	case ATTR_KEYRING_NAME:
		once(c, &tc->seen);
		cfg->keyring_name = get_str(c, p, len);
		break;
	case ATTR_KEYRING_PERM:
		once(c, &tc->seen);
		cfg->has_keyring_perm = true;
		cfg->keyring_perm = get_u32(c, p, len);
		break;
	case ATTR_PRESERVE_FDS:
		once(c, &tc->seen);
		cfg->preserve_fds = get_u32(c, p, len);
		if (cfg->preserve_fds > 0x10000)
			bad(c, "%u fds is more than an fd table holds", cfg->preserve_fds);
		break;
	case ATTR_EXEC_FIFO_FD:
		once(c, &tc->seen);
		cfg->exec_fifo_fd = get_fd(c, p, len);
		break;
	case ATTR_START_HOOK: {
		char what[64];
		struct hook_ctx hc = { .seen = 0 };
		cfg->hooks = grow(cfg->hooks, cfg->nhooks, sizeof(*cfg->hooks));
		hc.h = &cfg->hooks[cfg->nhooks];
		memset(hc.h, 0, sizeof(*hc.h));
		snprintf(what, sizeof(what), "bootstrap hook #%zu", cfg->nhooks);
		walk(what, p, len, hook_record, &hc);
		if (hc.h->path == NULL)
			bad(c, "hook #%zu has no ATTR_HOOK_PATH", cfg->nhooks);
		if (hc.h->argv.n == 0)
			strv_push(&hc.h->argv, (char *)hc.h->path);
		if (hc.h->envp.v == NULL)
			hc.h->envp.v = grow(NULL, 0, sizeof(char *)), hc.h->envp.v[0] = NULL;
		cfg->nhooks++;
		break;
	}
	case ATTR_STATE_JSON:
		once(c, &tc->seen);
		cfg->state_json = get_str(c, p, len);
		break;
	case ATTR_PROCESS_HOME_ENV:
		once(c, &tc->seen);
		cfg->has_home_env = true;
		cfg->home_env = get_u32(c, p, len);
		break;
	case ATTR_NO_PIVOT: {
		once(c, &tc->seen);
		uint32_t v = get_u32(c, p, len);
		if (v > 1)
			bad(c, "value %u, want 0 or 1", v);
		cfg->no_pivot = v == 1;
		break;
	}
	case ATTR_CONSOLE_SOCKET_FD:
		once(c, &tc->seen);
		cfg->console_fd = get_fd(c, p, len);
		break;
	case ATTR_CONSOLE_SIZE:
		once(c, &tc->seen);
		want_len(c, len, 8);
		cfg->has_console_size = true;
		memcpy(&cfg->console_height, p, 4);
		memcpy(&cfg->console_width, p + 4, 4);
		break;
	case ATTR_SECCOMP: {
		/* 8 bytes per struct sock_filter; the kernel takes at most BPF_MAXINSNS (4096).
		 * Copied out because records are not aligned. */
		once(c, &tc->seen);
		if (len < 4 + 8 || (len - 4) % 8 != 0 || (len - 4) / 8 > 4096)
			bad(c, "length %u, want 4 + 8 * (1..4096)", len);
		memcpy(&cfg->seccomp_flags, p, 4);
		cfg->seccomp_len = (uint16_t)((len - 4) / 8);
		cfg->seccomp_filter = malloc(len - 4);
		if (cfg->seccomp_filter == NULL)
			bail("allocate the seccomp filter");
		memcpy(cfg->seccomp_filter, p + 4, len - 4);
		break;
	}
	case ATTR_PERSONALITY:
		once(c, &tc->seen);
		cfg->attrs.has_personality = true;
		cfg->attrs.personality = get_u32(c, p, len);
		break;
	case ATTR_IOPRIO:
		once(c, &tc->seen);
		cfg->attrs.has_ioprio = true;
		cfg->attrs.ioprio = get_u32(c, p, len);
		break;
	case ATTR_SCHEDULER:
		/* Copied out (records are not aligned); the size field must say what was sent. */
		once(c, &tc->seen);
		want_len(c, len, RUNTS_SCHED_ATTR_SIZE);
		memcpy(&cfg->attrs.sched, p, RUNTS_SCHED_ATTR_SIZE);
		if (cfg->attrs.sched.size != RUNTS_SCHED_ATTR_SIZE)
			bad(c, "sched_attr.size %u, want %u", cfg->attrs.sched.size, RUNTS_SCHED_ATTR_SIZE);
		cfg->attrs.has_sched = true;
		break;
	case ATTR_APPARMOR:
		once(c, &tc->seen);
		cfg->attrs.apparmor_exec = get_str(c, p, len);
		break;
	case ATTR_SELINUX_LABEL:
		once(c, &tc->seen);
		cfg->attrs.selinux_label = get_str(c, p, len);
		break;
	default:
		bad(c, "not supported by this runts-init");
	}
}

static void need(uint64_t seen, uint32_t id, const char *why)
{
	if (!(seen & (1ULL << id)))
		bailx(EINVAL, "bootstrap: missing %s (%s)", attr_name(id), why);
}

void bootstrap_decode(char *buf, uint32_t len, struct runts_config *cfg)
{
	struct top_ctx tc = { .cfg = cfg, .seen = 0 };

	memset(cfg, 0, sizeof(*cfg));
	cfg->setup_fd = -1;
	cfg->exec_fifo_fd = -1;
	cfg->console_fd = -1;
	walk("bootstrap", buf, len, top_record, &tc);

	need(tc.seen, ATTR_MODE, "required");
	need(tc.seen, ATTR_CLONE_FLAGS, "required");
	if (is_join_mode(cfg->mode)) {
		/* A process joining a container makes nothing of its own: a record that would
		 * is an encoder bug, not something to ignore. */
		static const uint32_t init_only[] = { ATTR_EXEC_FIFO_FD, ATTR_SETUP_PATH, ATTR_SETUP_FD,
						      ATTR_TIMENS_OFFSETS, ATTR_NO_PIVOT, ATTR_STATE_JSON };
		for (size_t i = 0; i < sizeof(init_only) / sizeof(init_only[0]); i++)
			if (tc.seen & (1ULL << init_only[i]))
				bailx(EINVAL, "bootstrap: %s is not allowed in join mode", attr_name(init_only[i]));
		if (cfg->clone_flags != 0)
			bailx(EINVAL, "bootstrap: ATTR_CLONE_FLAGS %#x in join mode, want 0", cfg->clone_flags);
		if (cfg->nhooks > 0 || cfg->setup_argv.n > 0 || cfg->setup_envp.n > 0)
			bailx(EINVAL, "bootstrap: setup and hook records are not allowed in join mode");
	} else {
		need(tc.seen, ATTR_EXEC_FIFO_FD, "required");
	}
	if (cfg->argv.n == 0)
		bailx(EINVAL, "bootstrap: missing ATTR_PROCESS_ARG (at least one is required)");
	if (cfg->setup_path != NULL) {
		need(tc.seen, ATTR_SETUP_FD, "required with ATTR_SETUP_PATH");
		if (cfg->setup_argv.n == 0)
			bailx(EINVAL, "bootstrap: missing ATTR_SETUP_ARG (required with ATTR_SETUP_PATH)");
	}
	/* Checked here, where a bad index is a protocol error, not in init where the entry
	 * is overwritten. */
	if (cfg->has_home_env &&
	    (cfg->home_env >= cfg->envp.n || strcmp(cfg->envp.v[cfg->home_env], "HOME=") != 0))
		bailx(EINVAL, "bootstrap: ATTR_PROCESS_HOME_ENV %u is not the index of a \"HOME=\" entry",
		      cfg->home_env);
	/* execve wants a vector even when it is empty. */
	if (cfg->envp.v == NULL)
		cfg->envp.v = grow(NULL, 0, sizeof(char *)), cfg->envp.v[0] = NULL;
	if (cfg->setup_envp.v == NULL)
		cfg->setup_envp.v = grow(NULL, 0, sizeof(char *)), cfg->setup_envp.v[0] = NULL;
	/* Our own fds sit above the preserved ones, which must reach the process as 3.. */
	if (!is_join_mode(cfg->mode) && cfg->exec_fifo_fd < 3 + (int)cfg->preserve_fds)
		bailx(EINVAL, "bootstrap: exec fifo fd %d is among stdio or the %u preserved fds",
		      cfg->exec_fifo_fd, cfg->preserve_fds);
	if (tc.seen & (1ULL << ATTR_CONSOLE_SOCKET_FD) && cfg->console_fd < 3 + (int)cfg->preserve_fds)
		bailx(EINVAL, "bootstrap: console socket fd %d is among stdio or the %u preserved fds",
		      cfg->console_fd, cfg->preserve_fds);
	if (cfg->has_console_size && cfg->console_fd < 0)
		bailx(EINVAL, "bootstrap: ATTR_CONSOLE_SIZE without ATTR_CONSOLE_SOCKET_FD");
}
