#ifndef MOSAIC_COMPOSITOR_LAYOUT_FILE_H
#define MOSAIC_COMPOSITOR_LAYOUT_FILE_H

#include <stdbool.h>

#include "layouts/layout.h"

/*
 * The layout file in force: loading it (the parser's checks and the
 * compositor's: keysyms), warnings about what this compositor cannot do,
 * switching the active layout, and reloading the file.
 */
struct mosaic_server;

/* Loads and checks a layout file; NULL with err on the first problem. */
struct layout_config *layout_file_load(const char *path, struct layout_error *err);
/* Makes config (taken) the file in force, with its default layout active. */
void layout_file_install(struct mosaic_server *server, struct layout_config *config);
/* Switches the active layout; false with why if there is no such layout. */
bool layout_file_switch(struct mosaic_server *server, const char *name, char *why, size_t size);
/*
 * Reads the file again. On success the active layout stays if the new file
 * has it, else the default becomes active. On error nothing changes and
 * err says why (also logged).
 */
bool layout_file_reload(struct mosaic_server *server, struct layout_error *err);

#endif
