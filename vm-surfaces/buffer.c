#include <stdlib.h>
#include <wlr/types/wlr_buffer.h>

#include "compositor/wlr_compat.h"
#include "vm-surfaces/buffer.h"
#include "vm-surfaces/mapping.h"

static void buffer_destroy(struct wlr_buffer *wlr_buffer)
{
	struct vm_buffer *buffer = wl_container_of(wlr_buffer, buffer, base);
	if (buffer->mapping != NULL) {
		vm_mapping_unref(buffer->mapping);
	} else {
		free(buffer->data);
	}
	vm_charge_give(&buffer->charge);
	free(buffer);
}

static bool buffer_begin_data_ptr_access(struct wlr_buffer *wlr_buffer, uint32_t flags,
	void **data, uint32_t *format, size_t *stride)
{
	struct vm_buffer *buffer = wl_container_of(wlr_buffer, buffer, base);
	/* Guest memory is mapped read-only: nothing of ours may draw into it. */
	if ((flags & WLR_BUFFER_DATA_PTR_ACCESS_WRITE) && !buffer->writable) {
		return false;
	}
	*data = buffer->data;
	*format = buffer->format;
	*stride = buffer->stride;
	return true;
}

static void buffer_end_data_ptr_access(struct wlr_buffer *wlr_buffer)
{
}

static const struct wlr_buffer_impl buffer_impl = {
	.destroy = buffer_destroy,
	.begin_data_ptr_access = buffer_begin_data_ptr_access,
	.end_data_ptr_access = buffer_end_data_ptr_access,
};

struct vm_buffer *vm_buffer_create(struct vm_mapping *mapping, size_t offset, int width,
	int height, size_t stride, uint32_t format)
{
	struct vm_buffer *buffer = calloc(1, sizeof(*buffer));
	if (buffer == NULL) {
		return NULL;
	}
	wlr_buffer_init(&buffer->base, &buffer_impl, width, height);
	buffer->mapping = vm_mapping_ref(mapping);
	buffer->data = (char *)mapping->addr + offset;
	buffer->stride = stride;
	buffer->format = format;
	return buffer;
}

struct vm_buffer *vm_buffer_create_memory(int width, int height, uint32_t format)
{
	struct vm_buffer *buffer = calloc(1, sizeof(*buffer));
	if (buffer == NULL) {
		return NULL;
	}
	buffer->data = calloc((size_t)width * (size_t)height, 4);
	if (buffer->data == NULL) {
		free(buffer);
		return NULL;
	}
	wlr_buffer_init(&buffer->base, &buffer_impl, width, height);
	buffer->stride = (size_t)width * 4;
	buffer->format = format;
	buffer->writable = true;
	return buffer;
}
