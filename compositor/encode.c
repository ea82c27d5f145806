#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <wayland-server-core.h>
#include <wlr/util/log.h>

#include "compositor/encode.h"
#include "compositor/server.h"
#include "protocol/png.h"

struct encode_job {
	struct mosaic_server *server;
	struct wl_list link; // mosaic_server.encode_jobs, oldest first
	bool started;        // its thread runs (or ran)
	pthread_t thread;
	int fd; // eventfd: encoded
	struct wl_event_source *source;
	encode_done_func done; // NULL: cancelled
	void *data;
	/* The thread's, from its start until the join. */
	uint32_t *pixels;
	int width, height;
	uint8_t *png;
	size_t len;
	bool ok;
};

static void encode(struct encode_job *job)
{
	job->ok = png_encode_xrgb8888(job->pixels, job->width, job->height,
		(size_t)job->width * 4, &job->png, &job->len);
}

static void *job_main(void *arg)
{
	struct encode_job *job = arg;
	encode(job);
	uint64_t one = 1;
	if (write(job->fd, &one, sizeof(one)) < 0) {
		/* An eventfd's counter cannot overflow from one write. */
	}
	return NULL;
}

static void job_destroy(struct encode_job *job)
{
	wl_list_remove(&job->link);
	if (job->source != NULL) {
		wl_event_source_remove(job->source);
	}
	if (job->fd >= 0) {
		close(job->fd);
	}
	free(job->pixels);
	free(job->png);
	free(job);
}

/* Hands the result to whoever still wants it, and forgets the job. */
static void job_deliver(struct encode_job *job)
{
	encode_done_func done = job->done;
	void *done_data = job->data;
	uint8_t *png = job->png;
	size_t len = job->len;
	job->png = NULL;
	if (!job->ok) {
		free(png);
		png = NULL;
		len = 0;
	}
	job_destroy(job);
	if (done != NULL) {
		done(done_data, png, len);
	}
	free(png);
}

static void start_next(struct mosaic_server *server);

static int job_handle_encoded(int fd, uint32_t mask, void *data)
{
	struct encode_job *job = data;
	struct mosaic_server *server = job->server;
	/* The thread ends right after telling us: what it wrote is ours after the join. */
	pthread_join(job->thread, NULL);
	job_deliver(job);
	start_next(server);
	return 0;
}

static bool job_start(struct encode_job *job)
{
	job->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	job->source = job->fd < 0 ? NULL :
		wl_event_loop_add_fd(job->server->loop, job->fd, WL_EVENT_READABLE,
			job_handle_encoded, job);
	if (job->source == NULL || pthread_create(&job->thread, NULL, job_main, job) != 0) {
		wlr_log(WLR_ERROR, "Screenshot: cannot start an encoding thread");
		return false;
	}
	job->started = true;
	return true;
}

/* One encoding at a time: screenshots never take more than one core from the guests. */
static void start_next(struct mosaic_server *server)
{
	struct encode_job *job, *tmp;
	wl_list_for_each_safe(job, tmp, &server->encode_jobs, link) {
		if (job->started || job_start(job)) {
			return;
		}
		job_deliver(job); // as a failure: nothing was encoded
	}
}

struct encode_job *encode_png_start(struct mosaic_server *server, uint32_t *pixels, int width,
	int height, encode_done_func done, void *data, const char **why)
{
	if (wl_list_length(&server->encode_jobs) >= ENCODE_MAX_JOBS) {
		*why = "too many screenshots waiting to be encoded";
		return NULL;
	}
	struct encode_job *job = calloc(1, sizeof(*job));
	if (job == NULL) {
		*why = "out of memory";
		return NULL;
	}
	job->server = server;
	job->done = done;
	job->data = data;
	job->pixels = pixels;
	job->width = width;
	job->height = height;
	job->fd = -1;
	wl_list_insert(server->encode_jobs.prev, &job->link);
	/* Alone: it starts now. done is only ever called from the loop, never from here. */
	if (wl_list_length(&server->encode_jobs) == 1 && !job_start(job)) {
		*why = "cannot start an encoding thread";
		job->pixels = NULL; // still the caller's
		job_destroy(job);
		return NULL;
	}
	return job;
}

void encode_job_cancel(struct encode_job *job)
{
	if (job == NULL) {
		return;
	}
	if (!job->started) {
		job_destroy(job);
		return;
	}
	job->done = NULL;
}

void encode_finish(struct mosaic_server *server)
{
	struct encode_job *job, *tmp;
	wl_list_for_each_safe(job, tmp, &server->encode_jobs, link) {
		if (job->started) {
			pthread_join(job->thread, NULL);
		} else {
			encode(job);
		}
		job_deliver(job);
	}
}
