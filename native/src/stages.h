/* stages.h: the three native stages and what they share. Runs in: native. */
#ifndef RUNTS_STAGES_H
#define RUNTS_STAGES_H

#include <sys/types.h>
#include "bootstrap.h"

/* Rewrite the process title (argv area and PR_SET_NAME) to runts:[n:STAGE]. */
void set_title(const char *title);

/* nsenter.c */
_Noreturn void stage_parent(struct runts_config *cfg);
/* finalize.c; ready_fd is the private socket to [0:PARENT]. */
_Noreturn void stage_init(struct runts_config *cfg, int ready_fd);

/* Wait for pid, retrying EINTR; bails on failure. */
int wait_status(pid_t pid);

#endif
