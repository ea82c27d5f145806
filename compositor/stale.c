#include <stdlib.h>
#include <time.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/util/log.h>

#include "compositor/label.h"
#include "compositor/server.h"
#include "compositor/stale.h"
#include "compositor/wlr_compat.h"

#define MARKER_FRAME 6
#define MARKER_RED 0xd0202au
#define LABEL_HEIGHT 48

struct stale_watch {
	struct mosaic_server *server;
	struct wlr_box area;
	int32_t stale_after_ms;
	struct wl_event_source *timer;
	struct wlr_scene_tree *marker; // NULL: not marked
};

int64_t stale_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void add_rect(struct wlr_scene_tree *tree, int x, int y, int w, int h, const float c[4])
{
	struct wlr_scene_rect *rect = wlr_scene_rect_create(tree, w, h, c);
	if (rect != NULL) {
		wlr_scene_node_set_position(&rect->node, x, y);
	}
}

static void mark(struct stale_watch *watch)
{
	if (watch->marker != NULL) {
		return;
	}
	watch->marker = wlr_scene_tree_create(watch->server->layer_overlay);
	if (watch->marker == NULL) {
		wlr_log(WLR_ERROR, "Out of memory: a stale surface cannot be marked");
		return;
	}
	const struct wlr_box *b = &watch->area;
	wlr_scene_node_set_position(&watch->marker->node, b->x, b->y);
	static const float veil[4] = {0, 0, 0, 0.5f};
	static const float red[4] = {
		((MARKER_RED >> 16) & 0xff) / 255.0f, ((MARKER_RED >> 8) & 0xff) / 255.0f,
		(MARKER_RED & 0xff) / 255.0f, 1.0f};
	add_rect(watch->marker, 0, 0, b->width, b->height, veil);
	int f = b->width > 2 * MARKER_FRAME && b->height > 2 * MARKER_FRAME ? MARKER_FRAME : 1;
	add_rect(watch->marker, 0, 0, b->width, f, red);
	add_rect(watch->marker, 0, b->height - f, b->width, f, red);
	add_rect(watch->marker, 0, f, f, b->height - 2 * f, red);
	add_rect(watch->marker, b->width - f, f, f, b->height - 2 * f, red);
	struct wlr_buffer *text =
		label_create("FROZEN", MARKER_RED, b->width - 2 * f, LABEL_HEIGHT);
	if (text != NULL) {
		struct wlr_scene_buffer *node = label_node_create(watch->marker, text);
		if (node != NULL) {
			wlr_scene_node_set_position(&node->node, (b->width - text->width) / 2,
				(b->height - text->height) / 2);
		}
		wlr_buffer_drop(text);
	}
}

static void unmark(struct stale_watch *watch)
{
	if (watch->marker != NULL) {
		wlr_scene_node_destroy(&watch->marker->node);
		watch->marker = NULL;
	}
}

static int stale_handle_timer(void *data)
{
	mark(data);
	return 0;
}

struct stale_watch *stale_watch_create(struct mosaic_server *server, const struct wlr_box *area,
	int32_t stale_after_ms, int64_t last_content_ms)
{
	struct stale_watch *watch = calloc(1, sizeof(*watch));
	if (watch == NULL) {
		return NULL;
	}
	watch->server = server;
	watch->area = *area;
	watch->stale_after_ms = stale_after_ms;
	watch->timer = wl_event_loop_add_timer(server->loop, stale_handle_timer, watch);
	if (watch->timer == NULL) {
		free(watch);
		return NULL;
	}
	/* A layout switch or a new arrangement does not make a frozen guest look live. */
	int64_t left = last_content_ms + stale_after_ms - stale_now_ms();
	if (left <= 0) {
		mark(watch);
	} else {
		wl_event_source_timer_update(watch->timer, (int)left);
	}
	return watch;
}

void stale_watch_destroy(struct stale_watch *watch)
{
	if (watch == NULL) {
		return;
	}
	unmark(watch);
	wl_event_source_remove(watch->timer);
	free(watch);
}

void stale_watch_content(struct stale_watch *watch)
{
	unmark(watch);
	wl_event_source_timer_update(watch->timer, watch->stale_after_ms);
}

bool stale_watch_marked(const struct stale_watch *watch)
{
	return watch != NULL && watch->marker != NULL;
}
