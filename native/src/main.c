/* runts-init: the single-threaded part of runts (see ../shared/DESIGN.md). */
#include <stdio.h>
#include <string.h>
#include "runts-proto.h"

#ifndef RUNTS_VERSION
#define RUNTS_VERSION "dev"
#endif

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("runts-init %s (protocol %d)\n", RUNTS_VERSION, RUNTS_PROTO_VERSION);
		return 0;
	}
	fprintf(stderr, "runts-init: must be started by runts\n");
	return 1;
}
