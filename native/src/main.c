/* runts-init: the single-threaded part of runts (see /work/shared/DESIGN.md and the
 * protocol in runts-proto.h). Runs in: native.
 *
 *   runts-init --version
 *   runts-init init <sync-fd> <log-fd>     create, run
 *   runts-init join <sync-fd> <log-fd>     exec
 *   runts-init userns                      a user namespace for an idmapped mount
 *
 * Only runts starts it: everything it does comes from the bootstrap the CLI sends on
 * the sync socket. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "runts-proto.h"
#include "bootstrap.h"
#include "log.h"
#include "stages.h"
#include "sync.h"

#ifndef RUNTS_VERSION
#define RUNTS_VERSION "dev"
#endif

static char *title_start;
static size_t title_len;

/* ps shows the argv area; PR_SET_NAME sets comm (15 chars, the kernel truncates). The
 * argv strings are contiguous, so the whole area from argv[0] to the end of the last
 * argument can hold the title. */
void set_title(const char *title)
{
	(void)prctl(PR_SET_NAME, title, 0, 0, 0);
	if (title_start == NULL || title_len == 0)
		return;
	memset(title_start, 0, title_len);
	strncpy(title_start, title, title_len - 1);
}

static int parse_fd(const char *s, int allow_none)
{
	char *end;
	long v;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v > INT_MAX || v < (allow_none ? -1 : 0))
		return -2;
	return (int)v;
}

int main(int argc, char **argv)
{
	struct runts_config cfg;
	uint32_t len;
	char *buf;
	bool join;

	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("runts-init %s (protocol %d)\n", RUNTS_VERSION, RUNTS_PROTO_VERSION);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "userns") == 0)
		return hold_userns();
	if (argc != 4 || (strcmp(argv[1], "init") != 0 && strcmp(argv[1], "join") != 0)) {
		fprintf(stderr, "runts-init: must be started by runts (usage: runts-init init|join <sync-fd> <log-fd>)\n");
		return 1;
	}
	ensure_sealed_copy(argv);
	join = strcmp(argv[1], "join") == 0;
	runts_sync_fd = parse_fd(argv[2], 0);
	runts_log_fd = parse_fd(argv[3], 1);
	if (runts_sync_fd < 0 || runts_log_fd < -1) {
		fprintf(stderr, "runts-init: bad fd arguments %s %s\n", argv[2], argv[3]);
		return 1;
	}
	title_start = argv[0];
	title_len = (size_t)(argv[argc - 1] + strlen(argv[argc - 1]) - argv[0]) + 1;

	runts_stage = RUNTS_STAGE_PARENT;
	set_title("runts:[0:PARENT]");
	buf = sync_expect_bootstrap(&len);
	bootstrap_decode(buf, len, &cfg);
	/* The verb is visible in ps; the mode decides. They must agree. */
	if (join != is_join_mode(cfg.mode))
		bailx(EINVAL, "bootstrap: mode %u does not go with \"%s\"", cfg.mode, join ? "join" : "init");
	log_debug("bootstrap: %u bytes, mode %u, clone flags %#x, %zu joins", len, cfg.mode,
		  cfg.clone_flags, cfg.njoins);
	stage_parent(&cfg);
}
