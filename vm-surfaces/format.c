#include <drm_fourcc.h>
#include <stddef.h>

#include "vm-surfaces/format.h"

/*
 * Guest alpha is not premultiplied, and Linux guests leave it 0 in XRGB
 * and often in ARGB: every format is shown opaque (layouts may ask for
 * blending later). wlroots' pixman renderer reads XRGB8888 and RGB565
 * directly; the others it does not know, so pixman converts them. So does
 * a frame whose pitch is not a multiple of 4 bytes (Linux's dumb buffers are
 * not aligned: 641 pixels of RGB565), which pixman cannot read in place.
 */
static const struct vm_format formats[] = {
	{DRM_FORMAT_XRGB8888, DRM_FORMAT_XRGB8888, PIXMAN_x8r8g8b8, true, "XRGB8888"},
	{DRM_FORMAT_ARGB8888, DRM_FORMAT_XRGB8888, PIXMAN_x8r8g8b8, true, "ARGB8888"},
	{DRM_FORMAT_RGB565, DRM_FORMAT_RGB565, PIXMAN_r5g6b5, true, "RGB565"},
	{DRM_FORMAT_RGB888, DRM_FORMAT_XRGB8888, PIXMAN_r8g8b8, false, "RGB888"},
	{DRM_FORMAT_XRGB4444, DRM_FORMAT_XRGB8888, PIXMAN_x4r4g4b4, false, "XRGB4444"},
	{DRM_FORMAT_ARGB4444, DRM_FORMAT_XRGB8888, PIXMAN_x4r4g4b4, false, "ARGB4444"},
	{DRM_FORMAT_XRGB1555, DRM_FORMAT_XRGB8888, PIXMAN_x1r5g5b5, false, "XRGB1555"},
	{DRM_FORMAT_ARGB1555, DRM_FORMAT_XRGB8888, PIXMAN_x1r5g5b5, false, "ARGB1555"},
	{DRM_FORMAT_YUYV, DRM_FORMAT_XRGB8888, PIXMAN_yuy2, false, "YUYV"},
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
