#ifndef VGUEST_FONT_H
#define VGUEST_FONT_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A 5x7 bitmap font: A-Z a-z 0-9 and "-:._? " (space). Any other character
 * is drawn as '?'. Row 0 is the top row; bit 4 of a row is the leftmost column.
 */
#define FONT_GLYPH_WIDTH 5
#define FONT_GLYPH_HEIGHT 7

/* Never NULL: characters outside the font map to the '?' glyph. */
const uint8_t *font_glyph(char c);

/* Whether the glyph of c has its pixel (col, row) set; false outside the cell. */
bool font_glyph_pixel(char c, uint32_t col, uint32_t row);

#endif
