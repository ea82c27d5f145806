#include <drm_fourcc.h>
#include <stddef.h>

#include "vm-surfaces/format.h"

/*
 * Guest alpha is not premultiplied, and Linux guests leave it 0 in XRGB
 * and often in ARGB: every format is shown opaque (layouts may ask for
 * blending later). wlroots' pixman renderer reads XRGB8888 and RGB565
 * directly; the others it does not know, so pixman converts them.
 */
static const struct vm_format formats[] = {
	{DRM_FORMAT_XRGB8888, 32, DRM_FORMAT_XRGB8888, 0, "XRGB8888"},
	{DRM_FORMAT_ARGB8888, 32, DRM_FORMAT_XRGB8888, 0, "ARGB8888"},
	{DRM_FORMAT_RGB565, 16, DRM_FORMAT_RGB565, 0, "RGB565"},
	{DRM_FORMAT_RGB888, 24, DRM_FORMAT_XRGB8888, PIXMAN_r8g8b8, "RGB888"},
	{DRM_FORMAT_XRGB4444, 16, DRM_FORMAT_XRGB8888, PIXMAN_x4r4g4b4, "XRGB4444"},
	{DRM_FORMAT_ARGB4444, 16, DRM_FORMAT_XRGB8888, PIXMAN_x4r4g4b4, "ARGB4444"},
	{DRM_FORMAT_XRGB1555, 16, DRM_FORMAT_XRGB8888, PIXMAN_x1r5g5b5, "XRGB1555"},
	{DRM_FORMAT_ARGB1555, 16, DRM_FORMAT_XRGB8888, PIXMAN_x1r5g5b5, "ARGB1555"},
	{DRM_FORMAT_YUYV, 16, DRM_FORMAT_XRGB8888, PIXMAN_yuy2, "YUYV"},
};

const struct vm_format *vm_format_lookup(uint32_t fourcc)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (formats[i].fourcc == fourcc) {
			return &formats[i];
		}
	}
	return NULL;
}
