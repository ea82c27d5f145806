/* The control protocol's request splitting, guests and rectangles. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "protocol/control.h"

static int split(const char *text, char **argv, char *buf, size_t size)
{
	snprintf(buf, size, "%s", text);
	return control_split(buf, argv, 8);
}

int main(void)
{
	char buf[256];
	char *argv[8];

	CHECK(split("screenshot HEADLESS-1", argv, buf, sizeof(buf)) == 2);
	CHECK(strcmp(argv[0], "screenshot") == 0 && strcmp(argv[1], "HEADLESS-1") == 0);
	CHECK(split("  a   b\tc \n", argv, buf, sizeof(buf)) == 3);
	CHECK(strcmp(argv[2], "c") == 0);
	CHECK(split("say \"two words\" \"q\\\"uote\" \"back\\\\slash\"", argv, buf, sizeof(buf)) ==
		4);
	CHECK(strcmp(argv[1], "two words") == 0);
	CHECK(strcmp(argv[2], "q\"uote") == 0);
	CHECK(strcmp(argv[3], "back\\slash") == 0);
	CHECK(split("\"\"", argv, buf, sizeof(buf)) == 1 && argv[0][0] == '\0');
	CHECK(split("", argv, buf, sizeof(buf)) == 0);
	CHECK(split("\"unterminated", argv, buf, sizeof(buf)) == -1);
	CHECK(split("\"a\"b", argv, buf, sizeof(buf)) == -1);
	CHECK(split("1 2 3 4 5 6 7 8 9", argv, buf, sizeof(buf)) == -1);

	/* Guests' connectors as requests name them. */
	struct control_guest g;
	CHECK(control_parse_guest("cluster", &g) && strcmp(g.name, "cluster") == 0 &&
		g.domid == -1 && g.dev == 0 && g.conn == 0);
	CHECK(control_parse_guest("cluster:2", &g) && strcmp(g.name, "cluster") == 0 &&
		g.dev == 0 && g.conn == 2);
	CHECK(control_parse_guest("7:1.3", &g) && g.name[0] == '\0' && g.domid == 7 && g.dev == 1 &&
		g.conn == 3);
	CHECK(control_parse_guest("a:b:0.1", &g) && strcmp(g.name, "a:b") == 0 && g.conn == 1);
	CHECK(control_guest_matches(&g, "a:b", 4, 0, 1));
	CHECK(!control_guest_matches(&g, "a:b", 4, 0, 0));
	CHECK(!control_guest_matches(&g, "a", 4, 0, 1));
	CHECK(control_parse_guest("7", &g) && control_guest_matches(&g, "seven", 7, 0, 0));
	CHECK(!control_guest_matches(&g, "7", 8, 0, 0));
	CHECK(!control_parse_guest("", &g));
	CHECK(!control_parse_guest(":1", &g));
	CHECK(!control_parse_guest("x:", &g));
	CHECK(!control_parse_guest("x:4", &g));
	CHECK(!control_parse_guest("x:0.", &g));
	CHECK(!control_parse_guest("x:.1", &g));
	CHECK(!control_parse_guest("x:-1", &g));
	CHECK(!control_parse_guest("x:1.2.3", &g));
	CHECK(!control_parse_guest("x:70000.0", &g));
	CHECK(!control_parse_guest(
		"a-name-far-too-long-for-any-domain-a-name-far-too-long-for-any-domain", &g));

	/* The screenshot request's rect=. */
	struct control_rect rect;
	CHECK(control_parse_rect("0,0,320x180", &rect) && rect.width == 320 && rect.height == 180);
	CHECK(control_parse_rect("5,6,7,8", &rect) && rect.x == 5 && rect.y == 6 &&
		rect.width == 7 && rect.height == 8);
	CHECK(control_parse_rect("0,0,65535x65535", &rect) && rect.height == 65535);
	CHECK(!control_parse_rect("0,0,0x1", &rect));
	CHECK(!control_parse_rect("-1,0,1x1", &rect));
	CHECK(!control_parse_rect("0,0,1x1 ", &rect));
	CHECK(!control_parse_rect("0,0,1", &rect));
	CHECK(!control_parse_rect("0,0,1x99999", &rect));
	CHECK(!control_parse_rect("0x0,1,1", &rect));
	CHECK(!control_parse_rect("0,0,1x1,2", &rect));
	CHECK(!control_parse_rect("0,0,1x1x", &rect));
	CHECK(!control_parse_rect("", &rect));

	return check_result("test-control");
}
