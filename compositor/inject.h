#ifndef MOSAIC_COMPOSITOR_INJECT_H
#define MOSAIC_COMPOSITOR_INJECT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Input from the control socket (`mosaicctl input ...`), for scripted
 * checks of a cockpit and for tests: a pointer and a touch screen of our
 * own that go through the same path as real ones (the cursor, the views,
 * input routing); keys go to the focused guest as a keyboard's would,
 * without key bindings.
 */
struct mosaic_server;
struct mosaic_inject;

struct mosaic_inject *inject_create(struct mosaic_server *server);
void inject_destroy(struct mosaic_inject *inject);

/*
 * argv: key CODE down|up | pointer X Y | button left|right|middle|CODE down|up
 * | wheel STEPS | touch down|motion ID X Y | touch up|cancel ID | touch frame.
 * X, Y in layout coordinates. false with a message in err.
 */
bool inject_command(struct mosaic_inject *inject, int argc, char **argv, char *err,
	size_t err_size);

#endif
