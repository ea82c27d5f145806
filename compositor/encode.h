#ifndef MOSAIC_COMPOSITOR_ENCODE_H
#define MOSAIC_COMPOSITOR_ENCODE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Screenshots' PNG encoding, off the event loop: a 1080p picture takes
 * about 40 ms to encode, which the loop would otherwise take from the
 * guests (their requests, flip events and every output's frames). The
 * pixels are captured on the loop, encoded on a thread, and the result is
 * handed back on the loop. One picture is encoded at a time, the others
 * wait their turn in order: screenshots never take more than one core.
 */
struct mosaic_server;
struct encode_job;

/* On the loop, once encoded; png is NULL if encoding failed. png is freed after. */
typedef void (*encode_done_func)(void *data, const uint8_t *png, size_t len);

/* Pictures waiting or being encoded, at most (each holds its pixels); beyond, refused. */
#define ENCODE_MAX_JOBS 8

/*
 * Encodes XRGB8888 pixels (stride width * 4), which the job takes and
 * frees. NULL (the pixels are not taken) if ENCODE_MAX_JOBS are waiting or
 * no thread can be started; *why says which.
 */
struct encode_job *encode_png_start(struct mosaic_server *server, uint32_t *pixels, int width,
	int height, encode_done_func done, void *data, const char **why);
/* done will not be called; a picture not yet being encoded is dropped at once. */
void encode_job_cancel(struct encode_job *job);
/* Waits for every job to be encoded and delivers it: the server is stopping. */
void encode_finish(struct mosaic_server *server);

#endif
