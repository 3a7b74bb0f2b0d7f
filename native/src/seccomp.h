/* seccomp.h: loading the filter the CLI compiled (ATTR_SECCOMP). Runs in: native. */
#ifndef RUNTS_SECCOMP_H
#define RUNTS_SECCOMP_H

#include "bootstrap.h"

/* Install cfg's filter on this thread with seccomp(2); no-op without one. Bails on error. */
void load_seccomp(struct runts_config *cfg);

#endif
