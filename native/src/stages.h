/* stages.h: the three native stages and what they share. Runs in: native. */
#ifndef RUNTS_STAGES_H
#define RUNTS_STAGES_H

#include <stdbool.h>
#include <sys/types.h>
#include "bootstrap.h"

/* Rewrite the process title (argv area and PR_SET_NAME) to runts:[n:STAGE]. */
void set_title(const char *title);
/* cloned.c: re-exec from a sealed memfd copy unless already running from one. */
void ensure_sealed_copy(char **argv);

/* nsenter.c */
_Noreturn void stage_parent(struct runts_config *cfg);
/* finalize.c; ready_fd is the private socket to [0:PARENT]. stage_exec is [2:INIT] in
 * join mode: the process exec'd into an existing container. */
_Noreturn void stage_init(struct runts_config *cfg, int ready_fd);
_Noreturn void stage_exec(struct runts_config *cfg, int ready_fd);

/* console.c: with a console socket, give the process a new pty as its controlling
 * terminal and stdio and send the master away; bind it onto /dev/console if asked. */
void setup_console(struct runts_config *cfg, bool mount_dev_console);

/* userns-holder.c: `runts-init userns`, an empty user namespace for an idmapped mount. */
int hold_userns(void);

/* Wait for pid, retrying EINTR; bails on failure. */
int wait_status(pid_t pid);

#endif
