/*
 * mosaicctl -j's schema: values typed by their key, not by their look;
 * absent keys and "-" null; sizes, rectangles and lists as JSON; unknown
 * keys strings; the focus reply and event of one shape; a value not of its
 * type refused.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "mosaicctl/schema.h"

static char out[16384];

static const char *json(const char *command, const char *line)
{
	char why[256];
	if (!schema_line_to_json(command, line, out, sizeof(out), why, sizeof(why))) {
		snprintf(out, sizeof(out), "refused: %s", why);
	}
	return out;
}

int main(void)
{
	CHECK_STR(json("layouts", "layout name=2024 surfaces=3 active=yes"),
		"{\"type\":\"layout\",\"name\":\"2024\",\"surfaces\":3,\"active\":true}");
	CHECK_STR(json("layouts", "layout name=\"two words\" surfaces=0 active=no"),
		"{\"type\":\"layout\",\"name\":\"two words\",\"surfaces\":0,\"active\":false}");
	/* Schema order, absent keys null; a newer mosaic's keys after them, as strings. */
	CHECK_STR(json("layouts", "layout active=no name=- later=7"),
		"{\"type\":\"layout\",\"name\":null,\"surfaces\":null,\"active\":false,"
		"\"later\":\"7\"}");
	CHECK_STR(json("outputs", "output name=HEADLESS-1 x=0 y=0 width=640 height=480 config=- "
				  "scale=1.5 transform=90 refresh=60.000 made=direct direct=c:0.0 "
				  "direct-frames=7 composed-frames=2 wlroots-frames=0 composed-pixels=9"),
		"{\"type\":\"output\",\"name\":\"HEADLESS-1\",\"x\":0,\"y\":0,\"width\":640,"
		"\"height\":480,\"config\":null,\"scale\":1.5,\"transform\":\"90\","
		"\"refresh\":60.000,\"made\":\"direct\",\"direct\":\"c:0.0\",\"direct-frames\":7,"
		"\"composed-frames\":2,\"wlroots-frames\":0,\"composed-pixels\":9}");
	/* Sizes, rectangles, lists. */
	CHECK(strstr(json("guests", "guest name=a domid=1 dev=0 conn=0 unique-id=- state=absent "
				    "resolution=1280x480 views=0 flips=0 copied=0 guest=a"),
		      "\"resolution\":{\"width\":1280,\"height\":480}") != NULL);
	CHECK(strstr(json("surfaces", "surface label=A src=0,0.5,320,240 visible=yes stale=no"),
		      "\"src\":{\"x\":0,\"y\":0.5,\"width\":320,\"height\":240},") != NULL);
	CHECK(strstr(json("expect", "expect result=differ max-delta=255,0,3"),
		      "\"max-delta\":[255,0,3],") != NULL);
	CHECK(strstr(json("inputs", "input domid=1 kind=vkbd dev=0 keyboard=1 touch=0"),
		      "\"keyboard\":true,") != NULL);
	/* The focus reply and event: the same keys, and nothing focused all null. */
	const char *keys = "\"guest\":\"c\",\"domid\":1,\"dev\":0,\"conn\":2,\"label\":\"c:0.2\","
			   "\"input\":\"none\",\"app\":null}";
	char reply[512];
	snprintf(reply, sizeof(reply), "%s",
		json("focus", "focus label=c:0.2 domid=1 dev=0 conn=2 input=none guest=c app=-"));
	CHECK(strstr(reply, keys) != NULL);
	CHECK(strstr(json("follow", "event focus label=c:0.2 domid=1 dev=0 conn=2 input=none "
				    "guest=c app=-"),
		      keys) != NULL);
	CHECK_STR(out + strlen("{\"type\":\"event\",\"event\":\"focus\","),
		reply + strlen("{\"type\":\"focus\","));
	const char *none = "\"guest\":null,\"domid\":null,\"dev\":null,\"conn\":null,"
			   "\"label\":null,\"input\":null,\"app\":null}";
	CHECK(strstr(json("focus", "focus none"), none) != NULL);
	CHECK(strstr(json("follow", "event focus none"), none) != NULL);
	/* An event the schema does not know: strings. */
	CHECK_STR(json("follow", "event new-thing count=3"),
		"{\"type\":\"event\",\"event\":\"new-thing\",\"count\":\"3\"}");
	/* Not of its type: refused, the key named. */
	CHECK_STR(json("layouts", "layout name=a surfaces=three active=yes"),
		"refused: surfaces=three is not an integer");
	CHECK_STR(json("layouts", "layout name=a surfaces=1 active=maybe"),
		"refused: active=maybe is not yes or no");
	CHECK_STR(json("guests", "guest resolution=1280x"),
		"refused: resolution=1280x is not a size WxH");
	CHECK_STR(json("surfaces", "surface src=1,2,3"),
		"refused: src=1,2,3 is not a rectangle X,Y,W,H");
	CHECK_STR(json("surfaces", "surface z=01"), "refused: z=01 is not an integer");
	CHECK_STR(json("layouts", "layout name=\"open"), "refused: not a data line");
	/* Quotes, backslashes and control characters escaped. */
	CHECK_STR(json("reload", "thing text=\"a \\\"b\\\" \\\\\""),
		"{\"type\":\"thing\",\"text\":\"a \\\"b\\\" \\\\\"}");
	return check_result("test-schema");
}
