#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <wlr/util/log.h>
#include <xengnttab.h>

#include "protocol/pgdir.h"
#include "vm-surfaces/mapper.h"

enum job_state { JOB_QUEUED, JOB_RUNNING, JOB_DONE };

enum job_kind { JOB_MAP, JOB_UNMAP };

struct vm_map_job {
	struct vm_mapper *mapper;
	enum job_kind kind;
	uint32_t domid, gref_directory, nr_pages;
	int prot;
	vm_map_done_func_t done;
	void *data;
	/* Under mapper->lock from here on. */
	enum job_state state;
	bool cancelled;
	struct vm_charge charge; // given back when a cancelled job is discarded
	enum vm_map_result result;
	int32_t status;
	void *addr;
	struct wl_list link; // mapper->queue, then mapper->results
};

struct vm_mapper {
	xengnttab_handle *gnttab;
	struct wl_event_source *source;
	int wake_fd; // the thread tells the loop that results wait
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct wl_list queue, results; // vm_map_job.link
	bool stopping;
};

static void job_run(struct vm_mapper *mapper, struct vm_map_job *job)
{
	if (job->kind == JOB_UNMAP) {
		if (xengnttab_unmap(mapper->gnttab, job->addr, job->nr_pages) != 0) {
			wlr_log_errno(WLR_ERROR, "Cannot unmap %u guest pages", job->nr_pages);
		}
		job->addr = NULL;
		return;
	}
	uint32_t *refs = calloc(job->nr_pages, sizeof(*refs));
	if (refs == NULL) {
		job->result = VM_MAP_FAILED;
		return;
	}
	job->status = pgdir_collect(mapper->gnttab, job->domid, job->gref_directory,
		job->nr_pages, refs);
	if (job->status != 0) {
		job->result = VM_MAP_BAD_DIRECTORY;
	} else {
		job->addr = xengnttab_map_domain_grant_refs(mapper->gnttab, job->nr_pages,
			job->domid, refs, job->prot);
		job->result = job->addr != NULL ? VM_MAP_OK : VM_MAP_FAILED;
	}
	free(refs);
}

static void *mapper_thread(void *data)
{
	struct vm_mapper *mapper = data;
	pthread_mutex_lock(&mapper->lock);
	for (;;) {
		while (wl_list_empty(&mapper->queue) && !mapper->stopping) {
			pthread_cond_wait(&mapper->cond, &mapper->lock);
		}
		if (mapper->stopping) {
			break;
		}
		struct vm_map_job *job = wl_container_of(mapper->queue.next, job, link);
		wl_list_remove(&job->link);
		job->state = JOB_RUNNING;
		pthread_mutex_unlock(&mapper->lock);
		job_run(mapper, job);
		pthread_mutex_lock(&mapper->lock);
		job->state = JOB_DONE;
		wl_list_insert(mapper->results.prev, &job->link);
		uint64_t one = 1;
		if (write(mapper->wake_fd, &one, sizeof(one)) < 0) {
			/* The counter is non-zero already: the loop will look. */
		}
	}
	pthread_mutex_unlock(&mapper->lock);
	return NULL;
}

static void job_discard(struct vm_map_job *job)
{
	if (job->addr != NULL) {
		xengnttab_unmap(job->mapper->gnttab, job->addr, job->nr_pages);
	}
	vm_charge_give(&job->charge);
	free(job);
}

static void mapper_deliver(struct vm_mapper *mapper)
{
	struct wl_list done;
	wl_list_init(&done);
	pthread_mutex_lock(&mapper->lock);
	wl_list_insert_list(&done, &mapper->results);
	wl_list_init(&mapper->results);
	pthread_mutex_unlock(&mapper->lock);
	struct vm_map_job *job, *tmp;
	wl_list_for_each_safe(job, tmp, &done, link) {
		wl_list_remove(&job->link);
		/* Cancelled only on this thread, so no lock is needed to read it now. */
		if (job->cancelled || job->kind == JOB_UNMAP) {
			job_discard(job);
			continue;
		}
		job->done(job->data, job->result, job->status, job->addr);
		free(job);
	}
}

static int mapper_handle_wake(int fd, uint32_t mask, void *data)
{
	uint64_t count;
	if (read(fd, &count, sizeof(count)) < 0 && errno != EAGAIN) {
		wlr_log_errno(WLR_ERROR, "Cannot read the mapping thread's counter");
	}
	mapper_deliver(data);
	return 0;
}

struct vm_mapper *vm_mapper_create(struct wl_event_loop *loop, xengnttab_handle *gnttab)
{
	struct vm_mapper *mapper = calloc(1, sizeof(*mapper));
	if (mapper == NULL) {
		return NULL;
	}
	mapper->gnttab = gnttab;
	wl_list_init(&mapper->queue);
	wl_list_init(&mapper->results);
	pthread_mutex_init(&mapper->lock, NULL);
	pthread_cond_init(&mapper->cond, NULL);
	mapper->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (mapper->wake_fd < 0) {
		wlr_log_errno(WLR_ERROR, "Cannot make an eventfd");
		goto error;
	}
	mapper->source = wl_event_loop_add_fd(loop, mapper->wake_fd, WL_EVENT_READABLE,
		mapper_handle_wake, mapper);
	if (mapper->source == NULL) {
		goto error;
	}
	/* Signals are the event loop's: the thread takes none of them. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int err = pthread_create(&mapper->thread, NULL, mapper_thread, mapper);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err != 0) {
		wlr_log(WLR_ERROR, "Cannot start the mapping thread: %s", strerror(err));
		goto error;
	}
	return mapper;

error:
	if (mapper->source != NULL) {
		wl_event_source_remove(mapper->source);
	}
	if (mapper->wake_fd >= 0) {
		close(mapper->wake_fd);
	}
	pthread_cond_destroy(&mapper->cond);
	pthread_mutex_destroy(&mapper->lock);
	free(mapper);
	return NULL;
}

void vm_mapper_destroy(struct vm_mapper *mapper)
{
	if (mapper == NULL) {
		return;
	}
	pthread_mutex_lock(&mapper->lock);
	mapper->stopping = true;
	pthread_cond_signal(&mapper->cond);
	pthread_mutex_unlock(&mapper->lock);
	pthread_join(mapper->thread, NULL);
	/* Owners cancel their jobs before they go; whatever is left is nobody's. */
	struct vm_map_job *job, *tmp;
	wl_list_for_each_safe(job, tmp, &mapper->queue, link) {
		wl_list_remove(&job->link);
		job_discard(job);
	}
	wl_list_for_each_safe(job, tmp, &mapper->results, link) {
		wl_list_remove(&job->link);
		job_discard(job);
	}
	wl_event_source_remove(mapper->source);
	close(mapper->wake_fd);
	pthread_cond_destroy(&mapper->cond);
	pthread_mutex_destroy(&mapper->lock);
	free(mapper);
}

struct vm_map_job *vm_mapper_map_directory(struct vm_mapper *mapper, uint32_t domid,
	uint32_t gref_directory, uint32_t nr_pages, int prot, vm_map_done_func_t done, void *data)
{
	struct vm_map_job *job = calloc(1, sizeof(*job));
	if (job == NULL) {
		return NULL;
	}
	job->mapper = mapper;
	job->domid = domid;
	job->gref_directory = gref_directory;
	job->nr_pages = nr_pages;
	job->prot = prot;
	job->done = done;
	job->data = data;
	pthread_mutex_lock(&mapper->lock);
	job->state = JOB_QUEUED;
	wl_list_insert(mapper->queue.prev, &job->link);
	pthread_cond_signal(&mapper->cond);
	pthread_mutex_unlock(&mapper->lock);
	return job;
}

void vm_mapper_unmap(struct vm_mapper *mapper, void *addr, uint32_t nr_pages,
	struct vm_charge *charge)
{
	struct vm_map_job *job = calloc(1, sizeof(*job));
	if (job == NULL) {
		/* Out of memory: on the loop, then. */
		xengnttab_unmap(mapper->gnttab, addr, nr_pages);
		vm_charge_give(charge);
		return;
	}
	job->mapper = mapper;
	job->kind = JOB_UNMAP;
	job->addr = addr;
	job->nr_pages = nr_pages;
	job->charge = *charge;
	*charge = (struct vm_charge){0};
	pthread_mutex_lock(&mapper->lock);
	job->state = JOB_QUEUED;
	wl_list_insert(mapper->queue.prev, &job->link);
	pthread_cond_signal(&mapper->cond);
	pthread_mutex_unlock(&mapper->lock);
}

void vm_map_job_cancel(struct vm_map_job *job, struct vm_charge *charge)
{
	struct vm_mapper *mapper = job->mapper;
	pthread_mutex_lock(&mapper->lock);
	if (job->state == JOB_QUEUED) {
		wl_list_remove(&job->link);
		pthread_mutex_unlock(&mapper->lock);
		vm_charge_give(charge);
		free(job);
		return;
	}
	/* Running, or done but not delivered: the loop discards it when it comes. */
	job->cancelled = true;
	job->charge = *charge;
	*charge = (struct vm_charge){0};
	pthread_mutex_unlock(&mapper->lock);
}
